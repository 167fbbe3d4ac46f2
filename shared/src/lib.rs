//! What the browser and the server agree on: request/response shapes, validation rules and
//! error codes. Compiles for wasm32 and native; nothing here touches a database or the network
//! (the server's `sqlx` feature only lets the ids bind to SQL as integers).
//! Depends on no other mublog crate: all of them depend on it.

pub mod admin;
pub mod api;
pub mod error;
mod ids;
pub mod json;
pub mod live;
pub mod validate;

pub use api::*;
pub use error::{ApiError, ErrorCode, FieldError};
pub use live::{LiveEvent, LiveQuery};
