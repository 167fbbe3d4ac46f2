//! The one error shape every endpoint answers with, and the one table from code to HTTP status.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body could not be read: malformed JSON, a missing field, a wrong type.
    BadRequest,
    /// Well-formed but breaks a rule; `fields` says which.
    Validation,
    InvalidCredentials,
    /// No valid access token (or refresh cookie, for the refresh endpoint).
    Unauthenticated,
    Forbidden,
    /// Signed in, but the email address is not confirmed yet: posting and liking wait for it.
    EmailUnverified,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    RateLimited,
    Internal,
    /// The server is saturated (password hashing, for example); `retry_after` says when to retry.
    Unavailable,
}

impl ErrorCode {
    /// The HTTP status for this code. This is the only place the mapping is written.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::BadRequest => 400,
            ErrorCode::InvalidCredentials | ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden | ErrorCode::EmailUnverified => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::Validation => 422,
            ErrorCode::RateLimited => 429,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        FieldError { field: field.to_owned(), message: message.into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({"code": "validation", "message": "Write something first.", "fields": [{"field": "body", "message": "Write something first."}]})))]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// For `rate_limited` and `unavailable`: seconds to wait before trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), fields: Vec::new(), retry_after: None }
    }

    pub fn validation(fields: Vec<FieldError>) -> Self {
        let message = match fields.as_slice() {
            [only] => only.message.clone(),
            _ => "Some fields are invalid.".to_owned(),
        };
        ApiError { code: ErrorCode::Validation, message, fields, retry_after: None }
    }

    /// The message for one field, for showing it inline next to that field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|f| f.field == name).map(|f| f.message.as_str())
    }

    pub fn is_unauthenticated(&self) -> bool {
        self.code == ErrorCode::Unauthenticated
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}

#[cfg(feature = "server-fn")]
mod server_fn_error {
    use super::{ApiError, ErrorCode};
    use crate::json::JsonEncoding;
    use server_fn::error::{FromServerFnError, ServerFnErrorErr};

    /// Failures inside the server-function machinery (undecodable arguments, network errors)
    /// become an `ApiError` too, so callers handle one type.
    impl FromServerFnError for ApiError {
        type Encoder = JsonEncoding;

        fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
            match value {
                // A streamed body cut off by the server's size limit surfaces as a read error
                // carrying http-body-util's `LengthLimitError` text.
                ServerFnErrorErr::Deserialization(msg) if msg.contains("length limit exceeded") => {
                    ApiError::new(ErrorCode::PayloadTooLarge, "The request body is too large.")
                }
                ServerFnErrorErr::Args(msg)
                | ServerFnErrorErr::MissingArg(msg)
                | ServerFnErrorErr::Deserialization(msg) => {
                    ApiError::new(ErrorCode::BadRequest, format!("Invalid request body: {msg}"))
                }
                ServerFnErrorErr::Request(_) => {
                    ApiError::new(ErrorCode::Internal, "Could not reach the server.")
                }
                ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                    ApiError::new(ErrorCode::BadRequest, "Use POST with a JSON body.")
                }
                _ => ApiError::new(ErrorCode::Internal, "Something went wrong."),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_snake_case() {
        let e = ApiError::new(ErrorCode::InvalidCredentials, "x");
        let json = serde_json::to_string(&e).unwrap();
        assert_eq!(json, r#"{"code":"invalid_credentials","message":"x"}"#);
    }
}
