//! The OpenAPI document is generated from the code and covers every REST endpoint.

use crate::common;

use common::TestApp;
use http::StatusCode;

#[tokio::test]
async fn openapi_document_covers_every_endpoint() {
    let app = TestApp::new().await;
    let res = app.api("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(res.status, StatusCode::OK);
    let doc = res.json();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    let expected = [
        ("/posts", vec!["get", "post"]),
        ("/posts/{id}", vec!["get", "patch", "delete"]),
        ("/posts/{id}/like", vec!["put", "delete"]),
        ("/users/{id}", vec!["get"]),
        ("/users/{id}/posts", vec!["get"]),
        ("/me", vec!["get", "patch"]),
        ("/me/sessions", vec!["get"]),
        ("/me/sessions/{id}", vec!["delete"]),
        ("/me/password", vec!["post"]),
        ("/token", vec!["post"]),
        ("/token/refresh", vec!["post"]),
        ("/token/revoke", vec!["post"]),
    ];
    let paths = doc["paths"].as_object().unwrap();
    assert_eq!(paths.len(), expected.len());
    for (path, methods) in expected {
        for method in methods {
            let op = &doc["paths"][path][method];
            assert!(op.is_object(), "{method} {path} undocumented");
            assert!(
                op["responses"].as_object().unwrap().keys().any(|s| s.starts_with('4')),
                "{method} {path}: errors"
            );
        }
    }
    for method in ["put", "delete"] {
        let refusal = &doc["paths"]["/posts/{id}/like"][method]["responses"]["403"];
        assert!(refusal.is_object(), "{method} like: the unverified author's 403 is documented");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let new_post = &doc["components"]["schemas"]["NewPost"];
    assert_eq!(new_post["additionalProperties"], false, "unknown fields are documented as refused");
    assert!(doc["components"]["schemas"]["ApiError"]["example"].is_object());
}

#[tokio::test]
async fn docs_page_uses_vendored_assets_only() {
    let app = TestApp::new().await;
    let res = app.get("/api/docs", None).await;
    assert_eq!(res.status, StatusCode::OK);
    let html = res.text();
    assert!(html.contains("/vendor/swagger-ui/swagger-ui-bundle.js"));
    assert!(!html.contains("https://"), "no CDN");
}
