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

        /// GraphQL shows every id as its `ID` scalar, as a string.
        #[cfg(feature = "graphql")]
        impl async_graphql::OutputType for $name {
            fn type_name() -> std::borrow::Cow<'static, str> {
                <async_graphql::ID as async_graphql::OutputType>::type_name()
            }

            fn create_type_info(registry: &mut async_graphql::registry::Registry) -> String {
                <async_graphql::ID as async_graphql::OutputType>::create_type_info(registry)
            }

            fn resolve(
                &self,
                _: &async_graphql::ContextSelectionSet<'_>,
                _: &async_graphql::Positioned<async_graphql::parser::types::Field>,
            ) -> impl std::future::Future<Output = async_graphql::ServerResult<async_graphql::Value>> + Send {
                std::future::ready(Ok(async_graphql::Value::String(self.0.to_string())))
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
