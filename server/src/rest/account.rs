//! The signed-in user's devices and password, for API clients (the browser uses the server
//! functions of the sessions and settings pages; both call the same domain methods).

use super::docs::refusals::{Malformed, NotFound, NotJson, TooLarge, Unauthenticated};
use super::extract::{AuthCaller, Id, Json, ThisDevice};
use super::RestResult;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Mublog;
use shared::{ApiError, ChangePasswordRequest, SessionId, SessionList};

#[utoipa::path(get, path = "/me/sessions", tag = "users", security(("bearer" = [])),
    responses((status = 200, description = "Your signed-in devices, most recently used first", body = SessionList), Unauthenticated))]
/// Your signed-in devices.
pub async fn sessions(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
) -> RestResult<axum::Json<SessionList>> {
    Ok(axum::Json(app.sessions(&caller).await?))
}

#[utoipa::path(delete, path = "/me/sessions/{id}", tag = "users", params(("id" = i64, Path, description = "Session id")), security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), Unauthenticated, NotFound))]
/// Sign out one of your devices.
pub async fn revoke_session(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    Id(id): Id<SessionId>,
) -> RestResult<StatusCode> {
    app.revoke_session(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/me/password", tag = "users", request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses((status = 204, description = "Changed"), Unauthenticated, Malformed, TooLarge, NotJson, (status = 422, description = "Wrong current password, or a new one the policy refuses", body = ApiError), (status = 429, description = "Too many attempts", body = ApiError, headers(("Retry-After" = u64, description = "Seconds to wait")))))]
/// Change your password; optionally sign out every other device.
pub async fn change_password(
    State(app): State<Mublog>,
    AuthCaller(caller): AuthCaller,
    ThisDevice(device): ThisDevice,
    Json(req): Json<ChangePasswordRequest>,
) -> RestResult<StatusCode> {
    app.change_password(&caller, req, &device).await?;
    Ok(StatusCode::NO_CONTENT)
}
