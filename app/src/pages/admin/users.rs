//! `/admin/users` (search and filters) and `/admin/users/{id}` (an account, its posts and
//! sessions, and the staff actions on it).

use super::{
    action_problem, admin_problem, filtered_list, flag, list_or, loading, text, AdminFrame, AdminTable,
    FlagSelect,
};
use crate::api::admin::{act_on_user, admin_account, admin_users};
use crate::api::resource::load;
use crate::session::use_session;
use crate::when;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use leptos_router::params::ParamsMap;
use shared::admin::{AdminPost, AdminUser, AdminUserDetail, Page, UserAction, UserFilter};
use shared::{ApiError, ErrorCode, SessionView};

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let read = |q: &ParamsMap| UserFilter {
        q: text(q, "q"),
        verified: flag(q, "verified"),
        staff: flag(q, "staff"),
        active: flag(q, "active"),
        cursor: text(q, "cursor"),
    };
    let form = |f: UserFilter| {
        view! {
            <label>"Search" <input type="search" name="q" value=f.q.unwrap_or_default() placeholder="Email, handle or name" /></label>
            <FlagSelect name="verified" label="Email" yes="Verified" no="Unverified" current=f.verified />
            <FlagSelect name="staff" label="Staff" yes="Staff" no="Not staff" current=f.staff />
            <FlagSelect name="active" label="Status" yes="Active" no="Deactivated" current=f.active />
        }
    };
    view! { <AdminFrame title="Users">{filtered_list("/admin/users", read, admin_users, form, users_table)}</AdminFrame> }
}

fn users_table(page: Page<AdminUser>) -> impl IntoView {
    let now = page.now;
    view! {
        <AdminTable head=&["User", "Email", "Status", "Joined"]>
            {page.items.into_iter().map(|u| view! {
                <tr>
                    <td><a href=format!("/admin/users/{}", u.id)>{u.display_name.clone()} " @" {u.handle.clone()}</a></td>
                    <td>{u.email.clone()}</td>
                    <td>{badges(&u)}</td>
                    <td><time datetime=when::iso(u.created_at)>{when::age(u.created_at, now)}</time></td>
                </tr>
            }).collect_view()}
        </AdminTable>
        {page.next_cursor.is_none().then(|| view! { <p class="notice">"End of the list."</p> })}
    }
}

fn badges(u: &AdminUser) -> impl IntoView {
    let mut list = Vec::new();
    if u.staff {
        list.push("staff");
    }
    if !u.verified {
        list.push("unverified");
    }
    if !u.active {
        list.push("deactivated");
    }
    list.into_iter().map(|b| view! { <span class=format!("badge {b}")>{b}</span> }).collect_view()
}

#[component]
pub fn AdminUserPage() -> impl IntoView {
    let params = use_params_map();
    // Bumped after each action, to show the account as it now is.
    let version = RwSignal::new(0u32);
    let detail = load(
        move || (params.read().get("id").and_then(|id| id.parse().ok()), version.get()),
        |(id, _)| async move {
            match id {
                Some(id) => admin_account(id).await,
                None => Err(ApiError::new(ErrorCode::NotFound, "That user does not exist.")),
            }
        },
    );

    // Outside the reloaded part, so an action's outcome stays on screen after the reload.
    let outcome = Outcome { done: RwSignal::new(None), problem: RwSignal::new(None) };

    view! {
        <AdminFrame title="User">
            // A transition keeps the account on screen while it reloads after an action.
            <Transition fallback=loading>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(detail) => user_detail(detail, version, outcome).into_any(),
                        Err(e) => admin_problem(e),
                    }
                })}
            </Transition>
            <p class="notice" role="status">{move || outcome.done.get()}</p>
            {action_problem(outcome.problem)}
        </AdminFrame>
    }
}

/// What the last action on the account said.
#[derive(Clone, Copy)]
struct Outcome {
    done: RwSignal<Option<&'static str>>,
    problem: RwSignal<Option<ApiError>>,
}

fn user_detail(detail: AdminUserDetail, version: RwSignal<u32>, outcome: Outcome) -> impl IntoView {
    let session = use_session();
    let u = detail.user;
    let id = u.id;
    let Outcome { done, problem } = outcome;
    let run = move |action: UserAction, message: &'static str| {
        session.run(
            problem,
            move || act_on_user(id, action),
            move |_| {
                done.set(Some(message));
                version.update(|v| *v += 1);
            },
        );
    };
    let button = move |action: UserAction, label: &'static str, message: &'static str, danger: bool| {
        view! { <button class:danger=danger on:click=move |_| run(action, message)>{label}</button> }
    };
    let now = detail.now;
    view! {
        <section class="admin-detail" aria-label="Account">
            <h2>{u.display_name.clone()} " " <span class="handle">"@" {u.handle.clone()}</span></h2>
            <dl>
                <dt>"Email"</dt><dd>{u.email.clone()}</dd>
                <dt>"Name"</dt><dd>{format!("{} {}", u.first_name, u.last_name)}</dd>
                <dt>"Joined"</dt><dd>{when::absolute(u.created_at)}</dd>
                <dt>"Status"</dt><dd data-testid="status">{if u.active { "active" } else { "deactivated" }} {badges(&u)}</dd>
            </dl>
            <div class="admin-actions">
                {if u.active {
                    button(UserAction::Deactivate, "Deactivate", "Deactivated; every session has ended.", true)
                } else {
                    button(UserAction::Reactivate, "Reactivate", "Reactivated.", false)
                }}
                {if u.staff {
                    button(UserAction::RevokeStaff, "Remove staff", "No longer staff.", true)
                } else {
                    button(UserAction::GrantStaff, "Make staff", "Now staff.", false)
                }}
                {(!u.verified).then(|| button(UserAction::ResendVerification, "Resend verification", "Verification email queued.", false))}
                {button(UserAction::SignOutEverywhere, "Sign out everywhere", "Signed out everywhere.", true)}
            </div>
        </section>
        <section aria-label="Sessions">
            <h2>"Sessions"</h2>
            {sessions_list(detail.sessions, now)}
        </section>
        <section aria-label="Posts">
            <h2>"Newest posts"</h2>
            {posts_list(detail.posts, now)}
            <p><a href=format!("/admin/posts?author={id}")>"All their posts"</a></p>
        </section>
    }
}

fn sessions_list(sessions: Vec<SessionView>, now: i64) -> impl IntoView {
    list_or("sessions", sessions, "No live sessions.", move |s| {
        view! {
            <li class="device">
                <p class="agent">{if s.user_agent.is_empty() { "Unknown device".to_owned() } else { s.user_agent }}</p>
                <p class="notice">"Signed in " {when::age(s.created_at, now)} " · last used " {when::age(s.last_used_at, now)}</p>
            </li>
        }
    })
}

fn posts_list(posts: Vec<AdminPost>, now: i64) -> impl IntoView {
    list_or("admin-posts", posts, "No posts.", move |p| {
        view! {
            <li>
                <span class="notice">{when::age(p.created_at, now)} " · #" {p.id.0}</span>
                {p.hidden.map(|h| view! { <span class="badge hidden">"hidden: " {h.reason}</span> })}
                <p class="body">{p.body}</p>
            </li>
        }
    })
}
