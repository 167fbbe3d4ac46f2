//! What operators rely on: liveness, readiness and the running version.

mod common;

use common::TestApp;
use http::StatusCode;

#[tokio::test]
async fn health_readiness_and_version() {
    let app = TestApp::new().await;
    let health = app.get("/healthz", None).await;
    assert_eq!((health.status, health.json()["status"].clone()), (StatusCode::OK, "ok".into()));
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.json()["status"].clone()), (StatusCode::OK, "ready".into()));
    let version = app.get("/api/version", None).await.json();
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    assert!(version["revision"].as_str().is_some_and(|r| !r.is_empty()));

    // A missing migration, then a missing database file: not ready, and nothing leaks.
    app.sql("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)").await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json(), serde_json::json!({ "status": "unavailable" }));
    let file = app.db_url.trim_start_matches("sqlite://").to_owned();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK, "alive all the same");
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_a_given_one() {
    let app = TestApp::new().await;
    let first = app.get("/healthz", None).await;
    let second = app.get("/healthz", None).await;
    let id = |r: &common::TestResponse| r.headers["x-request-id"].to_str().unwrap().to_owned();
    assert_eq!(id(&first).len(), 36, "a UUID");
    assert_ne!(id(&first), id(&second));
    let req = http::Request::builder()
        .uri("/api/version")
        .header("x-request-id", "trace-me-42")
        .body(axum::body::Body::empty())
        .unwrap();
    assert_eq!(id(&app.send(req).await), "trace-me-42");
}

#[tokio::test]
async fn prometheus_metrics_count_requests_by_route_and_can_be_restricted() {
    let app = TestApp::with(|c| c.metrics_token = Some("scrape-secret".into())).await;
    for _ in 0..3 {
        app.api("GET", "/api/v1/posts/424242", None, None).await; // 404: one "(unmatched)" label
        app.get("/healthz", None).await;
    }
    assert_eq!(app.get("/metrics", None).await.status, StatusCode::UNAUTHORIZED);
    let wrong = app.api("GET", "/metrics", None, Some("scrape-secreT")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let res = app.api("GET", "/metrics", None, Some("scrape-secret")).await;
    assert_eq!(res.status, StatusCode::OK);
    let text = res.text();
    let healthz = text
        .lines()
        .find(|l| l.starts_with("mublog_http_requests_total") && l.contains(r#"route="/healthz""#))
        .unwrap_or_else(|| panic!("{text}"));
    // The recorder is process-wide and other tests run alongside: at least our three.
    assert!(healthz.rsplit(' ').next().unwrap().parse::<f64>().unwrap() >= 3.0, "{healthz}");
    assert!(text.contains(r#"route="(unmatched)""#), "404s share one label");
    assert!(!text.contains("424242"), "no ids in labels");
    assert!(text.contains("mublog_http_request_duration_seconds_bucket"));
    assert!(text.contains("mublog_db_pool_connections"));
    assert!(text.contains(r#"mublog_jobs{state="done"}"#), "{text}");
}
