//! `/admin/requests` (the request log: status counts, the slowest requests, filtered lists) and
//! `/admin`, the overview, which shows the last hour's counts.

use super::{filtered_list, loaded, text, AdminFrame, AdminTable};
use crate::api::admin::{admin_request_stats, admin_requests};
use crate::api::resource::load;
use crate::when;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;
use shared::admin::{RequestFilter, RequestRecord, RequestStats, StatsWindow};

#[component]
pub fn AdminHome() -> impl IntoView {
    let stats = load(|| (), |_| admin_request_stats(StatsWindow::Hour));
    view! {
        <AdminFrame title="Overview">
            {loaded(stats, |stats| view! {
                <p>"Users, posts, the request log, background jobs and the audit trail of every staff action: pick a section above."</p>
                {status_counts(&stats)}
            })}
        </AdminFrame>
    }
}

#[component]
pub fn AdminRequestsPage() -> impl IntoView {
    let query = use_query_map();
    let window = move || match query.read().get_str("window") {
        Some("day") => StatsWindow::Day,
        _ => StatsWindow::Hour,
    };
    let stats = load(window, admin_request_stats);
    let read = |q: &ParamsMap| RequestFilter {
        path: text(q, "path"),
        route: text(q, "route"),
        method: text(q, "method"),
        status: text(q, "status"),
        user: text(q, "user"),
        from: text(q, "from"),
        until: text(q, "until"),
        cursor: text(q, "cursor"),
    };
    let form = |f: RequestFilter| {
        let field = |label: &'static str, name: &'static str, value: Option<String>, hint: &'static str| {
            view! {
                <label>{label} <input name=name value=value.unwrap_or_default() placeholder=hint /></label>
            }
        };
        view! {
            {field("Path", "path", f.path, "/api/v1/posts")}
            {field("Route", "route", f.route, "/api/v1/posts/{id}")}
            {field("Method", "method", f.method, "GET")}
            {field("Status", "status", f.status, "500")}
            {field("User", "user", f.user, "Handle or id")}
            <label>"From (UTC)" <input type="datetime-local" name="from" value=f.from.unwrap_or_default() /></label>
            <label>"Until (UTC)" <input type="datetime-local" name="until" value=f.until.unwrap_or_default() /></label>
        }
    };
    let log = filtered_list("/admin/requests", read, admin_requests, form, |page| requests_table(page.items));

    view! {
        <AdminFrame title="Requests">
            <p class="admin-tabs">
                <a href="/admin/requests" aria-current=move || (window() == StatsWindow::Hour).then_some("page")>"Last hour"</a>
                <a href="/admin/requests?window=day" aria-current=move || (window() == StatsWindow::Day).then_some("page")>"Last day"</a>
            </p>
            {loaded(stats, |stats| view! {
                {status_counts(&stats)}
                <h2>"Slowest"</h2>
                {requests_table(stats.slowest)}
            })}
            <h2>"Log"</h2>
            {log}
        </AdminFrame>
    }
}

fn status_counts(stats: &RequestStats) -> impl IntoView {
    let window = match stats.window {
        StatsWindow::Hour => "the last hour",
        StatsWindow::Day => "the last day",
    };
    let total: i64 = stats.statuses.iter().map(|(_, n)| n).sum();
    view! {
        <h2>"Requests in " {window} ": " {total}</h2>
        <ul class="status-counts">
            {stats.statuses.iter().map(|(status, count)| view! {
                <li><a href=format!("/admin/requests?status={status}")>{*status}</a> " " {*count}</li>
            }).collect_view()}
        </ul>
    }
}

fn requests_table(rows: Vec<RequestRecord>) -> impl IntoView {
    view! {
        <AdminTable head=&["When", "Request", "Status", "Time", "User", "Client"] class="requests">
            {rows.into_iter().map(|RequestRecord { entry: r, .. }| view! {
                <tr>
                    <td><time datetime=when::iso(r.at)>{when::absolute(r.at)}</time></td>
                    <td title=r.route.clone()>{r.method} " " {r.path}</td>
                    <td>{r.status}</td>
                    <td>{format!("{:.1} ms", r.duration_us as f64 / 1000.0)}</td>
                    <td>{r.user_id.map(|id| view! { <a href=format!("/admin/users/{id}")>"#" {id.0}</a> })}</td>
                    <td title=r.user_agent>{r.client_ip}</td>
                </tr>
            }).collect_view()}
        </AdminTable>
    }
}
