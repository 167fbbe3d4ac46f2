//! The request log's storage: bulk inserts and the retention purge.

use super::select::{and_bind, and_time_range, bind_values, Built};
use super::{Db, Dialect};
use shared::admin::{RequestEntry, RequestRecord};
use shared::UserId;

/// Which requests to list; each of `status`, `user`, `path` and `route` has an index that
/// walks its requests newest first, and a time range becomes id bounds through `(at)`.
#[derive(Debug, Default)]
pub struct RequestSelection<'a> {
    pub path: Option<&'a str>,
    pub route: Option<&'a str>,
    pub method: Option<&'a str>,
    pub status: Option<u16>,
    pub user: Option<UserId>,
    pub at: (Option<i64>, Option<i64>),
    pub before: Option<i64>,
}

/// Named index on SQLite: left to itself, it walks the whole `(status, id)` index to save
/// sorting the handful of groups (0.23 s at a million rows, against 1 ms for the time range).
pub(super) fn status_counts_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "SELECT status, COUNT(*) FROM request_log INDEXED BY request_log_by_time
             WHERE at >= $1 GROUP BY status ORDER BY status"
        }
        Dialect::Postgres => {
            "SELECT status, COUNT(*) FROM request_log WHERE at >= $1 GROUP BY status ORDER BY status"
        }
    }
}

const LOGGED_COLUMNS: &str =
    "id, at, method, path, route, status, duration_us, user_id, client_ip, user_agent";

pub(super) fn requests_sql(s: &RequestSelection<'_>, limit: u32) -> Built {
    let mut q = Built::new(format!("SELECT {LOGGED_COLUMNS} FROM request_log WHERE id < "));
    q.bind(s.before.unwrap_or(i64::MAX));
    and_bind(&mut q, "path = ", s.path);
    and_bind(&mut q, "route = ", s.route);
    and_bind(&mut q, "method = ", s.method);
    and_bind(&mut q, "status = ", s.status);
    and_bind(&mut q, "user_id = ", s.user);
    // The first id of the first second in range (and the last of the last): two seeks in the
    // `(at, status)` index.
    and_time_range(
        &mut q,
        s.at,
        ("at", "id"),
        ("(SELECT MIN(id) FROM request_log WHERE at = (SELECT MIN(at) FROM request_log WHERE at >= ", "))"),
        ("(SELECT MAX(id) FROM request_log WHERE at = (SELECT MAX(at) FROM request_log WHERE at < ", "))"),
    );
    q.push(" ORDER BY id DESC LIMIT ").bind(limit);
    q
}

impl Db {
    pub async fn select_requests(
        &self,
        s: &RequestSelection<'_>,
        limit: u32,
    ) -> Result<Vec<RequestRecord>, sqlx::Error> {
        let q = requests_sql(s, limit);
        on_readers!(self, |pool| bind_values!(sqlx::query_as(q.text()), q).fetch_all(pool).await)
    }

    /// Requests since `since`, counted by status, read from the `(at, status)` index alone.
    pub async fn status_counts(&self, since: i64) -> Result<Vec<(u16, i64)>, sqlx::Error> {
        let sql = status_counts_sql(self.dialect());
        let counts: Vec<(i32, i64)> =
            on_readers!(self, |pool| sqlx::query_as(sql).bind(since).fetch_all(pool).await)?;
        // Statuses are written from `u16`s.
        Ok(counts.into_iter().map(|(status, n)| (status as u16, n)).collect())
    }

    /// The slowest requests since `since`.
    pub async fn slowest_requests(&self, since: i64, limit: u32) -> Result<Vec<RequestRecord>, sqlx::Error> {
        let sql = format!(
            "SELECT {LOGGED_COLUMNS} FROM request_log WHERE at >= $1 ORDER BY duration_us DESC, id DESC LIMIT $2"
        );
        on_readers!(self, |pool| sqlx::query_as(&sql)
            .bind(since)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await)
    }

