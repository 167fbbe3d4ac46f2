//! Security headers: on every response, and a nonce-based CSP on every page.

use crate::common;

use common::TestApp;
use http::header;
use std::time::Duration;

#[tokio::test]
async fn every_response_carries_the_basic_headers() {
    let app = TestApp::new().await;
    for res in [app.get("/", None).await, app.api("GET", "/api/v1/posts", None, None).await] {
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(res.headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(res.headers["cross-origin-opener-policy"], "same-origin");
    }
}

/// A page's CSP, checked, and its nonce, checked to be on every inline script.
fn checked_nonce(path: &str, res: &common::TestResponse) -> String {
    let csp = res.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap();
    assert!(nonce.len() >= 16, "{csp}");
    for directive in ["'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]
    {
        assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = res.text();
    let scripts: Vec<&str> = html.split("<script").skip(1).map(|s| &s[..s.find('>').unwrap()]).collect();
    assert!(!scripts.is_empty());
    for attrs in scripts {
        assert!(attrs.contains(&format!("nonce=\"{nonce}\"")), "{path}: <script{attrs}>");
    }
    nonce.to_owned()
}

#[tokio::test]
async fn pages_have_a_strict_csp_whose_nonce_is_on_their_scripts() {
    // Rendered for every request, and shared from the anonymous page cache: a fresh nonce per
    // response either way, on the header and every script alike.
    for cache in [Duration::ZERO, Duration::from_secs(60)] {
        let app = TestApp::with(|c| c.page_cache = cache).await;
        for path in ["/", "/login", "/no-such-page"] {
            let first = checked_nonce(path, &app.get(path, None).await);
            let again = app.get(path, None).await;
            let second = checked_nonce(path, &again);
            assert_ne!(first, second, "{path}, cache {cache:?}");
            assert!(!again.text().contains(&first), "{path}: the shared copy kept the old nonce");
        }
    }
}

#[tokio::test]
async fn unknown_hosts_are_refused_when_hosts_are_configured() {
    let app = TestApp::with(|c| c.allowed_hosts = vec!["mublog.example".into()]).await;
    let req = |host: &str| {
        http::Request::builder()
            .uri("/api/v1/posts")
            .header(header::HOST, host)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    assert_eq!(app.send(req("mublog.example")).await.status, http::StatusCode::OK);
    let res = app.send(req("evil.example")).await;
    assert_eq!(res.status, http::StatusCode::BAD_REQUEST);
    assert_eq!(res.error_code(), "bad_request");
}

#[tokio::test]
async fn hsts_only_when_configured() {
    let plain = TestApp::new().await;
    assert!(plain.get("/", None).await.headers.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let tls = TestApp::with(|c| c.hsts = true).await;
    let res = tls.get("/", None).await;
    assert_eq!(res.headers[header::STRICT_TRANSPORT_SECURITY], "max-age=63072000; includeSubDomains");
}

/// Pages and API answers go out compressed (brotli or gzip, as the client accepts), and come
/// back whole; answers that carry tokens never are (BREACH).
#[tokio::test]
async fn answers_are_compressed_except_those_carrying_tokens() {
    use std::io::Read;
    let (app, [user]) = TestApp::with_users(["ada@example.com"]).await;
    app.create_post(&user, "compressible ".repeat(20).trim()).await;
    let get = |path: &str, encoding: &str| {
        http::Request::builder()
            .uri(path)
            .header(header::HOST, "127.0.0.1:3000")
            .header(header::ACCEPT_ENCODING, encoding)
            .body(axum::body::Body::empty())
            .unwrap()
    };

    let page = app.send(get("/", "gzip, br")).await;
    assert_eq!(page.headers[header::CONTENT_ENCODING], "br");
    let mut html = String::new();
    brotli_decompressor::Decompressor::new(&page.body[..], 4096).read_to_string(&mut html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("compressible compressible"), "{html}");

    let list = app.send(get("/api/v1/posts", "gzip")).await;
    assert_eq!(list.headers[header::CONTENT_ENCODING], "gzip");
    let mut json = String::new();
    flate2::read::GzDecoder::new(&list.body[..]).read_to_string(&mut json).unwrap();
    assert!(json.contains("compressible"), "{json}");

    let token = http::Request::builder()
        .method("POST")
        .uri("/api/v1/token")
        .header(header::HOST, "127.0.0.1:3000")
        .header(header::ACCEPT_ENCODING, "gzip, br")
        .header(header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(
            serde_json::json!({ "email": "ada@example.com", "password": common::PASSWORD }).to_string(),
        ))
        .unwrap();
    let token = app.send(token).await;
    assert_eq!(token.status, http::StatusCode::OK, "{}", token.text());
    assert!(token.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(token.json()["access_token"].is_string());
}
