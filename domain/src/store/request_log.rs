//! The request log's storage: bulk inserts and the retention purge.

use super::Db;

/// One served request.
#[derive(Debug, Clone)]
pub struct RequestEntry {
    pub at: i64,
    pub method: String,
    pub path: String,
    pub route: String,
    pub status: u16,
    pub duration_us: i64,
    pub user_id: Option<i64>,
    pub client_ip: String,
    pub user_agent: String,
}

impl Db {
    /// Writes a batch in one transaction (one fsync for the lot).
    pub async fn insert_request_log(&self, entries: &[RequestEntry]) -> Result<(), sqlx::Error> {
        let mut tx = self.begin().await?;
        for e in entries {
            sqlx::query(
                "INSERT INTO request_log (at, method, path, route, status, duration_us, user_id, client_ip, user_agent)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(e.at)
            .bind(&e.method)
            .bind(&e.path)
            .bind(&e.route)
            .bind(e.status)
            .bind(e.duration_us)
            .bind(e.user_id)
            .bind(&e.client_ip)
            .bind(&e.user_agent)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    pub async fn purge_request_log(&self, before: i64) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query("DELETE FROM request_log WHERE at < ?")
            .bind(before)
            .execute(self.pool())
            .await?
            .rows_affected())
    }
}
