//! The job queue's storage. A claim is one `UPDATE … RETURNING`, so two workers never get the
//! same job: SQLite serialises writers, and on PostgreSQL the claim locks the row it picks
//! with `FOR UPDATE SKIP LOCKED`, so concurrent claims on other instances pass it by.
//!
//! On PostgreSQL a new job is also announced (`NOTIFY`, delivered when its transaction
//! commits), so idle workers on every instance start it at once rather than at their next poll.

use super::{Backend, Db, Dialect, Tx};
use shared::admin::JobRecord;
use shared::JobId;

/// A stored job: what the admin shows of it, and the payload a worker runs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct JobRow {
    #[sqlx(flatten)]
    pub job: JobRecord,
    pub payload: String,
}

/// A job to write: what to do, when, and how often to try.
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub payload: &'a str,
    pub run_at: i64,
    pub max_attempts: i64,
    pub unique_key: Option<&'a str>,
}

/// The channel new jobs are announced on.
const NEW_JOBS: &str = "mublog_jobs";

const JOB_COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at";

/// Binds the state (`$1`), the cursor (`$2`) and the limit (`$3`).
pub(super) fn select_jobs_sql(state: Option<&str>) -> String {
    let filter = match state {
        Some("failed") => "state = 'queued' AND last_error IS NOT NULL AND",
        Some(_) => "state = $1 AND",
        None => "",
    };
    format!("SELECT {JOB_COLUMNS} FROM jobs WHERE {filter} id < $2 ORDER BY id DESC LIMIT $3")
}

impl Db {
    /// Adds a job inside the caller's transaction: it exists exactly when that data does.
    /// A job whose `unique_key` is already taken is skipped (false).
    pub async fn enqueue_in(tx: &mut Tx, job: NewJob<'_>, now: i64) -> Result<bool, sqlx::Error> {
        let sql = "INSERT INTO jobs (kind, payload, max_attempts, run_at, unique_key, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (unique_key) DO NOTHING";
        let inserted = in_tx!(tx, |conn| {
            let insert = sqlx::query(sql)
                .bind(job.kind)
                .bind(job.payload)
                .bind(job.max_attempts)
                .bind(job.run_at)
                .bind(job.unique_key)
                .bind(now);
            execute!(insert, conn)
        })?;
        if let (1, super::TxOn::Postgres(conn)) = (inserted, &mut tx.on) {
            sqlx::query("SELECT pg_notify($1, '')").bind(NEW_JOBS).execute(&mut **conn).await?;
        }
        Ok(inserted == 1)
    }

    /// Calls `wake` whenever any process commits a new job. On SQLite there is nothing to hear
    /// (workers poll) and this returns `Ok` at once; on PostgreSQL it listens until the
    /// connection fails for good. Notifications sent while it reconnects are lost, so workers
    /// still poll.
    pub async fn hear_new_jobs(&self, wake: impl Fn()) -> Result<(), sqlx::Error> {
        let Backend::Postgres(pool) = &self.backend else { return Ok(()) };
        let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
        listener.listen(NEW_JOBS).await?;
        loop {
            listener.recv().await?;
            wake();
        }
    }

    pub async fn enqueue(&self, job: NewJob<'_>, now: i64) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin().await?;
        let inserted = Self::enqueue_in(&mut tx, job, now).await?;
        tx.commit().await?;
        Ok(inserted)
    }

