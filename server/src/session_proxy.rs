//! Behind the DjaoDjin session proxy (`MUBLOG_SESSION_PROXY=djaodjin`): the proxy signs people
//! in and forwards each request with their session, as djaodjin-deployutils' middleware expects.
//! A request without a readable session may reach only the paths anonymous readers may
//! (`MUBLOG_ALLOWED_NO_SESSION`), and mublog's own sign-in is off. A readable session becomes
//! the request's [`Caller`], which every adapter (REST, GraphQL, server functions, pages) takes
//! in place of an access token.

use crate::http_errors::error_response;
use app::api::request::{
    clear_refresh_cookie, presented_refresh_token, reject_cross_site_but, TrustedOrigins,
};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::auth::djaodjin::{ProxyPowers, ProxySessions};
use domain::{Caller, Mublog};
use http::header;
use shared::{ApiError, ErrorCode};
use std::sync::Arc;
use tower_cookies::Cookies;

/// What anonymous readers may reach by default: the feed, posts, authors' pages and what they
/// load (assets, pictures, their data and live stream), and the probes.
pub const DEFAULT_ALLOWED_NO_SESSION: &[&str] = &[
    "/",
    "/posts/",
    "/u/",
    "/offline",
    "/media/",
    "/pkg/",
    "/icons/",
    "/favicon.svg",
    "/manifest.webmanifest",
    "/sw.js",
    "/healthz",
    "/readyz",
    "/api/posts/",
    "/api/auth/session",
    "/api/v1/posts",
    "/api/v1/users/",
    "/api/v1/events",
];

/// mublog's own sign-in, tokens, passwords and sessions: the proxy handles these.
const OWN_SIGN_IN: &[&str] = &[
    "/login",
    "/register",
    "/forgot",
    "/reset/",
    "/verify/",
    "/settings/sessions",
    "/api/auth/register",
    "/api/auth/login",
    "/api/auth/refresh",
    "/api/auth/logout",
    "/api/auth/verify",
    "/api/auth/password/",
    "/api/auth/sessions",
    "/api/v1/token",
    "/api/v1/me/password",
    "/api/v1/me/sessions",
];

#[derive(Debug, Clone)]
pub struct SessionProxy {
    pub sessions: ProxySessions,
    pub powers: ProxyPowers,
    /// Development only: sessions `/login` signs in as (`MUBLOG_MOCKUP_SESSIONS`).
    pub mockups: Option<crate::mockup_sessions::MockupSessions>,
    /// Path prefixes as deployutils' `ALLOWED_NO_SESSION`, except `/`, which names the feed
    /// alone (as a prefix it would allow everything).
    pub allowed_no_session: Arc<[String]>,
    /// Where the proxy signs people in; a page load of mublog's own `/login` or `/register`
    /// goes there (without mockups).
    pub login_url: String,
    /// Where the proxy signs people out; mublog's `/logout` sends them there.
    pub logout_url: String,
}

impl SessionProxy {
    fn allows_anonymous(&self, path: &str) -> bool {
        self.allowed_no_session.iter().any(|allowed| matches(allowed, path))
    }
}

fn matches(entry: &str, path: &str) -> bool {
    if entry == "/" {
        path == "/"
    } else {
        path.starts_with(entry)
    }
}

/// The proxy attaches the session to whatever request carries its cookie, so a change (any
/// method but GET, HEAD, OPTIONS, TRACE) must come from the site's own pages or a trusted
/// origin, as mublog's own refresh and sign-out must.
fn same_site_change(req: &Request, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    if req.method().is_safe() {
        return Ok(());
    }
    reject_cross_site_but(req.headers(), trusted)
}

/// The one answer to a request that needs a session and has none that can be read, whatever
/// was wrong with it: telling the cases apart would help forge one.
fn no_session() -> Response {
    error_response(ApiError::new(ErrorCode::Forbidden, "Sign in through the site to see this."))
}

/// Reads the proxy's session. Its `Authorization` header is the proxy's, not an access token
/// of mublog's, so it does not go further.
pub async fn gate(
    State((proxy, mublog, trusted)): State<(Arc<SessionProxy>, Mublog, TrustedOrigins)>,
    cookies: Cookies,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if path == "/logout" {
        return match &proxy.mockups {
            Some(_) => crate::mockup_sessions::sign_out(&proxy.sessions, cookies),
            None => Redirect::to(&proxy.logout_url).into_response(),
        };
    }
    let own_sign_in_page = path == "/login" || path == "/register";
    if own_sign_in_page && proxy.mockups.is_none() && req.method().is_safe() {
        return Redirect::to(&proxy.login_url).into_response();
    }
    if let Some(mockups) = proxy.mockups.as_ref().filter(|_| path == "/login") {
        if let Err(refused) = same_site_change(&req, &trusted) {
            return error_response(refused);
        }
        return crate::mockup_sessions::answer(&proxy.sessions, mockups, cookies, req).await;
    }
    if OWN_SIGN_IN.iter().any(|own| path.starts_with(own)) {
        return error_response(ApiError::new(
            ErrorCode::Conflict,
            "Signing in, passwords and sessions are handled by the site's session proxy.",
        ));
    }
    // A refresh cookie from before the proxy names nobody here: dropped from this request (an
    // emptied cookie is no token) and from the browser, so it cannot personalise a page.
    if presented_refresh_token(&cookies).is_some() {
        clear_refresh_cookie(&cookies);
    }
    let authorization = req.headers_mut().remove(header::AUTHORIZATION);
    let cookie = cookies.get(proxy.sessions.cookie_name());
    let session = proxy.sessions.session(
        authorization.as_ref().and_then(|value| value.to_str().ok()),
        cookie.as_ref().map(|c| c.value()),
    );
    let Some(session) = session else {
        if proxy.allows_anonymous(&path) {
            return next.run(req).await;
        }
        return no_session();
    };
    if let Err(refused) = same_site_change(&req, &trusted) {
        return error_response(refused);
    }
    let caller: Caller = match mublog.proxy_caller(&session, &proxy.powers).await {
        Ok(caller) => caller,
        Err(refused) => return error_response(refused.into()),
    };
    // The caller for every adapter; the session for what `me` shows of it.
    let user = caller.user();
    req.extensions_mut().insert(caller);
    req.extensions_mut().insert(session);
    let mut response = next.run(req).await;
    response.extensions_mut().insert(crate::request_log::ProxiedUser(user));
    response
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn the_root_entry_names_the_feed_alone() {
        assert!(matches("/", "/"));
        assert!(!matches("/", "/admin"));
        assert!(matches("/posts/", "/posts/12"));
        assert!(!matches("/posts/", "/postsecret"));
        assert!(matches("/api/v1/posts", "/api/v1/posts/3/like"));
    }
}
