//! `/api/auth/*`: register, login, refresh and logout. The refresh token only ever travels in
//! the HttpOnly cookie; bodies carry the short-lived access token.

use crate::client::AuthClient;
use leptos::prelude::*;
use shared::json::Json;
use shared::{
    Accepted, ApiError, AuthResponse, ChangePasswordRequest, ForgotPasswordRequest, LoginRequest, Me,
    Organization, RegisterRequest, ResetPasswordRequest, SessionId, SessionList, UpdateMe,
    VerifyEmailRequest,
};

#[cfg(feature = "ssr")]
use super::request::*;

/// Answers 202 with the same body whether or not the email was new (see the domain).
#[server(endpoint = "auth/register", input = Json, output = Json, client = AuthClient)]
pub async fn register(#[server(flatten)] req: RegisterRequest) -> Result<Accepted, ApiError> {
    Ok(with_status(http::StatusCode::ACCEPTED, mublog()?.register(req, &device()).await?))
}

#[server(endpoint = "auth/login", input = Json, output = Json, client = AuthClient)]
pub async fn login(#[server(flatten)] req: LoginRequest) -> Result<AuthResponse, ApiError> {
    reject_cross_site(&headers()?)?;
    let signed_in = mublog()?.login(req, &device()).await?;
    set_refresh_cookie(&cookies()?, signed_in.refresh_token, signed_in.refresh_expires_at);
    Ok(signed_in.response)
}

#[server(endpoint = "auth/refresh", input = Json, output = Json, client = AuthClient)]
pub async fn refresh() -> Result<AuthResponse, ApiError> {
    let headers = headers()?;
    reject_cross_site(&headers)?;
    let cookies = cookies()?;
    let presented =
        presented_refresh_token(&cookies).ok_or_else(|| ApiError::from(domain::DomainError::SessionEnded))?;
    match mublog()?.refresh(&presented, from_browser(&headers)).await {
        Ok(refreshed) => {
            if let Some((token, expires_at)) = refreshed.rotated {
                set_refresh_cookie(&cookies, token, expires_at);
            }
            Ok(refreshed.response)
        }
        // Another tab of this browser refreshed a moment ago and its new cookie is in the jar:
        // refuse this call, but do not clear that cookie.
        Err(e @ domain::DomainError::RefreshGraceSpent) => Err(e.into()),
        Err(e) => {
            // The cookie is dead (expired, revoked or reused): stop the browser sending it.
            clear_refresh_cookie(&cookies);
            Err(e.into())
        }
    }
}

#[server(endpoint = "auth/logout", input = Json, output = Json, client = AuthClient)]
pub async fn logout() -> Result<(), ApiError> {
    reject_cross_site(&headers()?)?;
    let cookies = cookies()?;
    if let Some(presented) = presented_refresh_token(&cookies) {
        mublog()?.logout(&presented).await?;
    }
    clear_refresh_cookie(&cookies);
    Ok(())
}

/// Who the refresh cookie belongs to, without rotating it: lets server-rendered pages show the
/// signed-in state before any JavaScript runs.
#[server(endpoint = "auth/session", input = Json, output = Json, client = AuthClient)]
pub async fn current_user() -> Result<Option<Me>, ApiError> {
    cookie_viewer().await
}

/// Behind the DjaoDjin session proxy, the organizations the caller's session gives them roles
/// on; `None` when mublog signed them in (the settings page shows one or the other).
#[server(endpoint = "auth/organizations", input = Json, output = Json, client = AuthClient)]
pub async fn organizations() -> Result<Option<Vec<Organization>>, ApiError> {
    Ok(cookie_viewer().await?.and_then(|me| me.organizations))
}

/// Confirms an email address with the token from the verification link.
#[server(endpoint = "auth/verify", input = Json, output = Json, client = AuthClient)]
pub async fn verify_email(#[server(flatten)] req: VerifyEmailRequest) -> Result<Me, ApiError> {
    Ok(mublog()?.verify_email(req).await?)
}

#[server(endpoint = "auth/verify/resend", input = Json, output = Json, client = AuthClient)]
pub async fn resend_verification() -> Result<Accepted, ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.resend_verification(&caller).await?)
}

/// Answers 202 with the same body whether or not the email has an account.
#[server(endpoint = "auth/password/forgot", input = Json, output = Json, client = AuthClient)]
pub async fn forgot_password(#[server(flatten)] req: ForgotPasswordRequest) -> Result<Accepted, ApiError> {
    Ok(with_status(http::StatusCode::ACCEPTED, mublog()?.forgot_password(req, &device()).await?))
}

/// Sets a new password with the token from a reset link; every session of the account ends,
/// including this browser's, whose cookie is cleared.
#[server(endpoint = "auth/password/reset", input = Json, output = Json, client = AuthClient)]
pub async fn reset_password(#[server(flatten)] req: ResetPasswordRequest) -> Result<(), ApiError> {
    mublog()?.reset_password(req, &device()).await?;
    clear_refresh_cookie(&cookies()?);
    Ok(())
}

#[server(endpoint = "auth/password/change", input = Json, output = Json, client = AuthClient)]
pub async fn change_password(#[server(flatten)] req: ChangePasswordRequest) -> Result<(), ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.change_password(&caller, req, &device()).await?)
}

#[server(endpoint = "auth/profile", input = Json, output = Json, client = AuthClient)]
pub async fn update_profile(#[server(flatten)] changes: UpdateMe) -> Result<Me, ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.update_me(&caller, changes).await?)
}

/// The caller's signed-in devices.
#[server(endpoint = "auth/sessions", input = Json, output = Json, client = AuthClient)]
pub async fn list_sessions() -> Result<SessionList, ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.sessions(&caller).await?)
}

#[server(endpoint = "auth/sessions/revoke", input = Json, output = Json, client = AuthClient)]
pub async fn revoke_session(id: SessionId) -> Result<(), ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.revoke_session(&caller, id).await?)
}

/// Signs out every device, this one included.
#[server(endpoint = "auth/sessions/revoke_all", input = Json, output = Json, client = AuthClient)]
pub async fn revoke_all_sessions() -> Result<(), ApiError> {
    let caller = require_caller().await?;
    mublog()?.revoke_all_sessions(&caller).await?;
    clear_refresh_cookie(&cookies()?);
    Ok(())
}
