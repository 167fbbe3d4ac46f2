use super::{Change, Db, Dialect, Tx};
use shared::{PostId, UserId};

/// The author of a post, as a query over `posts p JOIN users u` names them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuthorColumns {
    pub author_id: UserId,
    pub author_name: String,
    pub author_handle: String,
}

/// What every post row starts with, in the feed and in the admin alike.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostHead {
    pub id: PostId,
    #[sqlx(flatten)]
    pub author: AuthorColumns,
    pub body: String,
    pub created_at: i64,
}

/// The columns of [`PostHead`] (a macro, so `concat!` can build longer column lists on it).
macro_rules! post_head_columns {
    () => {
        "p.id, p.author_id, u.display_name AS author_name, u.handle AS author_handle, p.body, p.created_at"
    };
}
pub(super) use post_head_columns;

/// A post as the feed shows it. Like count and the viewer's like come with the row, so a page
/// costs one query however many posts it holds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    #[sqlx(flatten)]
    pub head: PostHead,
    pub edited_at: Option<i64>,
    pub like_count: i64,
    pub liked: bool,
    #[sqlx(flatten)]
    pub image: ImageColumns,
}

/// A post's image as stored: the file key and type, its size, and the rendered widths
/// (comma-separated; `None` until the rendering job has run).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, sqlx::FromRow)]
pub struct ImageColumns {
    pub image_key: Option<String>,
    pub image_ext: Option<String>,
    pub image_width: Option<i64>,
    pub image_height: Option<i64>,
    pub image_sizes: Option<String>,
}

/// The columns of [`PostRow`]; `$1` is the viewer (NULL for anonymous visitors).
const POST_COLUMNS: &str = concat!(
    post_head_columns!(),
    ", p.edited_at, p.like_count,
    $1 IS NOT NULL AND EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = $1) AS liked,
    p.image_key, p.image_ext, p.image_width, p.image_height, p.image_sizes"
);

/// Plain range conditions only (no `$1 IS NULL OR ...`), so the database seeks straight to
/// the cursor: through the primary key for the feed, through `posts_by_author` for an author's
/// page. On SQLite a search walks the trigram index `posts_search` instead, newest match first
/// (FTS5 orders and bounds by rowid itself), so a search that matches nothing costs one index
/// lookup; on PostgreSQL, `posts_body_trigrams` (pg_trgm) finds the matches.
pub(super) fn list_posts_sql(dialect: Dialect, by_author: bool, search: bool) -> String {
    let author_filter = if by_author { "p.author_id = $2 AND" } else { "" };
    match (search, dialect) {
        (true, Dialect::Sqlite) => format!(
            "SELECT {POST_COLUMNS}
             FROM posts_search s JOIN posts p ON p.id = s.rowid JOIN users u ON u.id = p.author_id
             WHERE posts_search MATCH $5 AND s.rowid < $3 AND {author_filter} p.hidden_at IS NULL
             ORDER BY s.rowid DESC
             LIMIT $4"
        ),
        (true, Dialect::Postgres) => format!(
            "SELECT {POST_COLUMNS}
             FROM posts p JOIN users u ON u.id = p.author_id
             WHERE p.body ILIKE $5 AND p.id < $3 AND {author_filter} p.hidden_at IS NULL
             ORDER BY p.id DESC
             LIMIT $4"
        ),
        (false, _) => format!(
            "SELECT {POST_COLUMNS}
             FROM posts p JOIN users u ON u.id = p.author_id
             WHERE {author_filter} p.id < $3 AND p.hidden_at IS NULL
             ORDER BY p.id DESC
             LIMIT $4"
        ),
    }
}

/// What a search binds: an FTS5 phrase on SQLite, a `LIKE` pattern on PostgreSQL.
fn search_value(dialect: Dialect, text: &str) -> String {
    match dialect {
        Dialect::Sqlite => super::fts_phrase(text),
        Dialect::Postgres => contains_pattern(text),
    }
}

