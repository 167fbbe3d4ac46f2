//! The whole content as data: users, posts and likes, ids and all (`mublog export` and
//! `mublog import`, like Django's dumpdata/loaddata). Sessions, links and jobs are not content
//! and are left out.

use super::{Db, ImageColumns, UserRow};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PostRecord {
    pub id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub image: ImageColumns,
    /// Set while staff keep the post hidden, with their reason.
    #[serde(default)]
    pub hidden_at: Option<i64>,
    #[serde(default)]
    pub hidden_reason: Option<String>,
    #[serde(default)]
    pub hidden_by: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct LikeRecord {
    pub post_id: i64,
    pub user_id: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dump {
    /// Format version, so a future import can tell old dumps apart.
    pub format: u32,
    pub users: Vec<UserRow>,
    pub posts: Vec<PostRecord>,
    pub likes: Vec<LikeRecord>,
}

pub const DUMP_FORMAT: u32 = 1;

/// What a dump holds, for the command line: "2 users, 5 posts, 3 likes".
impl std::fmt::Display for Dump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} users, {} posts, {} likes", self.users.len(), self.posts.len(), self.likes.len())
    }
}

const POST_RECORD_COLUMNS: &str = "id, author_id, body, created_at, edited_at, image_key, image_ext, \
     image_width, image_height, image_sizes, hidden_at, hidden_reason, hidden_by";

impl Db {
    pub async fn export(&self) -> Result<Dump, sqlx::Error> {
        let users = format!("SELECT {} FROM users ORDER BY id", super::users::USER_COLUMNS);
        let posts = format!("SELECT {POST_RECORD_COLUMNS} FROM posts ORDER BY id");
        let likes = "SELECT post_id, user_id, created_at FROM likes ORDER BY post_id, user_id";
        on_readers!(self, |pool| {
            let users = sqlx::query_as(&users).fetch_all(pool).await?;
            let posts = sqlx::query_as(&posts).fetch_all(pool).await?;
            let likes = sqlx::query_as(likes).fetch_all(pool).await?;
            Ok(Dump { format: DUMP_FORMAT, users, posts, likes })
        })
    }

    /// Loads a dump into this (empty) database in one transaction: all of it or nothing.
    pub async fn import(&self, dump: &Dump) -> Result<(), sqlx::Error> {
        let users = format!(
            "INSERT INTO users ({}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            super::users::USER_COLUMNS
        );
        let posts = format!(
            "INSERT INTO posts ({POST_RECORD_COLUMNS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        );
        let likes = "INSERT INTO likes (post_id, user_id, created_at) VALUES ($1, $2, $3)";
        let mut tx = self.begin().await?;
        in_tx!(tx, |conn| {
            for u in &dump.users {
                let insert = sqlx::query(&users)
                    .bind(u.id)
                    .bind(&u.email)
                    .bind(&u.display_name)
                    .bind(&u.handle)
                    .bind(&u.first_name)
                    .bind(&u.last_name)
                    .bind(&u.password_hash)
                    .bind(u.is_staff)
                    .bind(u.email_verified_at)
                    .bind(u.created_at)
                    .bind(u.deactivated_at)
                    .bind(&u.proxy_username);
                execute!(insert, &mut *conn)?;
            }
            for p in &dump.posts {
                let insert = sqlx::query(&posts)
                    .bind(p.id)
                    .bind(p.author_id)
                    .bind(&p.body)
                    .bind(p.created_at)
                    .bind(p.edited_at)
                    .bind(&p.image.image_key)
                    .bind(&p.image.image_ext)
                    .bind(p.image.image_width)
                    .bind(p.image.image_height)
                    .bind(&p.image.image_sizes)
                    .bind(p.hidden_at)
                    .bind(&p.hidden_reason)
                    .bind(p.hidden_by);
                execute!(insert, &mut *conn)?;
            }
            for l in &dump.likes {
                execute!(sqlx::query(likes).bind(l.post_id).bind(l.user_id).bind(l.created_at), &mut *conn)?;
            }
            Ok::<_, sqlx::Error>(())
        })?;
        if let super::TxOn::Postgres(conn) = &mut tx.on {
            // Ids came with the dump; new rows must be numbered after them.
            for table in ["users", "posts"] {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"
                );
                sqlx::query(&sql).execute(&mut **conn).await?;
            }
        }
        tx.commit().await
    }
}

/// Helpers for bulk seeding inside one transaction.
impl Db {
    pub(crate) async fn next_user_id(&self) -> Result<i64, sqlx::Error> {
        let sql = "SELECT COALESCE(MAX(id), 0) + 1 FROM users";
        on_readers!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)
    }

    pub(crate) async fn seed_profile(
        tx: &mut super::Tx,
        user: shared::UserId,
        first: &str,
        last: &str,
        verified_at: i64,
    ) -> Result<(), sqlx::Error> {
        let sql = "UPDATE users SET first_name = $1, last_name = $2, email_verified_at = $3 WHERE id = $4";
        in_tx!(tx, |conn| {
            execute!(sqlx::query(sql).bind(first).bind(last).bind(verified_at).bind(user), conn)
        })?;
        Ok(())
    }

    /// 1 if the like was new.
    pub(crate) async fn seed_like(
        tx: &mut super::Tx,
        post: shared::PostId,
        user: shared::UserId,
        at: i64,
    ) -> Result<u64, sqlx::Error> {
        let sql =
            "INSERT INTO likes (post_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
        in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(post).bind(user).bind(at), conn))
    }
}
