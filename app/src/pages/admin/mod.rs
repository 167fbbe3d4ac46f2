//! `/admin`: the staff admin. Pages render on the server with the staff member's refresh cookie,
//! so they load and paginate without JavaScript; every change is a server function called with
//! the access token. Filters live in the URL, so every view can be linked, shared and reloaded.

mod audit;
mod jobs;
mod posts;
mod requests;
mod users;

pub use audit::AdminAuditPage;
pub use jobs::AdminJobsPage;
pub use posts::AdminPostsPage;
pub use requests::{AdminHome, AdminRequestsPage};
pub use users::{AdminUserPage, AdminUsersPage};

use crate::api::resource::Loaded;
use crate::session::Session;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::params::ParamsMap;
use shared::{ApiError, ErrorCode};
use std::future::Future;

/// Every admin page: its title, the section links, and its content.
#[component]
fn AdminFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=format!("Admin: {title}") />
        <div class="admin">
            <nav class="admin-nav" aria-label="Admin sections">
                <a href="/admin">"Overview"</a>
                <a href="/admin/users">"Users"</a>
                <a href="/admin/posts">"Posts"</a>
                <a href="/admin/requests">"Requests"</a>
                <a href="/admin/jobs">"Jobs"</a>
                <a href="/admin/audit">"Audit trail"</a>
            </nav>
            <h1>{title}</h1>
            {children()}
        </div>
    }
}

/// A refused or failed admin load: a sign-in prompt (401) for visitors, otherwise the reason,
/// with its status (403 for everyone but staff, 422 for a bad filter).
fn admin_problem(error: ApiError) -> AnyView {
    super::set_status(error.code);
    match error.code {
        ErrorCode::Unauthenticated => super::sign_in_first(),
        ErrorCode::Forbidden => view! {
            <section class="problem">
                <h2>"Staff only"</h2>
                <p role="alert">"This part of mublog is for its staff."</p>
            </section>
        }
        .into_any(),
        _ => view! { <p class="error" role="alert">{error.message}</p> }.into_any(),
    }
}

fn loading() -> impl IntoView {
    view! { <p class="loading">"Loading…"</p> }
}

/// A server-loaded admin view: "Loading…", then `show` with the data, or the refusal.
fn loaded<T, V>(resource: Loaded<T>, show: impl Fn(T) -> V + Copy + Send + Sync + 'static) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match resource.await {
                    Ok(data) => show(data).into_any(),
                    Err(e) => admin_problem(e),
                }
            })}
        </Suspense>
    }
}

/// A filter from the query string; blank is no filter.
fn text(query: &ParamsMap, key: &str) -> Option<String> {
    query.get(key).filter(|v| !v.trim().is_empty())
}

/// A yes/no filter from the query string.
fn flag(query: &ParamsMap, key: &str) -> Option<bool> {
    match query.get_str(key) {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    }
}

/// A select for a yes/no filter.
#[component]
fn FlagSelect(
    name: &'static str,
    label: &'static str,
    yes: &'static str,
    no: &'static str,
    current: Option<bool>,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <select name=name>
                <option value="" selected=current.is_none()>"Any"</option>
                <option value="yes" selected=current == Some(true)>{yes}</option>
                <option value="no" selected=current == Some(false)>{no}</option>
            </select>
        </label>
    }
}

/// "Next page": this view's URL with the cursor moved on (a plain link, so it works without
/// JavaScript).
fn next_page(next_cursor: Option<String>) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let mut query = use_query_map().get_untracked();
    next_cursor.map(|cursor| {
        query.replace("cursor", cursor);
        view! { <a class="next-page" href=format!("{path}{}", query.to_query_string())>"Next page"</a> }
    })
}

/// Runs a staff action with the access token; on success `done` gets the answer, on failure
/// the refusal is shown in `problem`.
fn act<T, Fut>(
    session: Session,
    problem: RwSignal<Option<ApiError>>,
    call: impl Fn() -> Fut + 'static,
    done: impl FnOnce(T) + 'static,
) where
    T: 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    spawn_local(async move {
        match session.authed(call).await {
            Ok(answer) => {
                problem.set(None);
                done(answer);
            }
            Err(e) => problem.set(Some(e)),
        }
    });
}

/// The last refusal of an action, where screen readers announce it.
fn action_problem(problem: RwSignal<Option<ApiError>>) -> impl IntoView {
    view! { <p class="error" role="alert">{move || problem.get().map(|e| e.message)}</p> }
}
