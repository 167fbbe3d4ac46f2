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

/// Caps every request body: 16 KiB, or 10 MiB (plus form overhead) for a picture uploaded to
/// `POST /api/v1/posts`. A declared `Content-Length` over the cap gets a JSON 413 before
/// anything is read; a streamed body is cut off where it crosses the cap.
pub async fn limit_body(req: Request, next: Next) -> Response {
    let limit = body_limit_for(&req);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > limit) {
        return too_large(limit);
    }
    let (parts, body) = req.into_parts();
    let req = Request::from_parts(parts, Body::new(http_body_util::Limited::new(body, limit)));
    let response = next.run(req).await;
    // Extractors report a body cut off by the cap as a plain-text 413; answer in our shape.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
        && response.headers().get(header::CONTENT_TYPE).is_none_or(|t| t != "application/json")
    {
        return too_large(limit);
    }
    response
}

/// A server function called with no body at all (what clients naturally send to refresh or
/// sign out) is called with no arguments: `{}`. Only a body known to be empty is replaced.
pub async fn empty_body_means_no_arguments(req: Request, next: Next) -> Response {
    use axum::body::HttpBody;
    let empty = req.method() == http::Method::POST
        && req.uri().path().starts_with("/api/auth/")
        && req.body().size_hint().exact() == Some(0);
    if !empty {
        return next.run(req).await;
    }
    let (mut parts, _) = req.into_parts();
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("2"));
    next.run(Request::from_parts(parts, Body::from("{}"))).await
}

fn body_limit_for(req: &Request) -> usize {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    if multipart && req.method() == http::Method::POST && req.uri().path() == "/api/v1/posts" {
        MAX_UPLOAD_BODY_BYTES
    } else {
        MAX_BODY_BYTES
    }
}

/// The picture plus the post text and multipart framing.
pub const MAX_UPLOAD_BODY_BYTES: usize = domain::media::image::MAX_UPLOAD_BYTES + 64 * 1024;

fn too_large(limit: usize) -> Response {
    let message = if limit > MAX_BODY_BYTES {
        format!("Images are limited to {} MB.", domain::media::image::MAX_UPLOAD_BYTES / (1024 * 1024))
    } else {
        format!("Request bodies are limited to {} KiB.", MAX_BODY_BYTES / 1024)
    };
    error_response(ApiError::new(ErrorCode::PayloadTooLarge, message))
}

fn status_of(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code, written as a match so that a new code fails to compile here until it is
    /// added (and so tested).
    fn every_code() -> Vec<ErrorCode> {
        let all = [
            ErrorCode::BadRequest,
            ErrorCode::Validation,
            ErrorCode::InvalidCredentials,
            ErrorCode::Unauthenticated,
            ErrorCode::Forbidden,
            ErrorCode::EmailUnverified,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Conflict,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::RateLimited,
            ErrorCode::Internal,
            ErrorCode::Unavailable,
        ];
        for code in all {
            match code {
                ErrorCode::BadRequest
                | ErrorCode::Validation
                | ErrorCode::InvalidCredentials
                | ErrorCode::Unauthenticated
                | ErrorCode::Forbidden
                | ErrorCode::EmailUnverified
                | ErrorCode::NotFound
                | ErrorCode::MethodNotAllowed
                | ErrorCode::Conflict
                | ErrorCode::PayloadTooLarge
                | ErrorCode::UnsupportedMediaType
                | ErrorCode::RateLimited
                | ErrorCode::Internal
                | ErrorCode::Unavailable => {}
            }
        }
        all.to_vec()
    }

    #[tokio::test]
    async fn each_code_is_answered_with_its_status_and_only_server_faults_are_5xx() {
        for code in every_code() {
            let response = error_response(ApiError::new(code, "x"));
            let status = response.status();
            assert_eq!(status.as_u16(), code.http_status(), "{code:?}");
            let server_fault = matches!(code, ErrorCode::Internal | ErrorCode::Unavailable);
            assert_eq!(status.is_server_error(), server_fault, "{code:?} is {status}");
            assert_eq!(
                response.headers().contains_key(header::WWW_AUTHENTICATE),
                code == ErrorCode::Unauthenticated,
                "{code:?}"
            );
            let body = axum::body::to_bytes(response.into_body(), MAX_ERROR_BODY_BYTES).await.unwrap();
            assert_eq!(serde_json::from_slice::<ApiError>(&body).unwrap(), ApiError::new(code, "x"));
        }
    }

    #[tokio::test]
    async fn a_server_function_error_gets_the_status_of_its_code() {
        let app = axum::Router::new()
            .route(
                "/fail",
                axum::routing::post(|| async {
                    let body =
                        serde_json::to_string(&ApiError::new(ErrorCode::EmailUnverified, "x")).unwrap();
                    (StatusCode::INTERNAL_SERVER_ERROR, [(SERVER_FN_ERROR_HEADER, "/fail")], body)
                }),
            )
            .layer(axum::middleware::from_fn(status_from_error_code));
        let request = Request::post("/fail").body(Body::empty()).unwrap();
        let response = tower::ServiceExt::oneshot(app, request).await.unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
}
