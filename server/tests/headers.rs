//! Security headers: on every response, and a nonce-based CSP on every page.

mod common;

use common::TestApp;
use http::header;

#[tokio::test]
async fn every_response_carries_the_basic_headers() {
    let app = TestApp::new().await;
    for res in [app.get("/", None).await, app.api("GET", "/api/v1/posts", None, None).await] {
        assert_eq!(res.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(res.headers[header::REFERRER_POLICY], "same-origin");
        assert_eq!(res.headers["cross-origin-opener-policy"], "same-origin");
    }
}

#[tokio::test]
async fn pages_have_a_strict_csp_whose_nonce_is_on_their_scripts() {
    let app = TestApp::new().await;
    for path in ["/", "/login", "/no-such-page"] {
        let res = app.get(path, None).await;
        let csp = res.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
        let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).unwrap();
        assert!(nonce.len() >= 16, "{csp}");
        for directive in
            ["'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"]
        {
            assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let html = res.text();
        // Every inline script carries this response's nonce.
        let scripts: Vec<&str> = html.split("<script").skip(1).map(|s| &s[..s.find('>').unwrap()]).collect();
        assert!(!scripts.is_empty());
        for attrs in scripts {
            assert!(attrs.contains(&format!("nonce=\"{nonce}\"")), "{path}: <script{attrs}>");
        }
        // A fresh nonce per response.
        let again = app.get(path, None).await.headers[header::CONTENT_SECURITY_POLICY].clone();
        assert_ne!(again.to_str().unwrap(), csp);
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
