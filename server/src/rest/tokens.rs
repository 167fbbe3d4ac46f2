//! Token endpoints for clients without a cookie jar: the same sign-in, rotation, reuse
//! detection and revocation as the browser's cookie flow, with the refresh token in the body.

use super::docs::refusals::{Invalid, Malformed, NotJson, TooLarge};
use super::extract::{Json, ThisDevice};
use super::RestResult;
use axum::extract::State;
use axum::http::StatusCode;
use domain::Mublog;
use shared::{ApiError, AuthResponse, ErrorCode, LoginRequest, RefreshTokenRequest, TokenResponse};

fn pair(auth: AuthResponse, refresh_token: String) -> axum::Json<TokenResponse> {
    axum::Json(TokenResponse {
        access_token: auth.access_token,
        refresh_token,
        token_type: auth.token_type,
        expires_in: auth.expires_in,
    })
}

#[utoipa::path(post, path = "/token", tag = "auth", request_body = LoginRequest,
    responses((status = 200, description = "A new token pair", body = TokenResponse), (status = 401, description = "Wrong email or password", body = ApiError), (status = 429, description = "Too many attempts", body = ApiError, headers(("Retry-After" = u64, description = "Seconds to wait"))), Malformed, TooLarge, NotJson, Invalid))]
/// Sign in: trade email and password for an access and a refresh token.
pub async fn issue(
    State(app): State<Mublog>,
    ThisDevice(device): ThisDevice,
    Json(creds): Json<LoginRequest>,
) -> RestResult<axum::Json<TokenResponse>> {
    let signed_in = app.login(creds, &device).await?;
    Ok(pair(signed_in.response, signed_in.refresh_token))
}

#[utoipa::path(post, path = "/token/refresh", tag = "auth", request_body = RefreshTokenRequest,
    responses((status = 200, description = "A rotated token pair", body = TokenResponse), (status = 401, description = "Unknown, expired, revoked or reused token (reuse revokes the whole sign-in)", body = ApiError), (status = 409, description = "Conflict", body = ApiError), Malformed, TooLarge, NotJson, Invalid))]
/// Rotate a refresh token. Each refresh token works once.
pub async fn refresh(
    State(app): State<Mublog>,
    headers: http::HeaderMap,
    Json(req): Json<RefreshTokenRequest>,
) -> RestResult<axum::Json<TokenResponse>> {
    let refreshed = app.refresh(&req.refresh_token, app::api::request::from_browser(&headers)).await?;
    match refreshed.rotated {
        Some((token, _expires_at)) => Ok(pair(refreshed.response, token)),
        // A concurrent request from the same browser rotated this token a moment ago and holds
        // the new one; this one must use that response instead. (Non-browser clients get no
        // grace: for them a second presentation is reuse.)
        None => Err(ApiError::new(
            ErrorCode::Conflict,
            "This refresh token was just rotated by a concurrent request; use the token it returned.",
        )
        .into()),
    }
}

/// Always 204, known token or not (as RFC 7009 asks), so it reveals nothing.
#[utoipa::path(post, path = "/token/revoke", tag = "auth", request_body = RefreshTokenRequest,
    responses((status = 204, description = "Revoked (also for unknown tokens)"), Malformed, TooLarge, NotJson, Invalid))]
/// Sign out: revoke the sign-in a refresh token belongs to.
pub async fn revoke(
    State(app): State<Mublog>,
    Json(req): Json<RefreshTokenRequest>,
) -> RestResult<StatusCode> {
    app.logout(&req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
