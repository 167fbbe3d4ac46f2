//! The request behind a server function (server side only): the domain handle, who is calling,
//! their device and the refresh cookie.

use domain::Mublog;
use http::{header, HeaderMap};
use leptos::prelude::*;
use shared::{ApiError, ErrorCode, Me, UserId};
use tower_cookies::cookie::{time::Duration, SameSite};
use tower_cookies::{Cookie, Cookies};

/// The refresh cookie. `__Host-`: browsers accept it only if it is `Secure`, for the whole
/// site and bound to this host (no `Domain`), so a sibling subdomain cannot plant or shadow it.
pub const REFRESH_COOKIE: &str = "__Host-mublog_refresh";
/// Its name before the `__Host-` prefix: read once, by a refresh, which replaces it.
pub const LEGACY_REFRESH_COOKIE: &str = "mublog_refresh";
pub const REFRESH_COOKIE_NAMES: [&str; 2] = [REFRESH_COOKIE, LEGACY_REFRESH_COOKIE];

pub fn mublog() -> Result<Mublog, ApiError> {
    use_context::<Mublog>().ok_or_else(|| internal("Mublog missing from context"))
}

// These read the request head in place: `leptos_axum::extract` clones all of it (headers and
// every extension) for each value it extracts.

/// The request's headers.
pub fn headers() -> Result<HeaderMap, ApiError> {
    with_context::<http::request::Parts, _>(|parts| parts.headers.clone()).ok_or_else(no_request)
}

/// The request's cookie jar (tower-cookies' layer attached it).
pub fn cookies() -> Result<Cookies, ApiError> {
    request_extension::<Cookies>().ok_or_else(no_request)
}

fn no_request() -> ApiError {
    internal("a server function ran without its request")
}

/// `answer`, sent with `status` instead of 200 (201 for a creation, 202 for a request taken in).
pub fn with_status<T>(status: http::StatusCode, answer: T) -> T {
    expect_context::<leptos_axum::ResponseOptions>().set_status(status);
    answer
}

/// The device of the current server function's caller (its address and user agent), as the
/// server's middleware attached it to the request.
pub fn device() -> domain::Device {
    request_extension::<domain::Device>().unwrap_or_default()
}

/// A value the server's middleware attached to the request.
fn request_extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    with_context::<http::request::Parts, _>(|parts| parts.extensions.get::<T>().cloned()).flatten()
}

fn internal(detail: &str) -> ApiError {
    tracing::error!(detail, "server function setup failed");
    ApiError::new(ErrorCode::Internal, "Something went wrong on our side.")
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    domain::auth::bearer_token(headers.get(header::AUTHORIZATION)?.to_str().ok()?)
}

/// The caller the server already proved for this request: behind the DjaoDjin session proxy,
/// the one its session names (the server's `session_proxy` gate).
fn proxied_caller() -> Option<domain::Caller> {
    request_extension::<domain::Caller>()
}

/// The signed-in caller of a mutation. Mutations accept only the access token, never the
/// cookie, which is what makes them immune to cross-site request forgery.
pub async fn require_caller() -> Result<domain::Caller, ApiError> {
    if let Some(caller) = proxied_caller() {
        return Ok(caller);
    }
    let app = mublog()?;
    let headers = headers()?;
    let token = bearer(&headers).ok_or_else(|| ApiError::from(domain::DomainError::Unauthenticated))?;
    Ok(app.caller(token).await?)
}

/// The signed-in caller, if they are active staff: 401 without a valid access token, 403 for
/// everyone else. Every admin server function starts here.
pub async fn require_staff() -> Result<domain::admin::Staff, ApiError> {
    let caller = require_caller().await?;
    Ok(mublog()?.staff(&caller).await?)
}

/// Staff reading an admin page: as [`viewer`] tells (the access token, or the refresh cookie
/// on a server-rendered page), then checked to be active staff. Reads only.
pub async fn staff_reader() -> Result<domain::admin::Staff, ApiError> {
    if let Some(caller) = proxied_caller() {
        return Ok(mublog()?.staff(&caller).await?);
    }
    let user = viewer().await?.ok_or_else(|| ApiError::from(domain::DomainError::Unauthenticated))?;
    Ok(mublog()?.staff_by_id(user).await?)
}

/// Who is reading, for personalising a page: the access token if one is sent, otherwise the
/// refresh cookie (read, never rotated). Anonymous readers are `None`.
pub async fn viewer() -> Result<Option<UserId>, ApiError> {
    if let Some(caller) = proxied_caller() {
        return Ok(Some(caller.user()));
    }
    let app = mublog()?;
    let headers = headers()?;
    if let Some(token) = bearer(&headers) {
        if let Ok(caller) = app.caller(token).await {
            return Ok(Some(caller.user()));
        }
    }
    Ok(cookie_viewer().await?.map(|me| me.id))
}

