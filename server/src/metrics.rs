//! Prometheus metrics at `/metrics`: requests by route and status (count and latency), the
//! database pool, and the job queue. With `MUBLOG_METRICS_TOKEN` set (do, in production),
//! scrapes must send it as a bearer token.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Mublog;
use http::{header, StatusCode};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;
use subtle::ConstantTimeEq;

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

/// Counts and times every request under bounded labels: no path or method a client makes up
/// ever becomes a new series.
pub async fn track(req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = route_of(&req);
    let started = Instant::now();
    let response = next.run(req).await;
    let status = response.status();
    let labels = [
        ("method", method.to_owned()),
        ("route", route_label(route, status)),
        ("status", status.as_u16().to_string()),
    ];
    metrics::counter!("mublog_http_requests_total", &labels).increment(1);
    metrics::histogram!("mublog_http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The request's method if it is one mublog serves, else `other`.
pub fn method_label(method: &http::Method) -> &'static str {
    const KNOWN: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    KNOWN.into_iter().find(|known| *known == method.as_str()).unwrap_or("other")
}

/// The route a request was routed to, decided before it runs: the router's template
/// (`/api/v1/posts/{id}`; every server function has its own exact route), a static file's
/// folder (`/pkg/{file}`), or `other`.
pub fn route_of(req: &Request) -> String {
    match req.extensions().get::<MatchedPath>().map(MatchedPath::as_str) {
        // The server functions' catch-alls only see names that are no server function.
        Some(template) if template.contains("{*") => "other".to_owned(),
        Some(template) => template.to_owned(),
        None => static_file_label(req.uri().path()).to_owned(),
    }
}

/// The final label: `(unmatched)` for a 404, whatever the request looked like.
pub fn route_label(route: String, status: StatusCode) -> String {
    if status == StatusCode::NOT_FOUND {
        "(unmatched)".to_owned()
    } else {
        route
    }
}

fn static_file_label(path: &str) -> &'static str {
    const FOLDERS: [(&str, &str); 4] = [
        ("/pkg/", "/pkg/{file}"),
        ("/icons/", "/icons/{file}"),
        ("/vendor/", "/vendor/{file}"),
        ("/media/", "/media/{file}"),
    ];
    const FILES: [&str; 2] = ["/favicon.svg", "/manifest.webmanifest"];
    if let Some((_, label)) = FOLDERS.iter().find(|(prefix, _)| path.starts_with(prefix)) {
        return label;
    }
    FILES.into_iter().find(|file| *file == path).unwrap_or("other")
}

/// The bearer token `/metrics` asks for, if one is configured.
#[derive(Clone)]
pub struct MetricsToken(pub Option<secrecy::SecretString>);

pub async fn scrape(
    State(app): State<Mublog>,
    State(MetricsToken(token)): State<MetricsToken>,
    headers: http::HeaderMap,
) -> Response {
    if let Some(token) = &token {
        let token = secrecy::ExposeSecret::expose_secret(token);
        let given = crate::client_addr::bearer(&headers).unwrap_or_default();
        // Constant-time, so the token cannot be guessed byte by byte from timings.
        let matches: bool = given.as_bytes().ct_eq(token.as_bytes()).into();
        if !matches {
            return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
        }
    }
    let db = app.db();
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
    use super::*;

    #[test]
    fn made_up_methods_and_files_get_one_label() {
        assert_eq!(method_label(&http::Method::from_bytes(b"FOOBAR").unwrap()), "other");
        assert_eq!(method_label(&http::Method::PATCH), "PATCH");
        assert_eq!(static_file_label("/pkg/mublog.123.wasm"), "/pkg/{file}");
        assert_eq!(static_file_label("/favicon.svg"), "/favicon.svg");
        assert_eq!(static_file_label("/random-8f3a"), "other");
        assert_eq!(route_label("/u/{handle}".into(), StatusCode::NOT_FOUND), "(unmatched)");
    }
}
