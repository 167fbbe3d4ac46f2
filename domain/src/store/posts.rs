use super::Db;
use shared::{LikeState, PostId, PostView, UserId, UserView};

/// A post as the feed shows it. Like count and the viewer's like come with the row, so a page
/// costs one query however many posts it holds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: PostId,
    pub author_id: UserId,
    pub author_name: String,
    pub author_handle: String,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub like_count: i64,
    pub liked: bool,
}

impl From<PostRow> for PostView {
    fn from(r: PostRow) -> Self {
        PostView {
            id: r.id,
            author: UserView { id: r.author_id, display_name: r.author_name, handle: r.author_handle },
            body: r.body,
            created_at: r.created_at,
            edited_at: r.edited_at,
            like_count: r.like_count,
            liked: r.liked,
        }
    }
}

/// The columns of [`PostRow`]; `?1` is the viewer (NULL for anonymous visitors).
const POST_COLUMNS: &str = "
    p.id, p.author_id, u.display_name AS author_name, u.handle AS author_handle, p.body, p.created_at, p.edited_at,
    (SELECT COUNT(*) FROM likes l WHERE l.post_id = p.id) AS like_count,
    EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = ?1) AS liked";

/// Plain range conditions only (no `? IS NULL OR ...`), so SQLite seeks straight to the
/// cursor: through the rowid for the feed, through `posts_by_author` for an author's page.
/// A search filters the rows of that same walk.
fn list_posts_sql(by_author: bool, search: bool) -> String {
    let author_filter = if by_author { "p.author_id = ?2 AND" } else { "" };
    let search_filter = if search { r"p.body LIKE ?5 ESCAPE '\' AND" } else { "" };
    format!(
        "SELECT {POST_COLUMNS}
         FROM posts p JOIN users u ON u.id = p.author_id
         WHERE {author_filter} {search_filter} p.id < ?3
         ORDER BY p.id DESC
         LIMIT ?4"
    )
}

/// `text` as a LIKE pattern matching it anywhere, with LIKE's wildcards taken literally.
fn like_pattern(text: &str) -> String {
    let escaped = text.replace('\\', r"\\").replace('%', r"\%").replace('_', r"\_");
    format!("%{escaped}%")
}

impl Db {
    /// Newest posts with an id below `before` (keyset pagination: every page is one index
    /// range scan, however deep it is), optionally by one author or containing `search`.
    pub async fn list_posts(
        &self,
        viewer: Option<UserId>,
        author: Option<UserId>,
        search: Option<&str>,
        before: Option<PostId>,
        limit: u32,
    ) -> Result<Vec<PostRow>, sqlx::Error> {
        let sql = list_posts_sql(author.is_some(), search.is_some());
        let query =
            sqlx::query_as(&sql).bind(viewer).bind(author).bind(before.unwrap_or(PostId::MAX)).bind(limit);
        let query = match search {
            Some(text) => query.bind(like_pattern(text)),
            None => query,
        };
        query.fetch_all(self.pool()).await
    }

    pub async fn post(&self, viewer: Option<UserId>, id: PostId) -> Result<Option<PostRow>, sqlx::Error> {
        let sql =
            format!("SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = ?2");
        sqlx::query_as(&sql).bind(viewer).bind(id).fetch_optional(self.pool()).await
    }

    pub async fn post_author(&self, id: PostId) -> Result<Option<UserId>, sqlx::Error> {
        sqlx::query_scalar("SELECT author_id FROM posts WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await
    }

    pub async fn insert_post(&self, author: UserId, body: &str, now: i64) -> Result<PostId, sqlx::Error> {
        sqlx::query_scalar("INSERT INTO posts (author_id, body, created_at) VALUES (?, ?, ?) RETURNING id")
            .bind(author)
            .bind(body)
            .bind(now)
            .fetch_one(self.pool())
            .await
    }

    pub async fn update_post(&self, id: PostId, body: &str, now: i64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE posts SET body = ?, edited_at = ? WHERE id = ?")
            .bind(body)
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn delete_post(&self, id: PostId) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("DELETE FROM posts WHERE id = ?").bind(id).execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Likes or unlikes idempotently and returns the resulting count. The primary key on
    /// (post_id, user_id) keeps counts exact however many requests race.
    pub async fn set_like(
        &self,
        user: UserId,
        post: PostId,
        liked: bool,
        now: i64,
    ) -> Result<LikeState, sqlx::Error> {
        if liked {
            sqlx::query(
                "INSERT INTO likes (post_id, user_id, created_at) VALUES (?, ?, ?)
                 ON CONFLICT (post_id, user_id) DO NOTHING",
            )
            .bind(post)
            .bind(user)
            .bind(now)
            .execute(self.pool())
            .await?;
        } else {
            sqlx::query("DELETE FROM likes WHERE post_id = ? AND user_id = ?")
                .bind(post)
                .bind(user)
                .execute(self.pool())
                .await?;
        }
        let like_count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM likes WHERE post_id = ?")
            .bind(post)
            .fetch_one(self.pool())
            .await?;
        Ok(LikeState { post_id: post, like_count, liked })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query the feed runs must seek through an index; a `SCAN` would make deep pages
    /// cost more than the first.
    #[tokio::test]
    async fn feed_queries_use_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::connect(&format!("sqlite://{}/plan.db", dir.path().display())).await.unwrap();
        for (by_author, search) in [(false, false), (true, false), (false, true), (true, true)] {
            let sql = format!("EXPLAIN QUERY PLAN {}", list_posts_sql(by_author, search));
            let query = sqlx::query_as(&sql).bind(1_i64).bind(1_i64).bind(100_i64).bind(20_i64);
            let query = if search { query.bind("%x%") } else { query };
            let plan: Vec<(i64, i64, i64, String)> = query.fetch_all(db.pool()).await.unwrap();
            let steps: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
            assert!(steps.iter().all(|s| !s.starts_with("SCAN")), "{steps:#?}");
            assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "no sort step: {steps:#?}");
            let seek = if by_author { "posts_by_author (author_id=? AND id<?)" } else { "(rowid<?)" };
            assert!(steps.iter().any(|s| s.starts_with("SEARCH p") && s.contains(seek)), "{steps:#?}");
            assert!(
                steps.iter().any(|s| s.starts_with("SEARCH l USING PRIMARY KEY (post_id=?")),
                "{steps:#?}"
            );
        }
    }
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(super::like_pattern("50%_off\\"), r"%50\%\_off\\%");
    }
}