    /// Writes a batch as one `INSERT` per thousand entries. Every statement is two hand-offs
    /// to SQLite's writer thread, and the likes queued behind the log wait for all of them:
    /// with a statement per row, a batch of 500 held the writer for tens of milliseconds.
    pub async fn insert_request_log(&self, entries: &[RequestEntry]) -> Result<(), sqlx::Error> {
        // Nine values a row, well below either database's bound values a statement.
        for chunk in entries.chunks(1_000) {
            let mut q = Built::new(
                "INSERT INTO request_log (at, method, path, route, status, duration_us, user_id, client_ip, user_agent) VALUES ",
            );
            for e in chunk {
                q.row([
                    e.at.into(),
                    e.method.as_str().into(),
                    e.path.as_str().into(),
                    e.route.as_str().into(),
                    e.status.into(),
                    e.duration_us.into(),
                    e.user_id.into(),
                    e.client_ip.as_str().into(),
                    e.user_agent.as_str().into(),
                ]);
            }
            on_writer!(self, |pool| execute!(bind_values!(sqlx::query(q.text()), q), pool))?;
        }
        Ok(())
    }

    pub async fn purge_request_log(&self, before: i64) -> Result<u64, sqlx::Error> {
        let sql = "DELETE FROM request_log WHERE at < $1";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(before), pool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each filter of the request-log view walks an index newest first: no scan, no sort.
    #[tokio::test]
    async fn request_log_filters_use_indexes() {
        let (_dir, db) = crate::store::scratch_db().await;
        let cases: [(RequestSelection<'_>, &str); 6] = [
            (RequestSelection::default(), "(rowid<?)"),
            (
                RequestSelection { status: Some(500), ..Default::default() },
                "request_log_by_status (status=? AND id<?)",
            ),
            (
                RequestSelection { user: Some(shared::UserId(1)), ..Default::default() },
                "request_log_by_user (user_id=? AND id<?)",
            ),
            (
                RequestSelection { path: Some("/"), ..Default::default() },
                "request_log_by_path (path=? AND id<?)",
            ),
            (
                RequestSelection { route: Some("/"), ..Default::default() },
                "request_log_by_route (route=? AND id<?)",
            ),
            (RequestSelection { at: (Some(1), Some(2)), ..Default::default() }, "(rowid>? AND rowid<?)"),
        ];
        for (selection, through) in cases {
            let steps = crate::store::query_plan(&db, &requests_sql(&selection, 51)).await;
            assert!(steps.iter().all(|s| !s.starts_with("SCAN")), "{steps:#?}");
            assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "{steps:#?}");
            assert!(steps.iter().any(|s| s.contains(through)), "expected {through}: {steps:#?}");
        }
        let counts = Built::new(status_counts_sql(Dialect::Sqlite).replace("$1", "1"));
        let steps = crate::store::query_plan(&db, &counts).await;
        assert_eq!(
            steps[0], "SEARCH request_log USING COVERING INDEX request_log_by_time (at>?)",
            "{steps:#?}"
        );
    }

    /// A flush larger than one statement can bind (9 values × 4,000 entries) is written whole,
    /// each entry as it came.
    #[tokio::test]
    async fn a_large_batch_is_written_whole() {
        let (_dir, db) = crate::store::scratch_db().await;
        let entries = entries(4_000);
        db.insert_request_log(&entries).await.unwrap();
        let slowest = db.slowest_requests(0, 4_001).await.unwrap();
        assert_eq!(slowest.len(), 4_000);
        let mut written: Vec<RequestEntry> = slowest.into_iter().map(|r| r.entry).collect();
        written.sort_by_key(|e| e.at);
        assert_eq!(written, entries);
    }

    /// Each size of batch is a statement text of its own: none of the large ones stays
    /// prepared on the writer (sqlx would keep up to 100 per connection).
    #[tokio::test]
    async fn large_batches_leave_no_statement_prepared() {
        use sqlx::Connection;
        let (_dir, db) = crate::store::scratch_db().await;
        let super::super::Backend::Sqlite(sqlite) = &db.backend else { unreachable!("a SQLite file") };
        let prepared = sqlite.writer.acquire().await.unwrap().cached_statements_size();
        // Nine values an entry: eight entries are more than a statement kept prepared binds.
        for size in 8..=40 {
            db.insert_request_log(&entries(size)).await.unwrap();
        }
        assert_eq!(sqlite.writer.acquire().await.unwrap().cached_statements_size(), prepared);
    }

    fn entries(count: i64) -> Vec<RequestEntry> {
        (0..count)
            .map(|n| RequestEntry {
                at: 1_000 + n,
                method: "GET".into(),
                path: format!("/posts/{n}"),
                route: "/posts/{id}".into(),
                status: 200,
                duration_us: n,
                user_id: (n % 2 == 0).then_some(UserId(n)),
                client_ip: "203.0.113.9".into(),
                user_agent: "test".into(),
            })
            .collect()
    }
}
