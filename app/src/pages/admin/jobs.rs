//! `/admin/jobs`: the job queue by state, with each job's last error, and retrying.

use super::{action_problem, filtered_list, text, AdminFrame, AdminTable};
use crate::api::admin::{admin_jobs, retry_job};
use crate::session::use_session;
use crate::when;
use leptos::prelude::*;
use leptos_router::params::ParamsMap;
use shared::admin::{JobFilter, JobRecord, Page};
use shared::ApiError;

#[component]
pub fn AdminJobsPage() -> impl IntoView {
    let read = |q: &ParamsMap| JobFilter { state: text(q, "state"), cursor: text(q, "cursor") };
    let form = |f: JobFilter| {
        let state = f.state.unwrap_or_default();
        view! {
            <label>
                "State"
                <select name="state">
                    {["", "queued", "failed", "running", "done", "dead"].into_iter().map(|s| view! {
                        <option value=s selected=s == state>{if s.is_empty() { "Any" } else { s }}</option>
                    }).collect_view()}
                </select>
            </label>
        }
    };
    let list = |page: Page<JobRecord>| {
        let now = page.now;
        view! {
            <AdminTable head=&["Job", "State", "Attempts", "Due", "Last error", ""]>
                {page.items.into_iter().map(|job| view! { <JobRow job now /> }).collect_view()}
            </AdminTable>
        }
    };
    view! { <AdminFrame title="Jobs">{filtered_list("/admin/jobs", read, admin_jobs, form, list)}</AdminFrame> }
}

#[component]
fn JobRow(job: JobRecord, now: i64) -> impl IntoView {
    let session = use_session();
    let id = job.id;
    let current = RwSignal::new(job);
    let problem = RwSignal::new(None::<ApiError>);
    let retry = move |_| session.run(problem, move || retry_job(id), move |job| current.set(job));
    let retryable =
        move || current.with(|j| j.state == "dead" || (j.state == "queued" && j.last_error.is_some()));
    view! {
        <tr data-job=id.0>
            <td>"#" {id.0} " " {move || current.with(|j| j.kind.clone())}</td>
            <td>{move || current.with(|j| j.state.clone())}</td>
            <td>{move || current.with(|j| format!("{}/{}", j.attempts, j.max_attempts))}</td>
            <td>{move || current.with(|j| when::absolute(j.run_at))} <span class="notice">" (created " {when::age(current.with_untracked(|j| j.created_at), now)} ")"</span></td>
            <td class="error-text">{move || current.with(|j| j.last_error.clone())}</td>
            <td>
                <Show when=retryable>
                    <button on:click=retry>"Retry"</button>
                </Show>
                {action_problem(problem)}
            </td>
        </tr>
    }
}
