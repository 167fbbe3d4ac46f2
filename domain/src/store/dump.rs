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

impl Db {
    pub async fn export(&self) -> Result<Dump, sqlx::Error> {
        let users = sqlx::query_as(&format!("SELECT {} FROM users ORDER BY id", super::users::USER_COLUMNS))
            .fetch_all(self.pool())
            .await?;
        let posts = sqlx::query_as(
            "SELECT id, author_id, body, created_at, edited_at, image_key, image_ext, image_width,
                    image_height, image_sizes, hidden_at, hidden_reason, hidden_by
             FROM posts ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        let likes =
            sqlx::query_as("SELECT post_id, user_id, created_at FROM likes ORDER BY post_id, user_id")
                .fetch_all(self.pool())
                .await?;
        Ok(Dump { format: DUMP_FORMAT, users, posts, likes })
    }

    /// Loads a dump into this (empty) database in one transaction: all of it or nothing.
    pub async fn import(&self, dump: &Dump) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        for u in &dump.users {
            sqlx::query(
                "INSERT INTO users (id, email, display_name, handle, first_name, last_name, password_hash,
                                    is_staff, email_verified_at, created_at, deactivated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
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
            .execute(&mut *tx)
            .await?;
        }
        for p in &dump.posts {
            sqlx::query(
                "INSERT INTO posts (id, author_id, body, created_at, edited_at, image_key, image_ext,
                                    image_width, image_height, image_sizes, hidden_at, hidden_reason,
                                    hidden_by)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
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
            .bind(p.hidden_by)
            .execute(&mut *tx)
            .await?;
        }
        for l in &dump.likes {
            sqlx::query("INSERT INTO likes (post_id, user_id, created_at) VALUES (?, ?, ?)")
                .bind(l.post_id)
                .bind(l.user_id)
                .bind(l.created_at)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }
}

/// Helpers for bulk seeding inside one transaction.
impl Db {
    pub(crate) async fn next_user_id(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM users").fetch_one(self.pool()).await
    }

    pub(crate) async fn seed_profile(
        tx: &mut super::Tx,
        user: shared::UserId,
        first: &str,
        last: &str,
        verified_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET first_name = ?, last_name = ?, email_verified_at = ? WHERE id = ?")
            .bind(first)
            .bind(last)
            .bind(verified_at)
            .bind(user)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// 1 if the like was new.
    pub(crate) async fn seed_like(
        tx: &mut super::Tx,
        post: shared::PostId,
        user: shared::UserId,
        at: i64,
    ) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(
            "INSERT INTO likes (post_id, user_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(post)
        .bind(user)
        .bind(at)
        .execute(&mut **tx)
        .await?
        .rows_affected())
    }
}
