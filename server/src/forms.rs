//! The account forms without JavaScript. Before the WASM has loaded (a slow phone, a password
//! manager submitting at once) or with scripts off, the sign-in, registration, forgot and reset
//! forms post here (`method="post"`, never a GET that would put the password in the URL). Each
//! handler calls the same domain method as the server function, then redirects (303): to where
//! the script would have gone on success, back to the form with an error code otherwise. The
//! page turns the code into a message (`form_post_error` in `app/src/pages/mod.rs`); no text
//! from the request is ever reflected.

use crate::client_addr::device;
use app::api::request::{clear_refresh_cookie, reject_cross_site, set_refresh_cookie};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::Redirect;
use axum::Form;
use domain::{DomainError, Mublog};
use http::request::Parts;
use serde::Deserialize;
use shared::{ApiError, ForgotPasswordRequest, LoginRequest, RegisterRequest, ResetPasswordRequest};
use tower_cookies::Cookies;

#[derive(Deserialize)]
pub struct RegisterForm {
    email: String,
    password: String,
    #[serde(default)]
    display_name: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    password: String,
}

/// Where a form post goes next: on to the next page, or back to the form.
type Posted = Result<Redirect, Redirect>;

/// Back to `form` with the refusal's code, and the names of the fields it concerns.
fn back(form: &str, error: ApiError) -> Redirect {
    let code = serde_json::to_value(error.code).ok().and_then(|v| v.as_str().map(str::to_owned));
    let mut location = format!("{form}?error={}", code.unwrap_or_else(|| "internal".into()));
    let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    if !fields.is_empty() {
        location.push_str("&fields=");
        location.push_str(&fields.join(","));
    }
    Redirect::to(&location)
}

/// The posted form, or back to `form` if the body is not the form we serve (missing fields,
/// another encoding).
fn read<T>(posted: Result<Form<T>, FormRejection>, form: &str) -> Result<T, Redirect> {
    posted.map(|Form(fields)| fields).map_err(|rejection| {
        tracing::info!(%rejection, form, "unreadable form post");
        back(form, ApiError::new(shared::ErrorCode::BadRequest, "unreadable form"))
    })
}

pub async fn login(
    State(app): State<Mublog>,
    cookies: Cookies,
    parts: Parts,
    form: Result<Form<LoginRequest>, FormRejection>,
) -> Posted {
    // As for the server function: no signing a visitor in from another site's form.
    reject_cross_site(&parts.headers).map_err(|e| back("/login", e))?;
    let creds = read(form, "/login")?;
    let signed_in =
        app.login(creds, &device(&parts.extensions)).await.map_err(|e| back("/login", e.into()))?;
    set_refresh_cookie(&cookies, signed_in.refresh_token, signed_in.refresh_expires_at);
    Ok(Redirect::to("/"))
}

pub async fn register(
    State(app): State<Mublog>,
    parts: Parts,
    form: Result<Form<RegisterForm>, FormRejection>,
) -> Posted {
    let form = read(form, "/register")?;
    let name = form.display_name.trim();
    let req = RegisterRequest {
        email: form.email,
        password: form.password,
        display_name: (!name.is_empty()).then(|| name.to_owned()),
    };
    app.register(req, &device(&parts.extensions)).await.map_err(|e| back("/register", e.into()))?;
    Ok(Redirect::to("/login?registered=1"))
}

pub async fn forgot(
    State(app): State<Mublog>,
    parts: Parts,
    form: Result<Form<ForgotPasswordRequest>, FormRejection>,
) -> Posted {
    let req = read(form, "/forgot")?;
    app.forgot_password(req, &device(&parts.extensions)).await.map_err(|e| back("/forgot", e.into()))?;
    Ok(Redirect::to("/forgot?sent=1"))
}

pub async fn reset(
    State(app): State<Mublog>,
    Path(token): Path<String>,
    cookies: Cookies,
    parts: Parts,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Posted {
    // The token goes back into the redirect: it must be one we could have issued.
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Err(back("/forgot", DomainError::InvalidLink.into()));
    }
    let here = format!("/reset/{token}");
    let form = read(form, &here)?;
    let req = ResetPasswordRequest { token, password: form.password };
    app.reset_password(req, &device(&parts.extensions)).await.map_err(|e| back(&here, e.into()))?;
    clear_refresh_cookie(&cookies);
    Ok(Redirect::to("/login?reset=1"))
}
