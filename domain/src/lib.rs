//! mublog's domain layer. Server functions, REST handlers and GraphQL resolvers are thin
//! adapters over [`Mublog`]: every rule — validation, ownership, token rotation — is written
//! here once. Depends only on `shared` among mublog's crates, and knows nothing of serving HTTP,
//! Leptos or axum: adapters translate requests into calls and [`DomainError`] into answers.

pub mod admin;
pub mod auth;
mod error;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod media;
mod operations;
mod posts;
pub use posts::MAX_PAGE_SIZE;
pub mod seed;
pub mod store;
#[cfg(test)]
mod tests;
mod users;

pub use auth::{AccessTokens, Caller, Device, Refreshed, SignedIn};
pub use error::DomainError;
pub use jobs::Job;
pub use mail::Mailer;
pub use media::MediaStore;
pub use store::Db;

use std::sync::Arc;

/// The domain service: the database, the access-token keys, the auth rate limits, the mailer
/// and the wake-up signal of in-process job workers. Cheap to clone.
#[derive(Clone)]
pub struct Mublog {
    db: Db,
    /// Shared: its keys and validation rules are heap data, and a `Mublog` is cloned for
    /// every request (axum state, Leptos context).
    tokens: Arc<AccessTokens>,
    throttles: Arc<auth::Throttles>,
    mailer: Arc<Mailer>,
    /// Where the app is reached (`https://mublog.example`), for links in emails.
    public_url: Arc<str>,
    job_signal: Arc<tokio::sync::Notify>,
    media: Arc<MediaStore>,
    /// Password hashes running and waiting (argon2id: 19 MiB and tens of milliseconds each).
    hashing: Arc<auth::password::Gate>,
    /// Image decodes running at once (each may use up to the decoder's memory cap).
    image_permits: Arc<tokio::sync::Semaphore>,
    /// How long request-log entries are kept (the daily purge removes older ones).
    request_log_retention_secs: i64,
    /// Open pages' live streams (see [`live`]).
    live: live::Live,
}

impl Mublog {
    pub fn new(db: Db, tokens: AccessTokens, mailer: Mailer, media: MediaStore, public_url: &str) -> Self {
        Mublog {
            db,
            tokens: Arc::new(tokens),
            throttles: Default::default(),
            mailer: Arc::new(mailer),
            public_url: public_url.trim_end_matches('/').into(),
            job_signal: Default::default(),
            media: Arc::new(media),
            image_permits: Arc::new(tokio::sync::Semaphore::new(2)),
            hashing: Arc::new(auth::password::Gate::per_core()),
            request_log_retention_secs: 30 * 24 * 3600,
            live: Default::default(),
        }
    }

    /// Counts rate limits in `throttles` (in this process by default).
    pub fn with_throttles(mut self, throttles: auth::Throttles) -> Self {
        self.throttles = Arc::new(throttles);
        self
    }

    /// Keeps request-log entries for `days` (30 by default).
    pub fn with_request_log_retention(mut self, days: u32) -> Self {
        self.request_log_retention_secs = i64::from(days) * 24 * 3600;
        self
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Current time in unix seconds; the one clock the domain reads.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
