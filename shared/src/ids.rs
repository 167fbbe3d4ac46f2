//! Ids that know what they name: a post id cannot be passed where a user id is expected. On the
//! wire (JSON, URLs) and in the database they are plain integers.
//!
//! ```compile_fail
//! fn like(_post: shared::PostId) {}
//! like(shared::UserId(1)); // a user id is not a post id
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id!(
    /// A user (an account).
    UserId
);
id!(
    /// A post.
    PostId
);
id!(
    /// A session: one sign-in on one device (the family of its refresh tokens).
    SessionId
);
id!(
    /// A background job.
    JobId
);
