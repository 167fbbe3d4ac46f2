//! Single-use links (email verification, password reset), stored as SHA-256 hashes.

use super::{Db, Tx};
use shared::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
}

impl Db {
    pub async fn insert_one_time_token(
        &self,
        purpose: Purpose,
        user: UserId,
        token_hash: &[u8],
        now: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        let sql = "INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)";
        on_writer!(self, |pool| {
            let insert = sqlx::query(sql)
                .bind(token_hash)
                .bind(purpose.as_str())
                .bind(user)
                .bind(now)
                .bind(expires_at);
            execute!(insert, pool)
        })
        .map(drop)
    }

    /// Marks a live token used and returns its user. Checking and spending are one statement,
    /// so two requests with the same link cannot both succeed.
    pub async fn spend_one_time_token_in(
        tx: &mut Tx,
        purpose: Purpose,
        token_hash: &[u8],
        now: i64,
    ) -> Result<Option<UserId>, sqlx::Error> {
        let sql = "UPDATE one_time_tokens SET used_at = $1
             WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
             RETURNING user_id";
        in_tx!(tx, |conn| {
            sqlx::query_scalar(sql)
                .bind(now)
                .bind(token_hash)
                .bind(purpose.as_str())
                .fetch_optional(conn)
                .await
        })
    }

    /// Spends every other live link of this purpose: a reset makes older reset links useless.
    pub async fn spend_all_one_time_tokens_in(
        tx: &mut Tx,
        purpose: Purpose,
        user: UserId,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let sql = "UPDATE one_time_tokens SET used_at = $1
             WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL";
        in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(now).bind(user).bind(purpose.as_str()), conn))?;
        Ok(())
    }

    /// Deletes links that expired before `now`, and used ones.
    pub async fn purge_one_time_tokens(&self, now: i64) -> Result<u64, sqlx::Error> {
        let sql = "DELETE FROM one_time_tokens WHERE expires_at < $1 OR used_at IS NOT NULL";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(now), pool))
    }
}
