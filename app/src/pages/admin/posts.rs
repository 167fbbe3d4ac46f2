//! `/admin/posts`: posts by text, author, date and visibility; hiding with a reason, showing and
//! deleting.

use super::{action_problem, filtered_list, flag, text, AdminFrame, FlagSelect};
use crate::api::admin::{act_on_post, admin_posts};
use crate::session::use_session;
use crate::when;
use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use shared::admin::{AdminPost, Page, PostAction, PostFilter};
use shared::ApiError;

#[component]
pub fn AdminPostsPage() -> impl IntoView {
    let read = |q: &ParamsMap| PostFilter {
        q: text(q, "q"),
        author: text(q, "author"),
        from: text(q, "from"),
        until: text(q, "until"),
        hidden: flag(q, "hidden"),
        cursor: text(q, "cursor"),
    };
    let form = |f: PostFilter| {
        view! {
            <label>"Text" <input type="search" name="q" value=f.q.unwrap_or_default() /></label>
            <label>"Author" <input name="author" value=f.author.unwrap_or_default() placeholder="Handle or id" /></label>
            <label>"From (UTC)" <input type="date" name="from" value=f.from.unwrap_or_default() /></label>
            <label>"Until (UTC)" <input type="date" name="until" value=f.until.unwrap_or_default() /></label>
            <FlagSelect name="hidden" label="Visibility" yes="Hidden" no="Visible" current=f.hidden />
        }
    };
    let list = |page: Page<AdminPost>| {
        let now = page.now;
        view! {
            <ul class="admin-posts">
                {page.items.into_iter().map(|post| view! { <ModeratedPost post now /> }).collect_view()}
            </ul>
        }
    };
    view! { <AdminFrame title="Posts">{filtered_list("/admin/posts", read, admin_posts, form, list)}</AdminFrame> }
}

/// One post with the staff actions on it.
#[component]
fn ModeratedPost(post: AdminPost, now: i64) -> impl IntoView {
    let session = use_session();
    let id = post.id;
    let author = post.author.clone();
    let current = RwSignal::new(Some(post));
    let reason = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<ApiError>);
    let run = move |action: PostAction| {
        session.run(problem, move || act_on_post(id, action.clone()), move |after| current.set(after));
    };

    view! {
        <li class="admin-post" data-post=id.0>
            <p class="notice">
                <a href=format!("/admin/users/{}", author.id)>{author.display_name} " @" {author.handle}</a>
                " · #" {id.0} " · " {move || current.with(|p| p.as_ref().map(|p| when::age(p.created_at, now)))}
            </p>
            {move || match current.get() {
                None => view! { <p class="notice" role="status">"Deleted."</p> }.into_any(),
                Some(p) => view! {
                    <p class="body">{p.body.clone()}</p>
                    {match p.hidden {
                        Some(h) => view! {
                            <p class="badge hidden">"Hidden " {when::absolute(h.at)} ": " {h.reason}</p>
                            <button on:click=move |_| run(PostAction::Unhide)>"Show again"</button>
                        }.into_any(),
                        None => view! {
                            <form class="hide-form" method="post" on:submit=move |ev| {
                                ev.prevent_default();
                                run(PostAction::Hide { reason: reason.get_untracked() });
                            }>
                                <label>"Reason" <input name="reason" bind:value=reason required /></label>
                                <button type="submit">"Hide"</button>
                            </form>
                        }.into_any(),
                    }}
                    <button class="danger" on:click=move |_| run(PostAction::Delete)>"Delete"</button>
                }.into_any(),
            }}
            {action_problem(problem)}
        </li>
    }
}
