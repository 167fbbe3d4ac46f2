//! What operators rely on: liveness, readiness and the running version.

use crate::common;

use common::{Backend, TestApp};
use http::StatusCode;
use sqlx::Connection;

#[tokio::test]
async fn health_readiness_and_version() {
    // With answers shared for anonymous readers: a probe must still see the state of now.
    let app = TestApp::with(|c| c.page_cache = std::time::Duration::from_secs(60)).await;
    let health = app.get("/healthz", None).await;
    assert_eq!((health.status, health.json()["status"].clone()), (StatusCode::OK, "ok".into()));
    let ready = app.get("/readyz", None).await;
    assert_eq!((ready.status, ready.json()["status"].clone()), (StatusCode::OK, "ready".into()));
    let version = app.get("/api/version", None).await.json();
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    assert!(version["revision"].as_str().is_some_and(|r| !r.is_empty()));

    // A missing migration: not ready, and nothing leaks.
    app.sql("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)").await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json(), serde_json::json!({ "status": "unavailable" }));
}

#[tokio::test]
async fn a_missing_database_file_is_not_ready_but_alive() {
    let app = TestApp::on(Backend::Sqlite, |_| ()).await;
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    let file = app.db_url.trim_start_matches("sqlite://").to_owned();
    std::fs::remove_file(&file).unwrap();
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.json(), serde_json::json!({ "status": "unavailable" }));
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
    app.register("ada@example.com").await; // queues a job, in the request's transaction
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
    assert!(text.contains(r#"mublog_jobs{state=""#), "the queue by state: {text}");
}

#[tokio::test]
async fn the_request_log_records_requests_in_batches_but_not_probes_or_static_files() {
    let app = TestApp::new().await;
    let ada = app.user("ada@example.com").await; // register + login: 2 rows
    let requests = (0..200).map(|i| {
        let path = if i % 4 == 0 { "/api/v1/posts/424242".to_owned() } else { "/api/v1/posts".to_owned() };
        let access = ada.access.clone();
        let app = &app;
        async move { app.api("GET", &path, None, Some(&access)).await.status }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| s.is_success() || *s == StatusCode::NOT_FOUND));
    for skipped in ["/healthz", "/readyz", "/favicon.svg", "/pkg/mublog.js", "/media/x.png", "/sw.js"] {
        app.get(skipped, None).await;
    }
    assert_eq!(app.logged(202).await, 202, "every request once, probes and static files never");
    assert_eq!(app.request_log.dropped(), 0);
    let with_user = app
        .sql_scalar(&format!(
            "SELECT COUNT(*) FROM request_log WHERE user_id = {} AND route = '/api/v1/posts' AND status = 200
             AND method = 'GET' AND duration_us > 0 AND client_ip = '192.0.2.1'",
            ada.id
        ))
        .await;
    assert_eq!(with_user, 150);
    let unmatched =
        app.sql_scalar("SELECT COUNT(*) FROM request_log WHERE route = '(unmatched)' AND status = 404").await;
    assert_eq!(unmatched, 50);
}

#[tokio::test]
async fn a_stuck_database_never_slows_requests_and_overflow_is_dropped_and_counted() {
    // SQLite's write lock, taken by another connection: the writer must wait.
    let app = TestApp::on(Backend::Sqlite, |c| c.request_log_capacity = 10).await;
    let mut locker = sqlx::SqliteConnection::connect(&app.db_url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut locker).await.unwrap();
    let started = std::time::Instant::now();
    for _ in 0..60 {
        assert_eq!(app.get("/api/v1/posts", None).await.status, StatusCode::OK);
    }
    // The writer waits up to SQLite's 5 s busy timeout; the requests must not.
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(3), "60 requests took {elapsed:?} with logging stuck");
    let dropped = app.request_log.dropped();
    assert!(dropped >= 40, "only {dropped} dropped with room for 10");
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    let rows = app.logged(60 - dropped as i64).await;
    assert_eq!(rows + dropped as i64, 60, "every request either logged or counted as dropped");
}

#[tokio::test]
async fn the_client_address_comes_from_x_forwarded_for_only_behind_a_trusted_proxy() {
    for (trusted, expected) in [(true, "203.0.113.5"), (false, "192.0.2.1")] {
        let app = TestApp::with(|c| {
            if trusted {
                c.trusted_proxies = mublog::client_addr::TrustedProxies::parse(["192.0.2.0/24"]).unwrap();
            }
        })
        .await;
        let req = http::Request::builder()
            .uri("/api/v1/posts")
            .header("x-forwarded-for", "198.51.100.7, 203.0.113.5")
            .header("user-agent", "ProxyTest/1.0")
            .body(axum::body::Body::empty())
            .unwrap();
        app.send(req).await;
        assert_eq!(app.logged(1).await, 1);
        let ip = app
            .sql_scalar(&format!(
                "SELECT COUNT(*) FROM request_log WHERE client_ip = '{expected}' AND user_agent = 'ProxyTest/1.0'"
            ))
            .await;
        assert_eq!(ip, 1, "trusted: {trusted}");
    }
}
