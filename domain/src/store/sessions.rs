//! Refresh-token families. Only token hashes are stored.

use super::Db;
use shared::UserId;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FamilyRow {
    pub id: i64,
    pub user_id: UserId,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A presented refresh token, with its family.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub family_id: i64,
    pub user_id: UserId,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub superseded_at: Option<i64>,
}

impl Db {
    /// Starts a family with its first token.
    pub async fn insert_family(
        &self,
        user: UserId,
        token_hash: &[u8],
        now: i64,
        expires_at: i64,
    ) -> Result<FamilyRow, sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        let family: FamilyRow = sqlx::query_as(
            "INSERT INTO refresh_families (user_id, created_at, expires_at) VALUES (?, ?, ?)
             RETURNING id, user_id, expires_at, revoked_at",
        )
        .bind(user)
        .bind(now)
        .bind(expires_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id, issued_at) VALUES (?, ?, ?)")
            .bind(token_hash)
            .bind(family.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(family)
    }

    pub async fn find_refresh_token(&self, token_hash: &[u8]) -> Result<Option<TokenRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT t.family_id, f.user_id, f.expires_at, f.revoked_at, t.superseded_at
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.token_hash = ?",
        )
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await
    }

    /// Replaces `old` by `new` in its family if `old` is still current. Returns false when
    /// another request rotated it first; the check and the write are one statement, so two
    /// concurrent refreshes cannot both win.
    pub async fn rotate_refresh_token(
        &self,
        family_id: i64,
        old_hash: &[u8],
        new_hash: &[u8],
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.pool().begin().await?;
        let won = sqlx::query(
            "UPDATE refresh_tokens SET superseded_at = ? WHERE token_hash = ? AND superseded_at IS NULL",
        )
        .bind(now)
        .bind(old_hash)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !won {
            return Ok(false);
        }
        sqlx::query("INSERT INTO refresh_tokens (token_hash, family_id, issued_at) VALUES (?, ?, ?)")
            .bind(new_hash)
            .bind(family_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn revoke_family(&self, family_id: i64, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(family_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
