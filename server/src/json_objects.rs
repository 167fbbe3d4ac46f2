//! Every JSON body mublog reads is an object. serde fills a struct from an array by position
//! (`[null, null]` sent to `PATCH /api/v1/me` updated the profile), so an array, string, number
//! or `null` is refused here, once, for REST, server functions and GraphQL alike.

use crate::http_errors::error_response;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, StatusCode};
use shared::{ApiError, ErrorCode};

/// Answers 422 to a JSON body that is valid JSON but not an object. Anything else (other media
/// types, an empty body, malformed JSON) goes on, for the handler to answer as it always has.
pub async fn refuse_other_values(req: Request, next: Next) -> Response {
    if !is_json(req.headers()) {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // The body is already capped by `limit_body`, which turns this bare 413 into its JSON one.
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let first = bytes.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    let other_value =
        first.is_some_and(|&b| b != b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
    if other_value {
        return error_response(ApiError::new(ErrorCode::Validation, "The body must be a JSON object."));
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

/// `application/json` or `application/<anything>+json`, as axum's `Json` extractor accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(content_type) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}
