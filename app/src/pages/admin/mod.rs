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

use crate::api::resource::{load, Loaded};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::params::ParamsMap;
use serde::{de::DeserializeOwned, Serialize};
use shared::admin::Page;
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

/// A filtered list: the filter form (`form` draws its fields for the filter in the URL), then
/// the page `fetch` loads for that filter (drawn by `list`) and the link to the next page.
fn filtered_list<F, T, Fut, Fields, List>(
    action: &'static str,
    read: impl Fn(&ParamsMap) -> F + Copy + Send + Sync + 'static,
    fetch: impl Fn(F) -> Fut + Send + Sync + 'static,
    form: impl Fn(F) -> Fields + Send + Sync + 'static,
    list: impl Fn(Page<T>) -> List + Copy + Send + Sync + 'static,
) -> impl IntoView
where
    F: PartialEq + Clone + Send + Sync + 'static,
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + Send + 'static,
    Fields: IntoView + 'static,
    List: IntoView + 'static,
{
    let query = use_query_map();
    let filter = move || read(&query.read());
    let page = load(filter, fetch);
    view! {
        {move || {
            let fields = form(filter());
            view! { <FilterForm action>{fields}</FilterForm> }
        }}
        {loaded(page, move |page| {
            let next = page.next_cursor.clone();
            view! { {list(page)} {next_page(next)} }
        })}
    }
}

/// A list page's filter form: a GET to the page itself, so every filtered view is a link.
#[component]
fn FilterForm(action: &'static str, children: Children) -> impl IntoView {
    view! {
        <form class="filters" method="get" action=action role="search">
            {children()}
            <button type="submit">"Filter"</button>
        </form>
    }
}

/// An admin table, scrolling sideways on narrow screens: its column heads, then its rows.
#[component]
fn AdminTable(
    head: &'static [&'static str],
    #[prop(optional)] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class=format!("admin-table {class}").trim_end().to_owned()>
                <thead><tr>{head.iter().map(|h| view! { <th>{*h}</th> }).collect_view()}</tr></thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// A list of `items` drawn by `item`, or `empty` when there are none.
fn list_or<T, V: IntoView + 'static>(
    class: &'static str,
    items: Vec<T>,
    empty: &'static str,
    item: impl Fn(T) -> V,
) -> AnyView {
    if items.is_empty() {
        return view! { <p class="notice">{empty}</p> }.into_any();
    }
    view! { <ul class=class>{items.into_iter().map(item).collect_view()}</ul> }.into_any()
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

/// The last refusal of an action, where screen readers announce it.
fn action_problem(problem: RwSignal<Option<ApiError>>) -> impl IntoView {
    view! { <p class="error" role="alert">{move || problem.get().map(|e| e.message)}</p> }
}
