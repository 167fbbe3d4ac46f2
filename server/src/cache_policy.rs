//! What browsers and the service worker may keep. A page or API answer for a signed-in reader
//! (one whose request carries the refresh cookie), and every admin or settings page, is
//! `Cache-Control: private, no-store`: it holds someone's data, so neither the browser's cache
//! nor the service worker stores it (`sw.js` honours `no-store`).

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue};

/// Paths whose answers are never personal and may be cached as the handler says.
fn public_file(path: &str) -> bool {
    matches!(path, "/sw.js" | "/favicon.svg" | "/manifest.webmanifest")
        || ["/pkg/", "/media/", "/icons/", "/vendor/"].iter().any(|p| path.starts_with(p))
}

/// Pages that only make sense for one account.
fn private_page(path: &str) -> bool {
    ["/admin", "/settings"]
        .iter()
        .any(|p| path.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with('/')))
}

/// Whether the request carries the refresh cookie, or a session of the proxy (see
/// `session_proxy`): either personalises pages.
pub(crate) fn carries_session(req: &Request) -> bool {
    req.extensions().get::<domain::Caller>().is_some()
        || req.headers().get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|line| {
            line.split(';')
                .filter_map(|c| c.trim().split_once('='))
                .any(|(name, _)| app::api::request::REFRESH_COOKIE_NAMES.contains(&name))
        })
}

pub async fn private_when_personal(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let personal = !public_file(path) && (private_page(path) || carries_session(&req));
    let mut response = next.run(req).await;
    if personal {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal_pages_are_told_apart_from_files() {
        assert!(private_page("/admin") && private_page("/admin/users") && private_page("/settings/sessions"));
        assert!(!private_page("/administrator") && !private_page("/"));
        assert!(public_file("/pkg/mublog.abc.wasm") && !public_file("/api/v1/posts"));
    }
}
