//! Server functions: the browser's API. Each one is a thin adapter — read the caller's identity,
//! call the domain, return its answer — so the rules live in `domain` only.
//!
//! All of them take and return JSON at fixed paths under `/api`, so any HTTP client can call
//! them, and all fail with [`shared::ApiError`], whose `code` decides the HTTP status.

pub mod admin;
pub mod auth;
pub mod posts;
#[cfg(feature = "ssr")]
pub mod request;
pub mod resource;
