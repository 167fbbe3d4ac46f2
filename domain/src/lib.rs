//! mublog's domain layer. Server functions (and later REST and GraphQL) are thin adapters over
//! [`Mublog`]: every rule — validation, ownership, token rotation — is written here once.

pub mod auth;
mod error;
mod posts;
pub mod seed;
pub mod store;
mod users;

pub use auth::{AccessTokens, Credentials, Refreshed, SignedIn};
pub use error::DomainError;
pub use store::Db;

/// The domain service: a database handle, the access-token keys and the auth rate limits.
/// Cheap to clone.
#[derive(Clone)]
pub struct Mublog {
    db: Db,
    tokens: AccessTokens,
    throttles: std::sync::Arc<auth::Throttles>,
}

impl Mublog {
    pub fn new(db: Db, tokens: AccessTokens) -> Self {
        Mublog { db, tokens, throttles: Default::default() }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Current time in unix seconds; the one clock the domain reads.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}
