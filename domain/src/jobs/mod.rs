//! Background jobs (the part Celery plays for μblog): what a job is, how it is enqueued, and
//! what running it does. The queue itself is a table (`store::jobs`); workers are in
//! [`worker`].
//!
//! Delivery is at least once: a worker that crashes mid-job leaves the job to run again, so
//! every handler is idempotent or harmless to repeat (a second copy of an email).

pub mod worker;

use crate::mail::Mail;
use crate::store::{Db, NewJob, Purpose, Tx};
use crate::{now, DomainError, Mublog};
use serde::{Deserialize, Serialize};
use shared::UserId;

/// Attempts before a job is declared dead (keeping its last error).
pub const MAX_ATTEMPTS: i64 = 5;
/// Verification links live a day, reset links an hour.
pub const VERIFY_TTL_SECS: i64 = 24 * 3600;
pub const RESET_TTL_SECS: i64 = 3600;
/// Finished jobs and ended sessions are kept this long for inspection, then purged.
const KEEP_FINISHED_SECS: i64 = 7 * 24 * 3600;

/// One unit of background work. Payloads name rows, never carry secrets: raw tokens are created
/// when the job runs, so they never rest in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Job {
    SendVerification {
        user: UserId,
    },
    /// Looks the address up when it runs; an unknown one gets nothing.
    SendPasswordReset {
        email: String,
    },
    SendAccountExists {
        user: UserId,
    },
    /// The daily purge of expired tokens, links and old jobs.
    PurgeExpired,
    /// Renders the `srcset` widths of a post's picture.
    RenderImageSizes {
        post: shared::PostId,
    },
    /// Removes the files of a deleted post's picture.
    DeleteMedia {
        names: Vec<String>,
    },
}

impl Job {
    /// The queue's `kind` column: the same name as the payload's serde tag.
    pub fn kind(&self) -> &'static str {
        self.into()
    }

    fn payload(&self) -> String {
        serde_json::to_string(self).expect("jobs serialise")
    }

    /// Adds this job inside `tx`, due at `run_at`; `unique_key` makes it once-only.
    pub async fn enqueue_in(
        &self,
        tx: &mut Tx,
        run_at: i64,
        unique_key: Option<&str>,
    ) -> Result<bool, DomainError> {
        let payload = self.payload();
        let job =
            NewJob { kind: self.kind(), payload: &payload, run_at, max_attempts: MAX_ATTEMPTS, unique_key };
        Ok(Db::enqueue_in(tx, job, now()).await?)
    }
}

impl Mublog {
    /// Enqueues a job due now, in its own transaction, and wakes the in-process workers.
    pub async fn enqueue(&self, job: Job) -> Result<(), DomainError> {
        self.schedule(job, now()).await
    }

    /// Enqueues a job due at `run_at` (unix seconds).
    pub async fn schedule(&self, job: Job, run_at: i64) -> Result<(), DomainError> {
        let mut tx = self.db.begin().await?;
        job.enqueue_in(&mut tx, run_at, None).await?;
        tx.commit().await?;
        self.jobs_enqueued();
        Ok(())
    }

    /// Tells idle in-process workers that a job was committed.
    pub(crate) fn jobs_enqueued(&self) {
        self.job_signal.notify_waiters();
    }

    /// Runs one job. Errors are retried by the worker, with backoff.
    pub async fn run_job(&self, job: &Job) -> Result<(), DomainError> {
        match *job {
            Job::SendVerification { user } => {
                let Some(user) = self.db.user_by_id(user).await? else { return Ok(()) };
                if user.email_verified_at.is_some() {
                    return Ok(()); // verified meanwhile (or a re-run after a crash)
                }
                let token = self.issue_link(Purpose::VerifyEmail, user.id, VERIFY_TTL_SECS).await?;
                let mail = Mail::VerifyEmail {
                    name: user.display_name,
                    link: self.link(&format!("/verify/{token}")),
                };
                self.send_mail(&user.email, &mail).await
            }
            Job::SendPasswordReset { ref email } => {
                let Some(user) = self.db.user_by_email(email).await? else { return Ok(()) };
                let token = self.issue_link(Purpose::ResetPassword, user.id, RESET_TTL_SECS).await?;
                let mail = Mail::ResetPassword {
                    name: user.display_name,
                    link: self.link(&format!("/reset/{token}")),
                };
                self.send_mail(&user.email, &mail).await
            }
            Job::SendAccountExists { user } => {
                let Some(user) = self.db.user_by_id(user).await? else { return Ok(()) };
                let mail = Mail::AccountExists {
                    name: user.display_name,
                    sign_in_link: self.link("/login"),
                    reset_link: self.link("/forgot"),
                };
                self.send_mail(&user.email, &mail).await
            }
            Job::RenderImageSizes { post } => self.render_image_sizes(post).await,
            Job::DeleteMedia { ref names } => self.delete_media(names).await,
            Job::PurgeExpired => {
                let now = now();
                let links = self.db.purge_one_time_tokens(now).await?;
                let sessions = self.db.purge_families(now - KEEP_FINISHED_SECS).await?;
                let jobs = self.db.purge_done_jobs(now - KEEP_FINISHED_SECS).await?;
                let requests = self.db.purge_request_log(now - self.request_log_retention_secs).await?;
                tracing::info!(links, sessions, jobs, requests, "purged expired rows");
                Ok(())
            }
        }
    }

    async fn send_mail(&self, to: &str, mail: &Mail) -> Result<(), DomainError> {
        self.mailer.send(to, mail).await.map_err(|e| DomainError::Internal(e.to_string()))?;
        tracing::info!(kind = mail.kind(), "mail sent");
        Ok(())
    }

    /// An absolute link into the app, for emails.
    fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Workers find a job's handler by the `kind` column, and decode the payload by its tag.
    #[test]
    fn a_jobs_kind_is_its_payloads_tag() {
        let every_kind = [
            Job::SendVerification { user: UserId(1) },
            Job::SendPasswordReset { email: "ada@example.com".into() },
            Job::SendAccountExists { user: UserId(1) },
            Job::PurgeExpired,
            Job::RenderImageSizes { post: shared::PostId(1) },
            Job::DeleteMedia { names: vec![] },
        ];
        for job in every_kind {
            let payload: serde_json::Value = serde_json::from_str(&job.payload()).unwrap();
            assert_eq!(payload["kind"], job.kind());
        }
    }
}