/// `text` as an SQL `LIKE` pattern that matches it anywhere, with `LIKE`'s wildcards taken
/// literally.
pub(crate) fn contains_pattern(text: &str) -> String {
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
        let sql = list_posts_sql(self.dialect(), author.is_some(), search.is_some());
        let search = search.map(|text| search_value(self.dialect(), text));
        on_readers!(self, |pool| {
            let query = sqlx::query_as(&sql)
                .bind(viewer)
                .bind(author)
                .bind(before.unwrap_or(PostId(i64::MAX)))
                .bind(i64::from(limit));
            let query = match &search {
                Some(value) => query.bind(value),
                None => query,
            };
            query.fetch_all(pool).await
        })
    }

    pub async fn post(&self, viewer: Option<UserId>, id: PostId) -> Result<Option<PostRow>, sqlx::Error> {
        let sql = format!(
            "SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id
             WHERE p.id = $2 AND p.hidden_at IS NULL"
        );
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(viewer).bind(id).fetch_optional(pool).await)
    }

    /// The author of a visible post (a hidden one is, to its readers and author, gone).
    pub async fn post_author(&self, id: PostId) -> Result<Option<UserId>, sqlx::Error> {
        let sql = "SELECT author_id FROM posts WHERE id = $1 AND hidden_at IS NULL";
        on_readers!(self, |pool| sqlx::query_scalar(sql).bind(id).fetch_optional(pool).await)
    }

    pub async fn insert_post(&self, author: UserId, body: &str, now: i64) -> Result<PostId, sqlx::Error> {
        let mut tx = self.begin().await?;
        let id = Self::insert_post_in(&mut tx, author, body, &ImageColumns::default(), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Inserts a post inside the caller's transaction (which also enqueues its image job), to
    /// be announced when that commits.
    pub async fn insert_post_in(
        tx: &mut Tx,
        author: UserId,
        body: &str,
        image: &ImageColumns,
        now: i64,
    ) -> Result<PostId, sqlx::Error> {
        let sql =
            "INSERT INTO posts (author_id, body, created_at, image_key, image_ext, image_width, image_height)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
        let id = in_tx!(tx, |conn| {
            sqlx::query_scalar(sql)
                .bind(author)
                .bind(body)
                .bind(now)
                .bind(&image.image_key)
                .bind(&image.image_ext)
                .bind(image.image_width)
                .bind(image.image_height)
                .fetch_one(conn)
                .await
        })?;
        Self::announce_in(tx, Change::Posted { post: id, author });
        Ok(id)
    }

    /// A post's image columns (for the rendering job).
    pub async fn post_image(&self, id: PostId) -> Result<Option<ImageColumns>, sqlx::Error> {
        let sql =
            "SELECT image_key, image_ext, image_width, image_height, image_sizes FROM posts WHERE id = $1";
        on_readers!(self, |pool| sqlx::query_as(sql).bind(id).fetch_optional(pool).await)
    }

    pub async fn set_image_sizes(&self, id: PostId, widths: &[u32]) -> Result<(), sqlx::Error> {
        let sizes = widths.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let sql = "UPDATE posts SET image_sizes = $1 WHERE id = $2";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(&sizes).bind(id), pool)).map(drop)
    }

    pub async fn update_post_in(tx: &mut Tx, id: PostId, body: &str, now: i64) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE posts SET body = $1, edited_at = $2 WHERE id = $3";
        let changed = in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(body).bind(now).bind(id), conn))?;
        if changed == 1 {
            Self::announce_in(tx, Change::Edited(id));
        }
        Ok(changed == 1)
    }

    /// Deletes a post inside the caller's transaction; returns its image columns, or `None`
    /// when there was no such post.
    pub async fn delete_post_in(tx: &mut Tx, id: PostId) -> Result<Option<ImageColumns>, sqlx::Error> {
        let sql = "DELETE FROM posts WHERE id = $1
             RETURNING image_key, image_ext, image_width, image_height, image_sizes";
        let image: Option<ImageColumns> =
            in_tx!(tx, |conn| sqlx::query_as(sql).bind(id).fetch_optional(conn).await)?;
        if image.is_some() {
            Self::announce_in(tx, Change::Removed(id));
        }
        Ok(image)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every query the feed runs must seek through an index; a `SCAN` would make deep pages
    /// cost more than the first.
    #[tokio::test]
    async fn feed_queries_use_indexes() {
        let (_dir, db) = crate::store::scratch_db().await;
        for (by_author, search) in [(false, false), (true, false), (false, true), (true, true)] {
            let sql = format!("EXPLAIN QUERY PLAN {}", list_posts_sql(Dialect::Sqlite, by_author, search));
            let query = sqlx::query_as(&sql).bind(1_i64).bind(1_i64).bind(100_i64).bind(20_i64);
            let query = if search { query.bind("\"xyz\"") } else { query };
            let plan: Vec<(i64, i64, i64, String)> = query.fetch_all(db.pool()).await.unwrap();
            let steps: Vec<&str> = plan.iter().map(|row| row.3.as_str()).collect();
            assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "no sort step: {steps:#?}");
            if search {
                // The trigram index drives the walk; each match is one primary-key lookup.
                assert!(steps.iter().any(|s| s.starts_with("SCAN s VIRTUAL TABLE INDEX")), "{steps:#?}");
                assert!(
                    steps.iter().any(|s| s.starts_with("SEARCH p USING INTEGER PRIMARY KEY")),
                    "{steps:#?}"
                );
                assert_eq!(steps.iter().filter(|s| s.starts_with("SCAN")).count(), 1, "{steps:#?}");
            } else {
                assert!(steps.iter().all(|s| !s.starts_with("SCAN")), "{steps:#?}");
                let seek = if by_author { "posts_by_author (author_id=? AND id<?)" } else { "(rowid<?)" };
                assert!(steps.iter().any(|s| s.starts_with("SEARCH p") && s.contains(seek)), "{steps:#?}");
            }
            assert!(
                steps.iter().any(|s| s.starts_with("SEARCH l USING PRIMARY KEY (post_id=?")),
                "{steps:#?}"
            );
        }
    }

    /// The search index follows the posts: new, edited and deleted posts, any three characters
    /// anywhere, with FTS syntax taken literally.
    #[tokio::test]
    async fn search_finds_what_the_posts_say_now() {
        let (_dir, db) = crate::store::scratch_db().await;
        sqlx::query("INSERT INTO users (id, email, handle, display_name, password_hash, created_at) VALUES (1, 'a@x', 'a', 'A', '', 0)")
            .execute(db.writer())
            .await
            .unwrap();
        let mut tx = db.begin().await.unwrap();
        let first = Db::insert_post_in(&mut tx, UserId(1), "Hello Lovelace", &ImageColumns::default(), 0)
            .await
            .unwrap();
        let second =
            Db::insert_post_in(&mut tx, UserId(1), "AND OR \"quoted\" NEAR", &ImageColumns::default(), 0)
                .await
                .unwrap();
        tx.commit().await.unwrap();
        let found = |text: &'static str| {
            let db = db.clone();
            async move {
                db.list_posts(None, None, Some(text), None, 10)
                    .await
                    .unwrap()
                    .iter()
                    .map(|p| p.head.id)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(found("lovel").await, [first]);
        assert_eq!(found("\"quoted\" NEAR").await, [second]);
        assert_eq!(found("AND OR").await, [second]);
        let mut tx = db.begin().await.unwrap();
        Db::update_post_in(&mut tx, first, "Goodbye", 1).await.unwrap();
        Db::delete_post_in(&mut tx, second).await.unwrap();
        tx.commit().await.unwrap();
        assert!(found("lovel").await.is_empty());
        assert!(found("quoted").await.is_empty());
        assert_eq!(found("goodb").await, [first]);
    }
}

#[cfg(test)]
mod search_tests {
    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(super::contains_pattern("50%_off\\"), r"%50\%\_off\\%");
    }
}
