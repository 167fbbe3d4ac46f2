//! Token endpoints for clients without a cookie jar: the same sign-in, rotation, reuse
//! detection and revocation as the browser's cookie flow, with the refresh token in the body.

use super::extract::Json;
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

pub async fn issue(State(app): State<Mublog>, Json(creds): Json<LoginRequest>) -> RestResult<axum::Json<TokenResponse>> {
    let signed_in = app.login(creds).await?;
    Ok(pair(signed_in.response, signed_in.refresh_token))
}

pub async fn refresh(State(app): State<Mublog>, Json(req): Json<RefreshTokenRequest>) -> RestResult<axum::Json<TokenResponse>> {
    let refreshed = app.refresh(&req.refresh_token).await?;
    match refreshed.rotated {
        Some((token, _expires_at)) => Ok(pair(refreshed.response, token)),
        // A concurrent request rotated this token a moment ago and holds the new one. A cookie
        // jar would receive it anyway; an API client must use that response instead.
        None => Err(ApiError::new(
            ErrorCode::Conflict,
            "This refresh token was just rotated by a concurrent request; use the token it returned.",
        )
        .into()),
    }
}

/// Always 204, known token or not (as RFC 7009 asks), so it reveals nothing.
pub async fn revoke(State(app): State<Mublog>, Json(req): Json<RefreshTokenRequest>) -> RestResult<StatusCode> {
    app.logout(&req.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
