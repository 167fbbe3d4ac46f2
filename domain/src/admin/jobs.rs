//! The job queue in the admin: jobs by state with their last error, and retrying.

use super::{commit_audited, filled, page_of, parse_cursor, Staff, PAGE_SIZE};
use crate::store::Db;
use crate::{now, DomainError, Mublog};
use shared::admin::{JobFilter, JobRecord, Page};
use shared::{FieldError, JobId};

/// The states a job can be listed by; `failed` means queued again after a failure.
pub const STATES: [&str; 5] = ["queued", "failed", "running", "done", "dead"];

impl Mublog {
    pub async fn admin_jobs(&self, _: Staff, filter: &JobFilter) -> Result<Page<JobRecord>, DomainError> {
        let state = filled(&filter.state);
        if state.is_some_and(|s| !STATES.contains(&s)) {
            return Err(FieldError::new("state", "Choose queued, failed, running, done or dead.").into());
        }
        let rows = self.db.select_jobs(state, parse_cursor(filter.cursor.as_deref())?, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, |j| j.job.id.0, |j| j.job))
    }

    /// Runs a dead job (or one waiting out its backoff) again now, with fresh attempts.
    pub async fn retry_job(&self, staff: Staff, id: JobId) -> Result<JobRecord, DomainError> {
        let job = self.db.job(id).await?.ok_or(DomainError::NotFound("job"))?;
        let mut tx = self.db.begin().await?;
        if !Db::retry_job_in(&mut tx, id, now()).await? {
            return Err(DomainError::Conflict("Only dead jobs and jobs waiting to retry can be retried."));
        }
        commit_audited(tx, staff, ("retry_job", "job", id.0), &job.job.kind).await?;
        self.jobs_enqueued();
        Ok(self.db.job(id).await?.ok_or(DomainError::NotFound("job"))?.job)
    }
}
