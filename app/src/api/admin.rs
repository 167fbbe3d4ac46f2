//! `/api/admin/*`: the staff admin. Reads accept the access token or, for server-rendered admin
//! pages, the refresh cookie; changes accept only the access token. Both check that the caller
//! is active staff before the domain is asked anything.

use crate::client::AuthClient;
use leptos::prelude::*;
use shared::admin::{
    AdminPost, AdminUser, AdminUserDetail, AuditRecord, JobFilter, JobRecord, Page, PostAction, PostFilter,
    RequestFilter, RequestRecord, RequestStats, StatsWindow, UserAction, UserFilter,
};
use shared::json::Json;
use shared::{ApiError, JobId, PostId, UserId};

#[cfg(feature = "ssr")]
use super::request::*;

#[server(endpoint = "admin/users", input = Json, output = Json, client = AuthClient)]
pub async fn admin_users(#[server(flatten)] filter: UserFilter) -> Result<Page<AdminUser>, ApiError> {
    Ok(mublog()?.admin_users(staff_reader().await?, &filter).await?)
}

#[server(endpoint = "admin/account", input = Json, output = Json, client = AuthClient)]
pub async fn admin_account(id: UserId) -> Result<AdminUserDetail, ApiError> {
    Ok(mublog()?.admin_user(staff_reader().await?, id).await?)
}

#[server(endpoint = "admin/user/act", input = Json, output = Json, client = AuthClient)]
pub async fn act_on_user(id: UserId, action: UserAction) -> Result<AdminUser, ApiError> {
    Ok(mublog()?.act_on_user(require_staff().await?, id, action).await?)
}

#[server(endpoint = "admin/posts", input = Json, output = Json, client = AuthClient)]
pub async fn admin_posts(#[server(flatten)] filter: PostFilter) -> Result<Page<AdminPost>, ApiError> {
    Ok(mublog()?.admin_posts(staff_reader().await?, &filter).await?)
}

/// Hides, shows or deletes a post; answers the post as it now is (`null` once deleted).
#[server(endpoint = "admin/post/act", input = Json, output = Json, client = AuthClient)]
pub async fn act_on_post(id: PostId, action: PostAction) -> Result<Option<AdminPost>, ApiError> {
    Ok(mublog()?.act_on_post(require_staff().await?, id, action).await?)
}

#[server(endpoint = "admin/requests", input = Json, output = Json, client = AuthClient)]
pub async fn admin_requests(
    #[server(flatten)] filter: RequestFilter,
) -> Result<Page<RequestRecord>, ApiError> {
    Ok(mublog()?.admin_requests(staff_reader().await?, &filter).await?)
}

#[server(endpoint = "admin/requests/stats", input = Json, output = Json, client = AuthClient)]
pub async fn admin_request_stats(window: StatsWindow) -> Result<RequestStats, ApiError> {
    Ok(mublog()?.request_stats(staff_reader().await?, window).await?)
}

#[server(endpoint = "admin/jobs", input = Json, output = Json, client = AuthClient)]
pub async fn admin_jobs(#[server(flatten)] filter: JobFilter) -> Result<Page<JobRecord>, ApiError> {
    Ok(mublog()?.admin_jobs(staff_reader().await?, &filter).await?)
}

#[server(endpoint = "admin/jobs/retry", input = Json, output = Json, client = AuthClient)]
pub async fn retry_job(id: JobId) -> Result<JobRecord, ApiError> {
    Ok(mublog()?.retry_job(require_staff().await?, id).await?)
}

#[server(endpoint = "admin/audit", input = Json, output = Json, client = AuthClient)]
pub async fn audit_trail(#[server(default)] cursor: Option<String>) -> Result<Page<AuditRecord>, ApiError> {
    Ok(mublog()?.audit_trail(staff_reader().await?, cursor.as_deref()).await?)
}
