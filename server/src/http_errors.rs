//! HTTP status for errors, decided in one place: from the `code` of the [`ApiError`] body.
//! Server functions report every error with status 500 by default; this layer replaces it, so
//! no client mistake is ever answered with a 500.

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, StatusCode};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;
use shared::{ApiError, ErrorCode};
use tower_http::limit::RequestBodyLimitLayer;

/// Requests to mublog are small JSON documents; anything bigger is refused unread.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// Error bodies are short; a longer one is not ours, so it is passed through untouched.
const MAX_ERROR_BODY_BYTES: usize = 64 * 1024;

pub async fn status_from_error_code(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if !response.headers().contains_key(SERVER_FN_ERROR_HEADER) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_ERROR_BODY_BYTES).await.unwrap_or_default();
    match serde_json::from_slice::<ApiError>(&bytes) {
        Ok(error) => error_response(error),
        // Not one of ours (a server function with another error type): leave it alone.
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// The HTTP form of an error: status from its code, a JSON body, and the headers that status
/// calls for. Used for server functions and REST alike.
pub fn error_response(error: ApiError) -> Response {
    let status = status_of(error.code);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&error).unwrap_or_default(),
    )
        .into_response();
    let headers = response.headers_mut();
    if error.code == ErrorCode::Unauthenticated {
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    if let Some(secs) = error.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// A declared `Content-Length` over the limit gets a JSON 413 before anything is read.
pub async fn reject_oversize(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return too_large();
    }
    let response = next.run(req).await;
    // A streamed body that outgrew the limit is cut off by `body_limit`, whose 413 is plain text.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return too_large();
    }
    response
}

/// Caps bodies that do not declare their length (chunked uploads).
pub fn body_limit() -> RequestBodyLimitLayer {
    RequestBodyLimitLayer::new(MAX_BODY_BYTES)
}

fn too_large() -> Response {
    error_response(ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("Request bodies are limited to {} KiB.", MAX_BODY_BYTES / 1024),
    ))
}

fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
