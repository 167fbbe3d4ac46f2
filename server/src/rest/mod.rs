//! REST v1 under `/api/v1`: the public API for apps, scripts and third parties. Handlers are
//! thin: extract, call the domain, answer. Types come from `shared`, rules from `domain`.

mod account;
pub mod docs;
mod extract;
pub use extract::AuthCaller;
mod posts;
mod tokens;
mod users;

use crate::http_errors::error_response;
use crate::state::AppState;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::Router;
use domain::DomainError;
use shared::{ApiError, ErrorCode};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/posts", get(posts::list).post(posts::create))
        .route("/posts/{id}", get(posts::get).patch(posts::update).delete(posts::delete))
        .route("/posts/{id}/like", put(posts::like).delete(posts::unlike))
        .route("/users/{id}", get(users::get))
        .route("/users/{id}/posts", get(users::posts))
        .route("/me", get(users::me).patch(users::update_me))
        .route("/me/sessions", get(account::sessions))
        .route("/me/sessions/{id}", delete(account::revoke_session))
        .route("/me/password", post(account::change_password))
        .route("/token", post(tokens::issue))
        .route("/token/refresh", post(tokens::refresh))
        .route("/token/revoke", post(tokens::revoke))
        .route("/openapi.json", get(docs::openapi_json))
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
