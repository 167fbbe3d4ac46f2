//! REST v1 under `/api/v1`: the public API for apps, scripts and third parties. Handlers are
//! thin: extract, call the domain, answer. Types come from `shared`, rules from `domain`.

mod account;
pub mod docs;
mod events;
mod extract;
pub use extract::AuthCaller;
mod posts;
mod tokens;
mod users;

use crate::http_errors::error_response;
use crate::state::AppState;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use domain::DomainError;
use shared::{ApiError, ErrorCode};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The REST routes and their OpenAPI document, from one declaration: a handler is routed only
/// through its `#[utoipa::path]`, so an undocumented endpoint cannot exist.
pub fn router() -> Router<AppState> {
    let (router, mut document) = OpenApiRouter::with_openapi(docs::ApiDoc::openapi())
        .routes(routes!(posts::list, posts::create))
        .routes(routes!(posts::get, posts::update, posts::delete))
        .routes(routes!(posts::like, posts::unlike))
        .routes(routes!(users::get))
        .routes(routes!(users::posts))
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(account::sessions))
        .routes(routes!(account::revoke_session))
        .routes(routes!(account::change_password))
        .routes(routes!(tokens::issue))
        .routes(routes!(tokens::refresh))
        .routes(routes!(tokens::revoke))
        .routes(routes!(events::stream))
        .split_for_parts();
    docs::with_field_rules(&mut document);
    let document = Arc::new(document);
    router
        .route("/openapi.json", get(move || std::future::ready(axum::Json(document.clone()))))
        .fallback(|| async { RestError::from(ApiError::new(ErrorCode::NotFound, "No such endpoint.")) })
        .method_not_allowed_fallback(|| async {
            RestError::from(ApiError::new(
                ErrorCode::MethodNotAllowed,
                "This endpoint does not support that method.",
            ))
        })
}

/// The REST layer's error: an [`ApiError`], answered with the status its code maps to.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RestError(ApiError);

impl From<ApiError> for RestError {
    fn from(e: ApiError) -> Self {
        RestError(e)
    }
}

impl From<DomainError> for RestError {
    fn from(e: DomainError) -> Self {
        RestError(e.into())
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        error_response(self.0)
    }
}

pub type RestResult<T> = Result<T, RestError>;