/// Who the refresh cookie names (read, never rotated), worked out once per request: a
/// server-rendered page asks twice at once, for the shell's session and for the page's data.
/// The server provides a fresh one to every request.
#[derive(Clone, Default)]
pub struct CookieViewer(std::sync::Arc<tokio::sync::OnceCell<Option<Me>>>);

pub async fn cookie_viewer() -> Result<Option<Me>, ApiError> {
    if let Some(caller) = proxied_caller() {
        let session = request_extension::<domain::auth::djaodjin::ProxySession>();
        return Ok(Some(mublog()?.me_as(&caller, session.as_ref()).await?));
    }
    let (app, cookies) = (mublog()?, cookies()?);
    let memo = use_context::<CookieViewer>().unwrap_or_default();
    let viewer = memo.0.get_or_try_init(|| async move {
        match presented_refresh_token(&cookies) {
            Some(token) => app.viewer_from_refresh(&token).await,
            None => Ok(None),
        }
    });
    Ok(viewer.await?.clone())
}

/// Origins other than the server's own whose pages may use the cookie flow: the configured
/// CORS origins (the Trunk build of the app, served elsewhere).
#[derive(Clone, Default)]
pub struct TrustedOrigins(pub std::sync::Arc<[String]>);

/// Refresh and logout act on the cookie alone, so they must come from our own pages (or a
/// trusted origin): browsers send `Sec-Fetch-Site` and `Origin` on such requests; clients that
/// send neither are not browsers and carry no ambient cookie to abuse.
pub fn reject_cross_site(headers: &HeaderMap) -> Result<(), ApiError> {
    reject_cross_site_but(headers, &use_context::<TrustedOrigins>().unwrap_or_default())
}

/// [`reject_cross_site`], with the trusted origins given rather than from the context.
pub fn reject_cross_site_but(headers: &HeaderMap, trusted: &TrustedOrigins) -> Result<(), ApiError> {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    if origin.is_some_and(|o| trusted.0.iter().any(|t| t == o)) {
        return Ok(());
    }
    let forbidden = || ApiError::new(ErrorCode::Forbidden, "Cross-site requests are not allowed.");
    if let Some(site) = headers.get("sec-fetch-site") {
        if site.as_bytes() != b"same-origin" {
            return Err(forbidden());
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin_host = origin.to_str().ok().and_then(|o| o.split_once("://")).map(|(_, h)| h);
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        if origin_host.is_none() || origin_host != host {
            return Err(forbidden());
        }
    }
    Ok(())
}

/// Whether a request comes from a browser: browsers send `Origin` or `Sec-Fetch-Site` on the
/// requests that refresh (fetches from a page); scripts and API clients send neither.
pub fn from_browser(headers: &HeaderMap) -> bool {
    headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-site")
}

pub fn set_refresh_cookie(cookies: &Cookies, token: String, expires_at: i64) {
    let max_age = expires_at - domain::now();
    let cookie = Cookie::build((REFRESH_COOKIE, token))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(Duration::seconds(max_age.max(0)))
        .build();
    cookies.add(cookie);
    if cookies.get(LEGACY_REFRESH_COOKIE).is_some() {
        clear_cookie(cookies, LEGACY_REFRESH_COOKIE);
    }
}

pub fn clear_refresh_cookie(cookies: &Cookies) {
    clear_cookie(cookies, REFRESH_COOKIE);
    if cookies.get(LEGACY_REFRESH_COOKIE).is_some() {
        clear_cookie(cookies, LEGACY_REFRESH_COOKIE);
    }
}

fn clear_cookie(cookies: &Cookies, name: &'static str) {
    let cookie = Cookie::build((name, ""))
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .path("/")
        .max_age(Duration::ZERO)
        .build();
    cookies.add(cookie);
}

/// The refresh token this browser presents: the cookie, or the one under its pre-`__Host-`
/// name, so the upgrade signs nobody out (the next refresh replaces it). A cookie cleared
/// earlier in this request reads as empty, and is none.
pub fn presented_refresh_token(cookies: &Cookies) -> Option<String> {
    [REFRESH_COOKIE, LEGACY_REFRESH_COOKIE]
        .into_iter()
        .filter_map(|name| cookies.get(name))
        .map(|c| c.value().to_owned())
        .find(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn same_origin_and_non_browser_requests_pass() {
        assert!(reject_cross_site(&headers(&[])).is_ok());
        assert!(reject_cross_site(&headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
            ("sec-fetch-site", "same-origin"),
        ]))
        .is_ok());
    }

    #[test]
    fn cross_site_requests_are_refused() {
        for bad in [
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
            headers(&[("host", "127.0.0.1:3000"), ("origin", "http://evil.example")]),
            headers(&[("host", "127.0.0.1:3000"), ("origin", "null")]),
        ] {
            assert_eq!(reject_cross_site(&bad).unwrap_err().code, ErrorCode::Forbidden);
        }
    }
}
