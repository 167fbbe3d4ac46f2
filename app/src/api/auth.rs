//! `/api/auth/*`: register, login, refresh and logout. The refresh token only ever travels in
//! the HttpOnly cookie; bodies carry the short-lived access token.

use crate::session::AuthClient;
use leptos::prelude::*;
use server_fn::codec::Json;
use shared::{ApiError, AuthResponse, LoginRequest, Me, RegisterRequest};

#[cfg(feature = "ssr")]
use super::server::*;

#[server(endpoint = "auth/register", input = Json, output = Json, client = AuthClient)]
pub async fn register(#[server(flatten)] req: RegisterRequest) -> Result<Me, ApiError> {
    let me = mublog()?.register(req, caller_ip()).await?;
    expect_context::<leptos_axum::ResponseOptions>().set_status(http::StatusCode::CREATED);
    Ok(me)
}

#[server(endpoint = "auth/login", input = Json, output = Json, client = AuthClient)]
pub async fn login(#[server(flatten)] req: LoginRequest) -> Result<AuthResponse, ApiError> {
    reject_cross_site(&headers().await?)?;
    let signed_in = mublog()?.login(req, caller_ip()).await?;
    set_refresh_cookie(&cookies().await?, signed_in.refresh_token, signed_in.refresh_expires_at);
    Ok(signed_in.response)
}

#[server(endpoint = "auth/refresh", input = Json, output = Json, client = AuthClient)]
pub async fn refresh() -> Result<AuthResponse, ApiError> {
    reject_cross_site(&headers().await?)?;
    let cookies = cookies().await?;
    let presented =
        cookies.get(REFRESH_COOKIE).ok_or_else(|| ApiError::from(domain::DomainError::SessionEnded))?;
    match mublog()?.refresh(presented.value()).await {
        Ok(refreshed) => {
            if let Some((token, expires_at)) = refreshed.rotated {
                set_refresh_cookie(&cookies, token, expires_at);
            }
            Ok(refreshed.response)
        }
        Err(e) => {
            // The cookie is dead (expired, revoked or reused): stop the browser sending it.
            clear_refresh_cookie(&cookies);
            Err(e.into())
        }
    }
}

#[server(endpoint = "auth/logout", input = Json, output = Json, client = AuthClient)]
pub async fn logout() -> Result<(), ApiError> {
    reject_cross_site(&headers().await?)?;
    let cookies = cookies().await?;
    if let Some(presented) = cookies.get(REFRESH_COOKIE) {
        mublog()?.logout(presented.value()).await?;
    }
    clear_refresh_cookie(&cookies);
    Ok(())
}

/// Who the refresh cookie belongs to, without rotating it: lets server-rendered pages show the
/// signed-in state before any JavaScript runs.
#[server(endpoint = "auth/session", input = Json, output = Json, client = AuthClient)]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    let app = mublog()?;
    match cookies().await?.get(REFRESH_COOKIE) {
        Some(cookie) => Ok(app.viewer_from_refresh(cookie.value()).await?),
        None => Ok(None),
    }
}
