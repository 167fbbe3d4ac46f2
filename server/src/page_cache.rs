//! A short-lived cache (one second by default) of the pages and API reads anonymous readers
//! get. Rendering the feed costs about a millisecond of CPU (Leptos builds and drops a reactive
//! tree for every post), and a list from the API several database round trips; a public feed
//! is read far more than it changes, and every anonymous reader of `/` gets the same answer. So
//! each is made at most once a second per instance, and a burst of readers shares it.
//!
//! Only what is the same for everyone is kept: GET requests without a session (no refresh
//! cookie, no `Authorization`), answered 200 with HTML or JSON, no cookie set and nothing that
//! forbids storing it. Each copy of a page is sent with a fresh CSP nonce, so no two answers
//! share one.
//! Signed-in readers always get a fresh render, so their own changes show at once; anonymous
//! readers see them within a second.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// At most this many bytes of pages are kept (the key space is the URLs readers ask for, so it
/// must be bounded).
const CAPACITY_BYTES: u64 = 8 << 20;
/// A page longer than this is not kept (pages are a few tens of KB).
const MAX_PAGE_BYTES: usize = 1 << 20;

#[derive(Clone)]
pub struct PageCache {
    pages: Arc<quick_cache::sync::Cache<String, Arc<Page>, PageBytes>>,
    /// How long a rendered page is served to anonymous readers.
    fresh_for: Duration,
}

struct Page {
    rendered_at: Instant,
    headers: HeaderMap,
    body: Bytes,
    /// The CSP nonce a page was rendered with, replaced in every copy (JSON has none).
    nonce: Option<String>,
}

#[derive(Clone)]
struct PageBytes;

impl quick_cache::Weighter<String, Arc<Page>> for PageBytes {
    fn weight(&self, key: &String, page: &Arc<Page>) -> u64 {
        (key.len() + page.body.len()) as u64
    }
}

impl PageCache {
    pub fn new(fresh_for: Duration) -> Self {
        // quick_cache wants an estimate of the number of items: pages average ~20 KB.
        let estimated_pages = (CAPACITY_BYTES / 20_000) as usize;
        let pages = quick_cache::sync::Cache::with_weighter(estimated_pages, CAPACITY_BYTES, PageBytes);
        PageCache { pages: Arc::new(pages), fresh_for }
    }
}

pub async fn serve(State(cache): State<PageCache>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET
        || req.headers().contains_key(header::AUTHORIZATION)
        || crate::cache_policy::carries_session(&req)
    {
        return next.run(req).await;
    }
    // JSON is shared only for the public API's reads: probes and the like must see the present.
    let public_api = req.uri().path().starts_with("/api/v1/");
    let key = req.uri().to_string();
    if let Some(page) = cache.pages.get(&key).filter(|page| page.rendered_at.elapsed() < cache.fresh_for) {
        return page.answer();
    }
    let response = next.run(req).await;
    let Some(nonce) = storable(&response, public_api) else { return response };
    let (parts, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!("page not sent: {e}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if nonce.is_some() && std::str::from_utf8(&body).is_err() {
        return Response::from_parts(parts, Body::from(body));
    }
    let mut headers = parts.headers.clone();
    headers.remove(header::CONTENT_LENGTH);
    let page = Arc::new(Page { rendered_at: Instant::now(), headers, body: body.clone(), nonce });
    cache.pages.insert(key, page);
    Response::from_parts(parts, Body::from(body))
}

/// Whether a response may be shared: a 200 that sets no cookie and does not forbid storing,
/// either JSON from the public API or an HTML page with a nonce in its CSP (which is returned).
fn storable(response: &Response, public_api: bool) -> Option<Option<String>> {
    let headers = response.headers();
    let media_type =
        |prefix: &[u8]| headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(prefix));
    let private = headers
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("private") || v.contains("no-store"));
    if response.status() != StatusCode::OK || private || headers.contains_key(header::SET_COOKIE) {
        return None;
    }
    if media_type(b"application/json") {
        return public_api.then_some(None);
    }
    if !media_type(b"text/html") {
        return None;
    }
    let csp = headers.get(header::CONTENT_SECURITY_POLICY)?.to_str().ok()?;
    let start = csp.find("'nonce-")? + "'nonce-".len();
    let len = csp[start..].find('\'')?;
    let nonce = &csp[start..start + len];
    (nonce.len() >= 16).then(|| Some(nonce.to_owned()))
}

impl Page {
    /// A copy of this answer; a page gets a nonce of its own.
    fn answer(&self) -> Response {
        let mut headers = self.headers.clone();
        let body = match &self.nonce {
            None => self.body.clone(),
            Some(old) => {
                // As Leptos makes them: 128 random bits, URL-safe base64.
                let nonce =
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
                let csp = headers.get(header::CONTENT_SECURITY_POLICY).and_then(|v| v.to_str().ok());
                if let Some(csp) = csp.and_then(|csp| HeaderValue::from_str(&csp.replace(old, &nonce)).ok()) {
                    headers.insert(header::CONTENT_SECURITY_POLICY, csp);
                }
                // Stored only if it was UTF-8.
                Bytes::from(String::from_utf8_lossy(&self.body).replace(old, &nonce))
            }
        };
        let mut response = Response::new(Body::from(body));
        *response.headers_mut() = headers;
        response
    }
}
