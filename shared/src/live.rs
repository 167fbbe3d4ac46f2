//! The live event stream (`GET /api/v1/events`): what an open page hears while it is open.

use crate::ids::{PostId, UserId};
use serde::{Deserialize, Serialize};

/// The most posts one stream watches (a page and a few "Load more"s).
pub const MAX_WATCHED_POSTS: usize = 200;

/// One change a page may show. Ids, public text and public counts only: a signed-in reader's
/// own liked state comes from their own actions and pages, never from the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A watched post's like count, as committed.
    Likes { post_id: PostId, like_count: i64 },
    /// A post newer than the page (by `author_id`); the page offers it, it does not insert it.
    NewPost { post_id: PostId, author_id: UserId },
    /// A watched post's text after an edit.
    Edited { post_id: PostId, body: String, edited_at: i64 },
    /// A watched post was deleted or hidden by staff.
    Gone { post_id: PostId },
    /// What the page missed before this connection has been sent. `now` is the server's time:
    /// pass it back as `since` when reconnecting.
    Synced { now: i64 },
}

impl LiveEvent {
    /// The event's name in the stream (SSE's `event:` field), the same as its `type`.
    pub fn name(&self) -> &'static str {
        match self {
            LiveEvent::Likes { .. } => "likes",
            LiveEvent::NewPost { .. } => "new_post",
            LiveEvent::Edited { .. } => "edited",
            LiveEvent::Gone { .. } => "gone",
            LiveEvent::Synced { .. } => "synced",
        }
    }
}

/// A post's like count as it changes (GraphQL's `likeCounts` subscription).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::SimpleObject))]
pub struct LikeCount {
    pub post_id: PostId,
    pub like_count: i64,
}

/// What a page watches: the query of `GET /api/v1/events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(default, deny_unknown_fields)]
pub struct LiveQuery {
    /// The ids of the posts on the page, comma-separated (at most 200). Their current counts
    /// are sent at once, and `gone` for any that no longer exists.
    #[cfg_attr(feature = "openapi", param(pattern = "^([1-9][0-9]{0,17}(,[1-9][0-9]{0,17})*)?$"))]
    pub posts: Option<String>,
    /// Announce new posts by this author only (an author's page); by anyone when absent.
    pub author: Option<UserId>,
    /// The newest post the page knows (0 for none): posts after it are announced, those
    /// already published at once. Absent: no new posts are announced (a single post's page).
    pub after: Option<PostId>,
    /// The `now` of the last `synced` event this page heard: edits since then are sent at once.
    pub since: Option<i64>,
}

impl LiveQuery {
    /// A stream of `posts`' changes alone.
    pub fn posts(posts: &[PostId]) -> Self {
        let posts = posts.iter().map(PostId::to_string).collect::<Vec<_>>().join(",");
        LiveQuery { posts: Some(posts), ..LiveQuery::default() }
    }

    /// The query string (without `?`) of a stream watching `posts`.
    pub fn to_query_string(&self) -> String {
        let mut parts = Vec::new();
        if let Some(posts) = self.posts.as_deref().filter(|p| !p.is_empty()) {
            parts.push(format!("posts={posts}"));
        }
        if let Some(author) = self.author {
            parts.push(format!("author={author}"));
        }
        if let Some(after) = self.after {
            parts.push(format!("after={after}"));
        }
        if let Some(since) = self.since {
            parts.push(format!("since={since}"));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_string_names_only_what_is_set() {
        assert_eq!(LiveQuery::default().to_query_string(), "");
        let query = LiveQuery {
            author: Some(UserId(7)),
            after: Some(PostId(3)),
            since: Some(99),
            ..LiveQuery::posts(&[PostId(3), PostId(2)])
        };
        assert_eq!(query.to_query_string(), "posts=3,2&author=7&after=3&since=99");
    }
}
