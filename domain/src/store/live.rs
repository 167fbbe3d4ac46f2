//! What the live hub and a new stream read: the current public state of posts, by id, and the
//! posts a page has not seen yet.

use super::select::{bind_values, Built};
use super::Db;
use shared::{PostId, UserId};

/// A visible post's public state, as a live page shows it.
#[derive(Debug, sqlx::FromRow)]
pub struct LivePost {
    pub id: PostId,
    pub like_count: i64,
    pub body: String,
    pub edited_at: Option<i64>,
}

pub(super) fn live_posts_sql(posts: &[PostId]) -> Built {
    let mut q =
        Built::new("SELECT id, like_count, body, edited_at FROM posts WHERE hidden_at IS NULL AND id IN ");
    q.list(posts);
    q
}

/// Visible posts after `$1`, oldest first, by one author (`$3`) or anyone.
pub(super) fn posts_after_sql(after: PostId, author: Option<UserId>, limit: u32) -> Built {
    let mut q = Built::new("SELECT id, author_id FROM posts WHERE id > ");
    q.bind(after).push(" AND hidden_at IS NULL");
    if let Some(author) = author {
        q.push(" AND author_id = ").bind(author);
    }
    q.push(" ORDER BY id LIMIT ").bind(limit);
    q
}

impl Db {
    /// The visible posts among `posts`, in no particular order.
    pub async fn live_posts(&self, posts: &[PostId]) -> Result<Vec<LivePost>, sqlx::Error> {
        if posts.is_empty() {
            return Ok(Vec::new());
        }
        let q = live_posts_sql(posts);
        on_readers!(self, |pool| bind_values!(sqlx::query_as(q.text()), q).fetch_all(pool).await)
    }

    /// Up to `limit` visible posts newer than `after` (by `author`, if given), oldest first,
    /// with their authors.
    pub async fn posts_after(
        &self,
        after: PostId,
        author: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<(PostId, UserId)>, sqlx::Error> {
        let q = posts_after_sql(after, author, limit);
        on_readers!(self, |pool| bind_values!(sqlx::query_as(q.text()), q).fetch_all(pool).await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{assert_seeks, query_plan as plan};

    /// A stream's first moments and every hub window read by primary key or author index.
    #[tokio::test]
    async fn live_reads_use_indexes() {
        let (_dir, db) = crate::store::scratch_db().await;
        let watched = live_posts_sql(&[PostId(1), PostId(2)]);
        assert_seeks(&plan(&db, &watched).await, "INTEGER PRIMARY KEY (rowid=?)");
        assert_seeks(&plan(&db, &posts_after_sql(PostId(5), None, 100)).await, "(rowid>?)");
        let by_author = posts_after_sql(PostId(5), Some(UserId(7)), 100);
        assert_seeks(&plan(&db, &by_author).await, "posts_by_author (author_id=? AND id>?)");
    }
}
