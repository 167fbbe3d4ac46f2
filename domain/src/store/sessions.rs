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

const INSERT_TOKEN: &str =
    "INSERT INTO refresh_tokens (token_hash, family_id, issued_at) VALUES ($1, $2, $3)";

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
        let sql = "INSERT INTO refresh_families (user_id, created_at, last_used_at, expires_at, user_agent)
             VALUES ($1, $2, $2, $3, $4)
             RETURNING id, user_id, expires_at, revoked_at";
        let mut tx = self.begin().await?;
        let family: FamilyRow = in_tx!(tx, |conn| {
            let family: FamilyRow = sqlx::query_as(sql)
                .bind(user)
                .bind(now)
                .bind(expires_at)
                .bind(user_agent)
                .fetch_one(&mut *conn)
                .await?;
            execute!(sqlx::query(INSERT_TOKEN).bind(token_hash).bind(family.id).bind(now), conn)?;
            Ok::<_, sqlx::Error>(family)
        })?;
        tx.commit().await?;
        Ok(family)
    }

    pub async fn find_refresh_token(&self, token_hash: &[u8]) -> Result<Option<TokenRow>, sqlx::Error> {
        let sql = "SELECT t.family_id, f.user_id, f.expires_at, f.revoked_at, t.superseded_at
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             WHERE t.token_hash = $1";
        on_readers!(self, |pool| sqlx::query_as(sql).bind(token_hash).fetch_optional(pool).await)
    }

    /// [`Db::find_refresh_token`] and the user it belongs to, in one query: every signed-in
    /// page asks this.
    pub async fn find_refresh_token_with_user(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<TokenUserRow>, sqlx::Error> {
        let sql = format!(
            "SELECT t.family_id, f.user_id, f.expires_at, f.revoked_at, t.superseded_at, {}
             FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
             JOIN users u ON u.id = f.user_id
             WHERE t.token_hash = $1",
            super::users::USER_COLUMNS_OF_U
        );
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(token_hash).fetch_optional(pool).await)
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
        let supersede =
            "UPDATE refresh_tokens SET superseded_at = $1 WHERE token_hash = $2 AND superseded_at IS NULL";
        let used = "UPDATE refresh_families SET last_used_at = $1 WHERE id = $2";
        let mut tx = self.begin().await?;
        let won = in_tx!(tx, |conn| {
            if execute!(sqlx::query(supersede).bind(now).bind(old_hash), &mut *conn)? != 1 {
                return Ok(false);
            }
            execute!(sqlx::query(INSERT_TOKEN).bind(new_hash).bind(family_id).bind(now), &mut *conn)?;
            execute!(sqlx::query(used).bind(now).bind(family_id), conn)?;
            Ok::<_, sqlx::Error>(true)
        })?;
        tx.commit().await?;
        Ok(won)
    }

    /// Spends the one concurrent-refresh grace of a rotated token; false if it was spent.
    pub async fn spend_refresh_grace(&self, token_hash: &[u8], now: i64) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE refresh_tokens SET grace_spent_at = $1
                 WHERE token_hash = $2 AND superseded_at IS NOT NULL AND grace_spent_at IS NULL";
        let spent = on_writer!(self, |pool| execute!(sqlx::query(sql).bind(now).bind(token_hash), pool))?;
        Ok(spent == 1)
    }

    /// If `family` is a live sign-in of `user` and the account is active: whether the user's
    /// email is verified. `None` for an ended sign-in or a deactivated account.
    pub async fn live_session(
        &self,
        user: UserId,
        family: SessionId,
        now: i64,
    ) -> Result<Option<bool>, sqlx::Error> {
        let sql = "SELECT u.email_verified_at IS NOT NULL
             FROM refresh_families f JOIN users u ON u.id = f.user_id
             WHERE f.id = $1 AND f.user_id = $2 AND f.revoked_at IS NULL AND f.expires_at > $3
               AND u.deactivated_at IS NULL";
        on_readers!(self, |pool| {
            sqlx::query_scalar(sql).bind(family).bind(user).bind(now).fetch_optional(pool).await
        })
    }

    /// The user's live sign-ins, most recently used first.
    pub async fn sessions_of(&self, user: UserId, now: i64) -> Result<Vec<SessionRow>, sqlx::Error> {
        let sql = "SELECT id, created_at, COALESCE(last_used_at, created_at) AS last_used_at, user_agent
             FROM refresh_families
             WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2
             ORDER BY last_used_at DESC, id DESC";
        on_readers!(self, |pool| sqlx::query_as(sql).bind(user).bind(now).fetch_all(pool).await)
    }

    /// Revokes one of the user's sign-ins; false if it is not theirs or already over.
    pub async fn revoke_family_of(
        &self,
        user: UserId,
        family_id: SessionId,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE refresh_families SET revoked_at = $1
             WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
        let revoked =
            on_writer!(self, |pool| execute!(sqlx::query(sql).bind(now).bind(family_id).bind(user), pool))?;
        Ok(revoked == 1)
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
        let sql = "UPDATE refresh_families SET revoked_at = $1
             WHERE user_id = $2 AND revoked_at IS NULL AND id IS DISTINCT FROM $3";
        in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(now).bind(user).bind(keep), conn))
    }

    /// Deletes sign-ins that ended (expired or revoked) before `before`, with their tokens.
    pub async fn purge_families(&self, before: i64) -> Result<u64, sqlx::Error> {
        let sql = "DELETE FROM refresh_families WHERE expires_at < $1 OR revoked_at < $1";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(before), pool))
    }

    pub async fn revoke_family(&self, family_id: SessionId, now: i64) -> Result<(), sqlx::Error> {
        let sql = "UPDATE refresh_families SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(now).bind(family_id), pool)).map(drop)
    }
}
