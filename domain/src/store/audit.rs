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

impl Db {
    pub async fn record_audit_in(tx: &mut Tx, event: AuditEvent<'_>, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO audit_log (at, actor_id, action, target_type, target_id, detail)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(now)
        .bind(event.actor)
        .bind(event.action)
        .bind(event.target_type)
        .bind(event.target_id)
        .bind(event.detail)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Newest first, below `before`.
    pub async fn audit_trail(&self, before: Option<i64>, limit: u32) -> Result<Vec<AuditRow>, sqlx::Error> {
        sqlx::query_as(
            "SELECT a.id, a.at, a.actor_id, u.display_name AS actor_name, u.handle AS actor_handle,
                    a.action, a.target_type, a.target_id, a.detail
             FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
             WHERE a.id < ? ORDER BY a.id DESC LIMIT ?",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.pool())
        .await
    }
}
