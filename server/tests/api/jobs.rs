//! Background jobs, through the mail they send: retries with backoff, the dead-letter state,
//! jobs a crashed worker left behind, shutdown, and the daily purge.

use crate::accounts::register_and_read_link;
use crate::common::{self, MailSink, TestApp};
use std::time::Duration;

#[tokio::test]
async fn failed_mail_is_retried_with_backoff_and_delivered_once_smtp_is_back() {
    // A port with nothing listening yet: every delivery fails until the sink starts there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    drop(listener);
    let app = TestApp::with(|c| c.smtp_url = Some(url.clone().into())).await;
    app.register("ada@example.com").await;

    let failed =
        wait_for_job(&app, "send_verification", |state, attempts| state == "queued" && attempts >= 1).await;
    assert!(failed.last_error.as_deref().unwrap_or_default().contains("delivery failed"), "{failed:?}");
    assert!(failed.run_at > domain::now() - 2, "retried later, not at once");

    let sink = MailSink::on(std::net::TcpListener::bind(url.trim_start_matches("smtp://")).unwrap());
    let mail = sink.wait_for("ada@example.com", 1).await;
    assert_eq!(mail[0].subject, "Confirm your email for mublog");
    let done = wait_for_job(&app, "send_verification", |state, _| state == "done").await;
    assert!(done.attempts >= 2, "{done:?}");
}

#[tokio::test]
async fn a_job_that_keeps_failing_ends_dead_with_its_last_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    drop(listener);
    let app = TestApp::with(|c| {
        c.smtp_url = Some(url.into());
        c.jobs.backoff_base = Duration::ZERO;
    })
    .await;
    app.register("ada@example.com").await;
    let dead = wait_for_job(&app, "send_verification", |state, _| state == "dead").await;
    assert_eq!(dead.attempts, domain::jobs::MAX_ATTEMPTS);
    assert!(dead.last_error.unwrap().contains("delivery failed"));
}

#[tokio::test]
async fn a_job_whose_worker_died_runs_again() {
    let app = TestApp::new().await;
    register_and_read_link(&app, "ada@example.com").await;
    // As a worker that crashed mid-job leaves it: running, with a lease that has lapsed.
    app.sql(
        "INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, locked_until, created_at)
         VALUES ('send_verification', '{\"kind\":\"send_verification\",\"user\":1}', 'running', 1, 5, 0, 1, 0)",
    )
    .await;
    let mails = app.mail.wait_for("ada@example.com", 2).await;
    assert!(mails.iter().all(|m| m.subject == "Confirm your email for mublog"));
    let done =
        wait_for_job(&app, "send_verification", |state, attempts| state == "done" && attempts == 2).await;
    assert_eq!(done.attempts, 2);
}

#[tokio::test]
async fn shutdown_hands_a_stuck_job_back() {
    // An SMTP server that accepts connections and never answers: the job hangs.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", silent.local_addr().unwrap());
    let app = TestApp::with(|c| c.smtp_url = Some(url.into())).await;
    app.register("ada@example.com").await;
    wait_for_job(&app, "send_verification", |state, _| state == "running").await;
    let started = std::time::Instant::now();
    app.stop_workers().await;
    assert!(started.elapsed() < Duration::from_secs(10), "stopped within the grace period");
    let job = wait_for_job(&app, "send_verification", |_, _| true).await;
    assert_eq!((job.state.as_str(), job.attempts), ("queued", 0), "handed back untried");
    drop(silent);
}

#[tokio::test]
async fn the_daily_purge_is_scheduled_once_and_removes_expired_rows() {
    let (app, _) = TestApp::with_users(["ada@example.com"]).await;
    let today = domain::now().div_euclid(86_400);
    let scheduled = app
        .sql_scalar(&format!(
            "SELECT COUNT(*) FROM jobs WHERE unique_key IN ('purge_expired:{today}', 'purge_expired:{}')",
            today + 1
        ))
        .await;
    assert_eq!(scheduled, 2);
    // Tomorrow's waits for its time.
    let tomorrow = format!("purge_expired:{}", today + 1);
    let waiting = app
        .sql_scalar(&format!(
            "SELECT COUNT(*) FROM jobs WHERE unique_key = '{tomorrow}' AND state = 'queued' AND run_at > {}",
            domain::now()
        ))
        .await;
    assert_eq!(waiting, 1);
    let token = if app.on_postgres() { r"'\x00'::bytea" } else { "x'00'" };
    app.sql(&format!("INSERT INTO one_time_tokens VALUES ({token}, 'verify_email', 1, 0, 10, NULL)")).await;
    app.sql("INSERT INTO refresh_families (user_id, created_at, expires_at) VALUES (1, 0, 10)").await;
    // Run today's purge (again, if 03:00 UTC has passed) now.
    app.sql(&format!(
        "UPDATE jobs SET state = 'queued', attempts = 0, run_at = 0 WHERE unique_key = 'purge_expired:{today}'"
    ))
    .await;
    wait_for_job(&app, "purge_expired", |state, attempts| state == "done" && attempts == 1).await;
    assert_eq!(
        app.sql_scalar(&format!("SELECT COUNT(*) FROM one_time_tokens WHERE token_hash = {token}")).await,
        0
    );
    assert_eq!(app.sql_scalar("SELECT COUNT(*) FROM refresh_families WHERE expires_at = 10").await, 0);
    assert_eq!(app.sql_scalar("SELECT COUNT(*) FROM refresh_families").await, 1, "live sessions stay");
}

/// Polls the job table (up to 15 s) until the first job of `kind` satisfies `done`.
async fn wait_for_job(app: &TestApp, kind: &str, done: impl Fn(&str, i64) -> bool) -> common::JobState {
    let what = format!("no {kind} job reached the expected state");
    common::eventually(Duration::from_secs(15), &what, async || {
        common::jobs_of_kind(&app.db_url, kind).await.into_iter().find(|j| done(&j.state, j.attempts))
    })
    .await
}

/// On PostgreSQL, a job one instance commits wakes another instance's idle workers at once:
/// the worker here polls once a minute, yet the mail goes out within seconds.
#[tokio::test]
async fn a_job_committed_by_one_instance_wakes_the_idle_workers_of_another() {
    let idle =
        TestApp::on(common::Backend::Postgres, |c| c.jobs.poll_interval = Duration::from_secs(60)).await;
    let other = idle.beside(|_| ()).await;
    other.stop_workers().await;
    // The idle instance's workers have looked once, found nothing, and sleep.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    other.register("ada@example.com").await;
    let mail = idle.mail.wait_for("ada@example.com", 1).await;
    assert_eq!(mail[0].subject, "Confirm your email for mublog");
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(5), "woken by the notification, not the poll: {waited:?}");
}
