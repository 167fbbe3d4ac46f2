//! Prometheus metrics at `/metrics`: requests by route and status (count and latency), the
//! database pool, and the job queue. With `MUBLOG_METRICS_TOKEN` set (do, in production),
//! scrapes must send it as a bearer token.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Mublog;
use http::{header, StatusCode};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Installs the recorder (once per process) before anything records.
pub fn install() {
    recorder();
}

/// The process-wide recorder (the `metrics` facade has exactly one).
fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets(&[0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .expect("static buckets")
            .install_recorder()
            .expect("the only metrics recorder")
    })
}

/// Counts and times every request under a bounded route label.
pub async fn track(req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status();
    let route = if status == StatusCode::NOT_FOUND { "(unmatched)".to_owned() } else { route_label(&path) };
    let labels = [("method", method), ("route", route), ("status", status.as_u16().to_string())];
    metrics::counter!("mublog_http_requests_total", &labels).increment(1);
    metrics::histogram!("mublog_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A path with its variable parts replaced, so labels stay few: `/api/v1/posts/42/like` →
/// `/api/v1/posts/{id}/like`.
pub fn route_label(path: &str) -> String {
    let mut out = String::new();
    let mut previous = "";
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let label = match previous {
            _ if segment.chars().all(|c| c.is_ascii_digit()) => "{id}",
            "media" | "pkg" | "vendor" | "icons" => "{file}",
            "verify" | "reset" => "{token}",
            "u" => "{handle}",
            _ => segment,
        };
        out.push('/');
        out.push_str(label);
        previous = segment;
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

#[derive(Clone)]
pub struct MetricsState {
    pub app: Mublog,
    pub token: Option<String>,
}

pub async fn scrape(State(state): State<MetricsState>, headers: http::HeaderMap) -> Response {
    if let Some(token) = &state.token {
        let given = app::api::server::bearer(&headers).unwrap_or_default();
        // Constant-time, so the token cannot be guessed byte by byte from timings.
        let matches = given.len() == token.len()
            && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
        if !matches {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
        }
    }
    let db = state.app.db();
    metrics::gauge!("mublog_db_pool_connections").set(db.pool_size() as f64);
    metrics::gauge!("mublog_db_pool_idle_connections").set(db.pool_idle() as f64);
    if let Ok(counts) = db.job_counts().await {
        for (job_state, count) in counts {
            metrics::gauge!("mublog_jobs", "state" => job_state).set(count as f64);
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], recorder().render()).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn route_labels_are_bounded() {
        assert_eq!(super::route_label("/api/v1/posts/42/like"), "/api/v1/posts/{id}/like");
        assert_eq!(super::route_label("/media/abc-320.jpg"), "/media/{file}");
        assert_eq!(super::route_label("/u/ada"), "/u/{handle}");
        assert_eq!(super::route_label("/verify/secret-token"), "/verify/{token}");
        assert_eq!(super::route_label("/"), "/");
    }
}