    /// Leases the next due job until `lease_until`: a queued job whose time has come, or a
    /// running one whose worker let its lease lapse (it crashed). Counts the attempt.
    pub async fn claim_job(&self, now: i64, lease_until: i64) -> Result<Option<JobRow>, sqlx::Error> {
        let lock = match self.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $2
             WHERE id = (
                 SELECT id FROM jobs
                 WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1)
                 ORDER BY run_at, id LIMIT 1 {lock})
             RETURNING {JOB_COLUMNS}"
        );
        on_writer!(self, |pool| sqlx::query_as(&sql).bind(now).bind(lease_until).fetch_optional(pool).await)
    }

    pub async fn finish_job(&self, id: JobId, now: i64) -> Result<(), sqlx::Error> {
        let sql = "UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = $1 WHERE id = $2";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(now).bind(id), pool)).map(drop)
    }

    /// Records a failure: back to the queue for `retry_at`, or `dead` when `retry_at` is `None`.
    pub async fn fail_job(
        &self,
        id: JobId,
        error: &str,
        retry_at: Option<i64>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let (state, run_at, finished_at) = match retry_at {
            Some(at) => ("queued", Some(at), None),
            None => ("dead", None, Some(now)),
        };
        let sql = "UPDATE jobs SET state = $1, run_at = COALESCE($2, run_at), locked_until = NULL,
                 last_error = $3, finished_at = $4
                 WHERE id = $5";
        on_writer!(self, |pool| {
            let update = sqlx::query(sql).bind(state).bind(run_at).bind(error).bind(finished_at).bind(id);
            execute!(update, pool)
        })
        .map(drop)
    }

    /// Hands a leased job back untried (graceful shutdown interrupted it).
    pub async fn release_job(&self, id: JobId) -> Result<(), sqlx::Error> {
        let sql = "UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_until = NULL
                 WHERE id = $1 AND state = 'running'";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(id), pool)).map(drop)
    }

    pub async fn job(&self, id: JobId) -> Result<Option<JobRow>, sqlx::Error> {
        let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
        on_readers!(self, |pool| sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
    }

    /// Jobs in `state` (or all), newest first, below `before`. `failed` is not a stored state:
    /// it is the queued jobs that failed at least once and wait for their retry.
    pub async fn select_jobs(
        &self,
        state: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<JobRow>, sqlx::Error> {
        let sql = select_jobs_sql(state);
        on_readers!(self, |pool| {
            let select =
                sqlx::query_as(&sql).bind(state).bind(before.unwrap_or(i64::MAX)).bind(i64::from(limit));
            select.fetch_all(pool).await
        })
    }

    /// Puts a dead job, or a queued one waiting out its backoff, back in line to run now, with
    /// fresh attempts; false for any other job (running, done, or unknown).
    pub async fn retry_job_in(tx: &mut Tx, id: JobId, now: i64) -> Result<bool, sqlx::Error> {
        let sql = "UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, locked_until = NULL, finished_at = NULL
             WHERE id = $2 AND (state = 'dead' OR (state = 'queued' AND last_error IS NOT NULL))";
        let changed = in_tx!(tx, |conn| execute!(sqlx::query(sql).bind(now).bind(id), conn))?;
        Ok(changed == 1)
    }

    /// When the next queued job is due, so an idle worker sleeps exactly that long.
    pub async fn next_job_due(&self) -> Result<Option<i64>, sqlx::Error> {
        let sql = "SELECT MIN(run_at) FROM jobs WHERE state = 'queued'";
        on_readers!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)
    }

    /// How many jobs are in each state (queued, running, done, dead).
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        let sql = "SELECT state, COUNT(*) FROM jobs GROUP BY state";
        on_readers!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await)
    }

    /// Drops finished jobs older than `before`; dead ones stay for inspection.
    pub async fn purge_done_jobs(&self, before: i64) -> Result<u64, sqlx::Error> {
        let sql = "DELETE FROM jobs WHERE state = 'done' AND finished_at < $1";
        on_writer!(self, |pool| execute!(sqlx::query(sql).bind(before), pool))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (tempfile::TempDir, Db) {
        crate::store::scratch_db().await
    }

    const JOBS: i64 = 300;

    fn job(run_at: i64) -> NewJob<'static> {
        NewJob { kind: "test", payload: "{}", run_at, max_attempts: 3, unique_key: None }
    }

    /// Four workers claiming at once never share a job, and every job is claimed once: on
    /// SQLite (one writer) and on PostgreSQL (four connections at once, `SKIP LOCKED`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_claims_never_share_a_job() {
        let (_dir, sqlite) = db().await;
        let (_guard, postgres) = crate::store::postgres_scratch_db().await;
        for db in [sqlite, postgres] {
            for _ in 0..JOBS {
                db.enqueue(job(0), 0).await.unwrap();
            }
            let claimers = (0..4).map(|_| {
                let db = db.clone();
                tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while let Some(row) = db.claim_job(100, 400).await.unwrap() {
                        mine.push(row.job.id);
                    }
                    mine
                })
            });
            let mut all: Vec<JobId> = Vec::new();
            for claimer in claimers {
                all.extend(claimer.await.unwrap());
            }
            all.sort_unstable();
            assert_eq!(all, (1..=JOBS).map(JobId).collect::<Vec<_>>(), "on {:?}", db.dialect());
        }
    }

    #[tokio::test]
    async fn jobs_wait_for_their_time_and_lapsed_leases_are_reclaimed() {
        let (_dir, db) = db().await;
        db.enqueue(job(500), 0).await.unwrap();
        assert!(db.claim_job(499, 600).await.unwrap().is_none(), "not due yet");
        let first = db.claim_job(500, 600).await.unwrap().unwrap();
        assert_eq!((first.job.state.as_str(), first.job.attempts), ("running", 1));
        assert!(db.claim_job(599, 700).await.unwrap().is_none(), "leased");
        let again = db.claim_job(601, 700).await.unwrap().unwrap();
        assert_eq!(
            (again.job.id, again.job.attempts),
            (first.job.id, 2),
            "the lease lapsed: a crashed worker's job"
        );
        db.fail_job(again.job.id, "boom", None, 650).await.unwrap();
        let dead = db.job(again.job.id).await.unwrap().unwrap();
        assert_eq!((dead.job.state.as_str(), dead.job.last_error.as_deref()), ("dead", Some("boom")));
        assert!(db.claim_job(10_000, 10_100).await.unwrap().is_none(), "dead jobs stay dead");
    }

    #[tokio::test]
    async fn a_unique_key_schedules_once() {
        let (_dir, db) = db().await;
        let keyed = |key| NewJob { unique_key: Some(key), ..job(0) };
        assert!(db.enqueue(keyed("daily:1"), 0).await.unwrap());
        assert!(!db.enqueue(keyed("daily:1"), 0).await.unwrap());
        assert!(db.enqueue(keyed("daily:2"), 0).await.unwrap());
    }
}
