//! Refresh-token families. Only token hashes are stored.

use super::{Db, Tx};
use shared::{SessionId, UserId};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FamilyRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A signed-in device, as the sessions page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: SessionId,
    pub created_at: i64,
    pub last_used_at: i64,
    pub user_agent: String,
}

/// A presented refresh token, with its family.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub family_id: SessionId,
    pub user_id: UserId,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub superseded_at: Option<i64>,
}

/// A presented refresh token with its family and its user, in one read (for pages).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenUserRow {
    #[sqlx(flatten)]
    pub token: TokenRow,
    #[sqlx(flatten)]
    pub user: super::UserRow,
}

impl Db {
    /// Starts a family with its first token.
    pub async fn insert_family(
        &self,
        user: UserId,
        token_hash: &[u8],
        user_agent: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<FamilyRow, sqlx::Error> {
        let mut tx = self.begin().await?;
        let family: FamilyRow = sqlx::query_as(
            "INSERT INTO refresh_families (user_id, created_at, last_used_at, expires_at, user_agent)
             VALUES (?, ?, ?, ?, ?)
             RETURNING id, user_id, expires_at, revoked_at",
        )
        .bind(user)
        .bind(now)
        .bind(now)
        .bind(expires_at)
        .bind(user_agent)
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

    /// [`Db::find_refresh_token`] and the user it belongs to, in one query: every signed-in
    /// page asks this.
    pub async fn find_refresh_token_with_user(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<TokenUserRow>, sqlx::Error> {
        sqlx::query_as(&format!(
            "SELECT t.family_id, f.user_id, f.expires_at, f.revoked_at, t.superseded_at, {}
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             JOIN users u ON u.id = f.user_id
             WHERE t.token_hash = ?",
            super::users::USER_COLUMNS_OF_U
        ))
        .bind(token_hash)
        .fetch_optional(self.pool())
        .await
    }

    /// Replaces `old` by `new` in its family if `old` is still current. Returns false when
    /// another request rotated it first; the check and the write are one statement, so two
    /// concurrent refreshes cannot both win.
    pub async fn rotate_refresh_token(
        &self,
        family_id: SessionId,
        old_hash: &[u8],
        new_hash: &[u8],
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
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
        sqlx::query("UPDATE refresh_families SET last_used_at = ? WHERE id = ?")
            .bind(now)
            .bind(family_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Spends the one concurrent-refresh grace of a rotated token; false if it was spent.
    pub async fn spend_refresh_grace(&self, token_hash: &[u8], now: i64) -> Result<bool, sqlx::Error> {
        let spent = self.write(
            sqlx::query(
                "UPDATE refresh_tokens SET grace_spent_at = ?
                 WHERE token_hash = ? AND superseded_at IS NOT NULL AND grace_spent_at IS NULL",
            )
            .bind(now)
            .bind(token_hash),
        );
        Ok(spent.await? == 1)
    }

    /// If `family` is a live sign-in of `user` and the account is active: whether the user's
    /// email is verified. `None` for an ended sign-in or a deactivated account.
    pub async fn live_session(
        &self,
        user: UserId,
        family: SessionId,
        now: i64,
    ) -> Result<Option<bool>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT u.email_verified_at IS NOT NULL
             FROM refresh_families f JOIN users u ON u.id = f.user_id
             WHERE f.id = ? AND f.user_id = ? AND f.revoked_at IS NULL AND f.expires_at > ?
               AND u.deactivated_at IS NULL",
        )
        .bind(family)
        .bind(user)
        .bind(now)
        .fetch_optional(self.pool())
        .await
    }

    /// The user's live sign-ins, most recently used first.
    pub async fn sessions_of(&self, user: UserId, now: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT id, created_at, COALESCE(last_used_at, created_at) AS last_used_at, user_agent
             FROM refresh_families
             WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
             ORDER BY last_used_at DESC, id DESC",
        )
        .bind(user)
        .bind(now)
        .fetch_all(self.pool())
        .await
    }

    /// Revokes one of the user's sign-ins; false if it is not theirs or already over.
    pub async fn revoke_family_of(
        &self,
        user: UserId,
        family_id: SessionId,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let revoked = self.write(
            sqlx::query(
                "UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(family_id)
            .bind(user),
        );
        Ok(revoked.await? == 1)
    }

    /// Revokes all of the user's sign-ins except `keep`; how many there were.
    pub async fn revoke_families_of(
        &self,
        user: UserId,
        keep: Option<SessionId>,
        now: i64,
    ) -> Result<u64, sqlx::Error> {
        let mut tx = self.begin().await?;
        let ended = Self::revoke_families_in(&mut tx, user, keep, now).await?;
        tx.commit().await?;
        Ok(ended)
    }

    /// The same inside the caller's transaction (a staff action and its audit row).
    pub async fn revoke_families_in(
        tx: &mut Tx,
        user: UserId,
        keep: Option<SessionId>,
        now: i64,
    ) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE refresh_families SET revoked_at = ?
             WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ?",
        )
        .bind(now)
        .bind(user)
        .bind(keep)
        .execute(&mut **tx)
        .await?
        .rows_affected())
    }

    /// Deletes sign-ins that ended (expired or revoked) before `before`, with their tokens.
    pub async fn purge_families(&self, before: i64) -> Result<u64, sqlx::Error> {
        self.write(
            sqlx::query("DELETE FROM refresh_families WHERE expires_at < ?1 OR revoked_at < ?1").bind(before),
        )
        .await
    }

    pub async fn revoke_family(&self, family_id: SessionId, now: i64) -> Result<(), sqlx::Error> {
        self.write(
            sqlx::query("UPDATE refresh_families SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(family_id),
        )
        .await
        .map(drop)
    }
}
