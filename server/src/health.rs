//! Probes for orchestrators and operators: `/healthz` (the process is alive), `/readyz` (the
//! database answers and is fully migrated) and `/api/version`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Mublog;
use http::StatusCode;
use serde_json::json;

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// 503 with the reason when not ready; the detail is logged, the answer stays generic.
pub async fn readyz(State(app): State<Mublog>) -> Response {
    match app.db().ready().await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable" }))).into_response()
        }
    }
}

pub async fn version() -> Json<serde_json::Value> {
    Json(json!({ "version": env!("CARGO_PKG_VERSION"), "revision": env!("MUBLOG_GIT_REVISION") }))
}
