//! Mockup sessions for development behind the DjaoDjin proxy, as deployutils'
//! `MOCKUP_SESSIONS`: `/login` lists the sessions of the file `MUBLOG_MOCKUP_SESSIONS` names
//! and signs in as any of them, with any password, by setting the session cookie exactly as
//! the proxy would. So a developer can try every role without running the proxy.

use crate::dev_mail::escape;
use crate::http_errors::error_response;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use domain::auth::djaodjin::{ProxySession, ProxySessions};
use serde::Deserialize;
use serde_json::{Map, Value};
use shared::{ApiError, ErrorCode};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use tower_cookies::cookie::{time::Duration, SameSite};
use tower_cookies::{Cookie, Cookies};

/// The sessions of the file, by username.
#[derive(Debug, Clone)]
pub struct MockupSessions(Arc<BTreeMap<String, Map<String, Value>>>);

impl MockupSessions {
    /// Reads a JSON object of sessions by username; a session without a `username` takes its
    /// key. Each must read as a session of the proxy.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let sessions: BTreeMap<String, Map<String, Value>> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut named = BTreeMap::new();
        for (name, mut session) in sessions {
            session.entry("username").or_insert_with(|| name.clone().into());
            serde_json::from_value::<ProxySession>(session.clone().into())
                .map_err(|e| format!("{}: the session {name:?} {e}", path.display()))?;
            named.insert(name, session);
        }
        Ok(MockupSessions(Arc::new(named)))
    }
}

#[derive(Deserialize)]
struct MockupLogin {
    /// Any password is taken; the field is there so the form looks like a sign-in.
    username: String,
}

/// `/login` with mockups: the list (GET), or a sign-in (POST) that sets the session cookie and
/// goes to the feed.
pub async fn answer(
    sessions: &ProxySessions,
    mockups: &MockupSessions,
    cookies: Cookies,
    req: Request,
) -> Response {
    if req.method() != http::Method::POST {
        return page(mockups);
    }
    let unknown = || error_response(ApiError::new(ErrorCode::NotFound, "There is no such mockup session."));
    let Ok(Form(login)) = Form::<MockupLogin>::from_request(req, &()).await else {
        return error_response(ApiError::new(ErrorCode::BadRequest, "Post a username."));
    };
    let Some(session) = mockups.0.get(&login.username) else { return unknown() };
    let cookie = Cookie::build((sessions.cookie_name().to_owned(), sessions.cookie_value_for(session)))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax);
    cookies.add(cookie.into());
    tracing::info!(username = %login.username, "signed in with a mockup session");
    Redirect::to("/").into_response()
}

/// `/logout` with mockups: forgets the session cookie, as the proxy's sign-out would.
pub fn sign_out(sessions: &ProxySessions, cookies: Cookies) -> Response {
    let expired = Cookie::build((sessions.cookie_name().to_owned(), "")).path("/").max_age(Duration::ZERO);
    cookies.add(expired.into());
    Redirect::to("/").into_response()
}

fn page(mockups: &MockupSessions) -> Response {
    let items: String = mockups
        .0
        .iter()
        .map(|(name, session)| {
            let roles = session.get("roles").map(Value::to_string).unwrap_or_default();
            format!(
                "<li><form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"username\" \
                 value=\"{name}\"><input type=\"password\" name=\"password\" placeholder=\"any password\" \
                 aria-label=\"Password\"> <button>Sign in as {name}</button></form><code>{roles}</code></li>",
                name = escape(name),
                roles = escape(&roles),
            )
        })
        .collect();
    crate::tool_page(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign in · mublog (mockup sessions)</title></head><body>\
         <h1>Mockup sessions</h1><p>Development behind the DjaoDjin proxy: sign in as any of these \
         sessions, with any password, as the proxy would sign you in.</p><ul>{items}</ul></body></html>"
    ))
}
