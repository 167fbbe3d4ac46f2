//! The job queue's storage. SQLite serialises writers, so claiming with one
//! `UPDATE … RETURNING` is atomic: two workers never get the same job.

use super::{Db, Tx};
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

const JOB_COLUMNS: &str = "id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at";

impl Db {
    /// Adds a job inside the caller's transaction: it exists exactly when that data does.
    /// A job whose `unique_key` is already taken is skipped (false).
    pub async fn enqueue_in(tx: &mut Tx, job: NewJob<'_>, now: i64) -> Result<bool, sqlx::Error> {
        let inserted = sqlx::query(
            "INSERT INTO jobs (kind, payload, max_attempts, run_at, unique_key, created_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING",
        )
        .bind(job.kind)
        .bind(job.payload)
        .bind(job.max_attempts)
        .bind(job.run_at)
        .bind(job.unique_key)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        Ok(inserted.rows_affected() == 1)
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
        sqlx::query_as(&format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?2
             WHERE id = (
                 SELECT id FROM jobs
                 WHERE (state = 'queued' AND run_at <= ?1) OR (state = 'running' AND locked_until < ?1)
                 ORDER BY run_at, id LIMIT 1)
             RETURNING {JOB_COLUMNS}"
        ))
        .bind(now)
        .bind(lease_until)
        .fetch_optional(self.writer())
        .await
    }

    pub async fn finish_job(&self, id: JobId, now: i64) -> Result<(), sqlx::Error> {
        self.write(
            sqlx::query("UPDATE jobs SET state = 'done', locked_until = NULL, finished_at = ? WHERE id = ?")
                .bind(now)
                .bind(id),
        )
        .await
        .map(drop)
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
        self.write(
            sqlx::query(
                "UPDATE jobs SET state = ?, run_at = COALESCE(?, run_at), locked_until = NULL,
                 last_error = ?, finished_at = ?
                 WHERE id = ?",
            )
            .bind(state)
            .bind(run_at)
            .bind(error)
            .bind(finished_at)
            .bind(id),
        )
        .await
        .map(drop)
    }

    /// Hands a leased job back untried (graceful shutdown interrupted it).
    pub async fn release_job(&self, id: JobId) -> Result<(), sqlx::Error> {
        self.write(
            sqlx::query(
                "UPDATE jobs SET state = 'queued', attempts = attempts - 1, locked_until = NULL
                 WHERE id = ? AND state = 'running'",
            )
            .bind(id),
        )
        .await
        .map(drop)
    }

    pub async fn job(&self, id: JobId) -> Result<Option<JobRow>, sqlx::Error> {
        sqlx::query_as(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await
    }

    /// Jobs in `state` (or all), newest first, below `before`. `failed` is not a stored state:
    /// it is the queued jobs that failed at least once and wait for their retry.
    pub async fn select_jobs(
        &self,
        state: Option<&str>,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<JobRow>, sqlx::Error> {
        let filter = match state {
            Some("failed") => "state = 'queued' AND last_error IS NOT NULL AND",
            Some(_) => "state = ?1 AND",
            None => "",
        };
        sqlx::query_as(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs WHERE {filter} id < ?2 ORDER BY id DESC LIMIT ?3"
        ))
        .bind(state)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.pool())
        .await
    }

    /// Puts a dead job, or a queued one waiting out its backoff, back in line to run now, with
    /// fresh attempts; false for any other job (running, done, or unknown).
    pub async fn retry_job_in(tx: &mut Tx, id: JobId, now: i64) -> Result<bool, sqlx::Error> {
        let changed = sqlx::query(
            "UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, locked_until = NULL, finished_at = NULL
             WHERE id = ? AND (state = 'dead' OR (state = 'queued' AND last_error IS NOT NULL))",
        )
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        Ok(changed.rows_affected() == 1)
    }

    /// When the next queued job is due, so an idle worker sleeps exactly that long.
    pub async fn next_job_due(&self) -> Result<Option<i64>, sqlx::Error> {
        sqlx::query_scalar("SELECT MIN(run_at) FROM jobs WHERE state = 'queued'").fetch_one(self.pool()).await
    }

    /// How many jobs are in each state (queued, running, done, dead).
    pub async fn job_counts(&self) -> Result<Vec<(String, i64)>, sqlx::Error> {
        sqlx::query_as("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetch_all(self.pool()).await
    }

    /// Drops finished jobs older than `before`; dead ones stay for inspection.
    pub async fn purge_done_jobs(&self, before: i64) -> Result<u64, sqlx::Error> {
        self.write(sqlx::query("DELETE FROM jobs WHERE state = 'done' AND finished_at < ?").bind(before))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (tempfile::TempDir, Db) {
        crate::store::scratch_db().await
    }

    fn job(run_at: i64) -> NewJob<'static> {
        NewJob { kind: "test", payload: "{}", run_at, max_attempts: 3, unique_key: None }
    }

    /// Four workers claiming at once never share a job, and every job is claimed once.
    #[tokio::test]
    async fn concurrent_claims_never_share_a_job() {
        let (_dir, db) = db().await;
        for _ in 0..40 {
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
        assert_eq!(all, (1..=40).map(JobId).collect::<Vec<_>>());
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
