//! The audit trail: one row per staff action, written in the action's own transaction.

use super::{Db, Tx};
use shared::UserId;

/// A recorded staff action, with the actor's name if the account still exists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub actor_handle: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: i64,
    pub detail: String,
}

/// What a staff member did, to which record.
pub struct AuditEvent<'a> {
    pub actor: UserId,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: i64,
    pub detail: &'a str,
}

pub(super) const AUDIT_TRAIL_SQL: &str = "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name,
         u.handle AS actor_handle, a.action, a.target_type, a.target_id, a.detail
     FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
     WHERE a.id < $1 ORDER BY a.id DESC LIMIT $2";

impl Db {
    pub async fn record_audit_in(tx: &mut Tx, event: AuditEvent<'_>, now: i64) -> Result<(), sqlx::Error> {
        let sql = "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, detail)
             VALUES ($1, $2, $3, $4, $5, $6)";
        in_tx!(tx, |conn| {
            let insert = sqlx::query(sql)
                .bind(now)
                .bind(event.actor)
                .bind(event.action)
                .bind(event.target_type)
                .bind(event.target_id)
                .bind(event.detail);
            execute!(insert, conn)
        })?;
        Ok(())
    }

    /// Newest first, below `before`.
    pub async fn audit_trail(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditRow>, sqlx::Error> {
        on_readers!(self, |pool| {
            sqlx::query_as(AUDIT_TRAIL_SQL)
                .bind(before.unwrap_or(i64::MAX))
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
        })
    }
}
