//! `/admin/audit`: every staff action, newest first.

use super::{loaded, next_page, text, AdminFrame, AdminTable};
use crate::api::admin::audit_trail;
use crate::api::resource::load;
use crate::when;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    let query = use_query_map();
    let page = load(move || text(&query.read(), "cursor"), audit_trail);

    view! {
        <AdminFrame title="Audit trail">
            {loaded(page, |page| view! {
                <AdminTable head=&["When", "Who", "What", "Target", "Detail"] class="audit">
                    {page.items.into_iter().map(|a| {
                        let target = match a.target_type.as_str() {
                            "user" => view! { <a href=format!("/admin/users/{}", a.target_id)>"user #" {a.target_id}</a> }.into_any(),
                            other => view! { {other.to_owned()} " #" {a.target_id} }.into_any(),
                        };
                        view! {
                            <tr>
                                <td><time datetime=when::iso(a.at)>{when::absolute(a.at)}</time></td>
                                <td>{a.actor.map(|u| format!("@{}", u.handle)).unwrap_or_else(|| "(deleted account)".into())}</td>
                                <td class="action">{a.action}</td>
                                <td>{target}</td>
                                <td>{a.detail}</td>
                            </tr>
                        }
                    }).collect_view()}
                </AdminTable>
                {next_page(page.next_cursor)}
            })}
        </AdminFrame>
    }
}
