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
