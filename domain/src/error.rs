use crate::media::image::ImageError;
use shared::{ApiError, ErrorCode, FieldError};

/// Everything the domain can refuse or fail with. Converted once into the wire-level
/// [`ApiError`]; internal causes are logged there and never sent to the client.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("wrong email or password")]
    InvalidCredentials,
    #[error("not signed in")]
    Unauthenticated,
    #[error("the session has ended")]
    SessionEnded,
    #[error("a rotated refresh token's concurrent-refresh grace is spent")]
    RefreshGraceSpent,
    #[error("not allowed")]
    Forbidden,
    #[error("the account is deactivated")]
    AccountDeactivated,
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A value that must be unique (a handle) belongs to someone else: a conflict with
    /// existing state, reported on its field so a form shows it there.
    #[error("taken: {0:?}")]
    Taken(FieldError),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("the link is unknown, used or expired")]
    InvalidLink,
    #[error("the email address is not verified yet")]
    EmailUnverified,
    /// Behind the DjaoDjin proxy: posting needs an active subscription to a posting plan.
    #[error("no active subscription to a posting plan")]
    PlanRequired,
    #[error("the upload is too large")]
    TooLarge,
    #[error("image: {0}")]
    Image(#[from] crate::media::image::ImageError),
    #[error("{0}")]
    Storage(#[from] crate::media::store::StoreError),
    #[error("too many attempts; retry in {retry_after}s")]
    RateLimited { retry_after: u64 },
    #[error("saturated; retry in {retry_after}s")]
    Busy { retry_after: u64 },
    #[error("database: {0}")]
    Database(#[from] crate::store::DbError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<FieldError> for DomainError {
    fn from(e: FieldError) -> Self {
        DomainError::Validation(vec![e])
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Validation(fields) => ApiError::validation(fields),
            DomainError::InvalidCredentials => {
                ApiError::new(ErrorCode::InvalidCredentials, "Wrong email or password.")
            }
            DomainError::Unauthenticated => ApiError::new(ErrorCode::Unauthenticated, "Sign in to do that."),
            DomainError::SessionEnded | DomainError::RefreshGraceSpent => {
                ApiError::new(ErrorCode::Unauthenticated, "Your session has ended. Please sign in again.")
            }
            DomainError::Forbidden => ApiError::new(ErrorCode::Forbidden, "You are not allowed to do that."),
            DomainError::AccountDeactivated => ApiError::new(
                ErrorCode::Forbidden,
                "This account has been deactivated. Contact the site's staff if you think this is a mistake.",
            ),
            DomainError::Conflict(message) => ApiError::new(ErrorCode::Conflict, message),
            DomainError::Taken(field) => {
                ApiError { fields: vec![field.clone()], ..ApiError::new(ErrorCode::Conflict, field.message) }
            }
            DomainError::NotFound(what) => {
                ApiError::new(ErrorCode::NotFound, format!("That {what} does not exist."))
            }
            DomainError::InvalidLink => ApiError::validation(vec![FieldError::new(
                "token",
                "This link is invalid, has expired or was already used. Ask for a new one.",
            )]),
            DomainError::PlanRequired => ApiError::new(
                ErrorCode::Forbidden,
                "Posting needs an active subscription to one of this site's plans.",
            ),
            DomainError::EmailUnverified => ApiError::new(
                ErrorCode::EmailUnverified,
                "Confirm your email address first: open the link we sent you, or ask for a new one.",
            ),
            DomainError::RateLimited { retry_after } => ApiError {
                retry_after: Some(retry_after),
                ..ApiError::new(
                    ErrorCode::RateLimited,
                    format!("Too many attempts. Try again in {retry_after} seconds."),
                )
            },
            DomainError::Busy { retry_after } => ApiError {
                retry_after: Some(retry_after),
                ..ApiError::new(ErrorCode::Unavailable, "The server is busy. Try again in a moment.")
            },
            DomainError::TooLarge => ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "Images are limited to {} MB.",
                    crate::media::image::MAX_UPLOAD_BYTES / (1024 * 1024)
                ),
            ),
            DomainError::Image(ImageError::Unsupported) => ApiError {
                fields: vec![FieldError::new("image", "Upload a JPEG, PNG, WebP or GIF image.")],
                ..ApiError::new(ErrorCode::UnsupportedMediaType, "Upload a JPEG, PNG, WebP or GIF image.")
            },
            DomainError::Image(e @ (ImageError::TooManyPixels | ImageError::Corrupt)) => {
                ApiError::validation(vec![FieldError::new("image", format!("This image is {e}."))])
            }
            DomainError::Database(_)
            | DomainError::Internal(_)
            | DomainError::Image(ImageError::Encode(_))
            | DomainError::Storage(_) => {
                tracing::error!(error = %e, "internal error");
                ApiError::new(ErrorCode::Internal, "Something went wrong on our side.")
            }
        }
    }
}
