//! Workers: claim due jobs, run them, record the outcome; plus the scheduler of periodic jobs.
//! They run inside the server process by default, or alone with `mublog worker`.

use super::Job;
use crate::store::JobRow;
use crate::{now, Mublog};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs run at once by this process.
    pub concurrency: usize,
    /// How often an idle worker looks for due jobs enqueued by other processes.
    pub poll_interval: Duration,
    /// A claimed job belongs to its worker this long; a crashed worker's job is then retried.
    pub lease: Duration,
    /// The first retry waits this long, each next one twice as long (at most an hour).
    pub backoff_base: Duration,
    /// On shutdown, running jobs get this long to finish before they are handed back.
    pub shutdown_grace: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 2,
            poll_interval: Duration::from_secs(1),
            lease: Duration::from_secs(300),
            backoff_base: Duration::from_secs(10),
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Shutdown was asked for, or whoever could ask is gone.
fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
}

const MAX_BACKOFF_SECS: i64 = 3600;
const DAY_SECS: i64 = 24 * 3600;
/// The daily purge runs at 03:00 UTC.
const PURGE_OFFSET_SECS: i64 = 3 * 3600;

/// Runs workers and the periodic scheduler until `shutdown` becomes true, then lets running
/// jobs finish (within the grace period) and returns.
pub async fn run(app: Mublog, config: WorkerConfig, shutdown: watch::Receiver<bool>) {
    let mut tasks = JoinSet::new();
    for _ in 0..config.concurrency.max(1) {
        tasks.spawn(work(app.clone(), config.clone(), shutdown.clone()));
    }
    tasks.spawn(hear_jobs_from_elsewhere(app.clone(), config.clone(), shutdown.clone()));
    tasks.spawn(schedule_periodic(app, shutdown));
    while tasks.join_next().await.is_some() {}
    tracing::info!("job workers stopped");
}

async fn work(app: Mublog, config: WorkerConfig, mut shutdown: watch::Receiver<bool>) {
    while !stopping(&shutdown) {
        // Registered before looking, so a job committed meanwhile still wakes us.
        let signal = app.job_signal.clone();
        let woken = signal.notified();
        let now = now();
        match app.db.claim_job(now, now + config.lease.as_secs() as i64).await {
            Ok(Some(row)) => process(&app, &config, row, &mut shutdown).await,
            Ok(None) => {
                let next_due = app.db.next_job_due().await.ok().flatten();
                let wait = next_due
                    .map(|at| Duration::from_secs((at - now).max(0) as u64))
                    .map_or(config.poll_interval, |d| d.min(config.poll_interval));
                tokio::select! {
                    _ = woken => {}
                    _ = tokio::time::sleep(wait) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming a job failed");
                tokio::select! {
                    _ = tokio::time::sleep(config.poll_interval) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}

/// Wakes this process's idle workers when another process commits a job, where the database
/// can tell (see [`crate::Db::hear_new_jobs`]); it retries after a failure, polling meanwhile.
async fn hear_jobs_from_elsewhere(app: Mublog, config: WorkerConfig, mut shutdown: watch::Receiver<bool>) {
    while !stopping(&shutdown) {
        let signal = app.job_signal.clone();
        tokio::select! {
            heard = app.db.hear_new_jobs(|| signal.notify_waiters()) => match heard {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "listening for new jobs failed; workers poll meanwhile");
                    tokio::select! {
                        _ = tokio::time::sleep(config.poll_interval) => {}
                        _ = shutdown.changed() => {}
                    }
                }
            },
            _ = shutdown.changed() => {}
        }
    }
}

/// Runs one claimed job in its own task (a panic fails the job, not the worker) and records
/// the outcome.
async fn process(app: &Mublog, config: &WorkerConfig, row: JobRow, shutdown: &mut watch::Receiver<bool>) {
    let job: Job = match serde_json::from_str(&row.payload) {
        Ok(job) => job,
        Err(e) => return record(app, config, &row, Err(format!("unreadable payload: {e}"))).await,
    };
    let mut task = tokio::spawn({
        let app = app.clone();
        async move { app.run_job(&job).await }
    });
    let grace = config.shutdown_grace;
    let interrupted = async {
        while !*shutdown.borrow() {
            if shutdown.changed().await.is_err() {
                break;
            }
        }
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        joined = &mut task => {
            let outcome = match joined {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("the job panicked: {e}")),
            };
            record(app, config, &row, outcome).await;
        }
        _ = interrupted => {
            task.abort();
            tracing::warn!(job = %row.job.id, kind = %row.job.kind, "shutdown interrupted a job; handing it back");
            if let Err(e) = app.db.release_job(row.job.id).await {
                tracing::error!(job = %row.job.id, error = %e, "handing a job back failed; its lease will lapse");
            }
        }
    }
}

async fn record(app: &Mublog, config: &WorkerConfig, row: &JobRow, outcome: Result<(), String>) {
    let now = now();
    if outcome.is_err() {
        metrics::counter!("mublog_job_failures_total", "kind" => row.job.kind.clone()).increment(1);
    }
    let written = match outcome {
        Ok(()) => {
            tracing::info!(job = %row.job.id, kind = %row.job.kind, attempt = row.job.attempts, "job done");
            app.db.finish_job(row.job.id, now).await
        }
        Err(error) if row.job.attempts >= row.job.max_attempts => {
            tracing::error!(job = %row.job.id, kind = %row.job.kind, attempts = row.job.attempts, %error, "job dead");
            app.db.fail_job(row.job.id, &error, None, now).await
        }
        Err(error) => {
            let retry_at = now + backoff_secs(config.backoff_base, row.job.attempts);
            tracing::warn!(job = %row.job.id, kind = %row.job.kind, attempt = row.job.attempts, retry_at, %error, "job failed");
            app.db.fail_job(row.job.id, &error, Some(retry_at), now).await
        }
    };
    if let Err(e) = written {
        tracing::error!(job = %row.job.id, error = %e, "recording a job's outcome failed; its lease will lapse");
    }
}

/// `base`, `2·base`, `4·base`, … for attempts 1, 2, 3, …, capped at an hour.
fn backoff_secs(base: Duration, attempts: i64) -> i64 {
    let doublings = (attempts - 1).clamp(0, 20) as u32;
    (base.as_secs() as i64).saturating_mul(1 << doublings).min(MAX_BACKOFF_SECS)
}

/// Keeps the periodic jobs scheduled: today's and tomorrow's purge, once each however many
/// processes run this (the unique key is the day).
async fn schedule_periodic(app: Mublog, mut shutdown: watch::Receiver<bool>) {
    while !stopping(&shutdown) {
        let today = now().div_euclid(DAY_SECS);
        for day in [today, today + 1] {
            let key = format!("purge_expired:{day}");
            let scheduled = async {
                let mut tx = app.db.begin().await?;
                let added = Job::PurgeExpired
                    .enqueue_in(&mut tx, day * DAY_SECS + PURGE_OFFSET_SECS, Some(&key))
                    .await?;
                tx.commit().await?;
                Ok::<_, crate::DomainError>(added)
            };
            match scheduled.await {
                Ok(true) => tracing::debug!(day, "scheduled the daily purge"),
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "scheduling the daily purge failed"),
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(10);
        let waits: Vec<i64> = (1..=5).map(|n| backoff_secs(base, n)).collect();
        assert_eq!(waits, [10, 20, 40, 80, 160]);
        assert_eq!(backoff_secs(base, 60), MAX_BACKOFF_SECS);
    }
}
