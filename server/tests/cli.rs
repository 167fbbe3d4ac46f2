//! The binary's command line: `mublog check --deploy`, the config file, `mublog worker`.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

fn check_deploy(vars: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mublog"));
    cmd.args(["check", "--deploy"]).env_clear().env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn development_settings_fail_the_deploy_check() {
    let (code, out) = check_deploy(&[]);
    assert_eq!(code, 1, "{out}");
    for id in ["mublog.W001", "mublog.W002", "mublog.W003", "mublog.W004", "mublog.W005"] {
        assert!(out.contains(id), "{id} missing from:\n{out}");
    }
}

#[test]
fn a_production_environment_passes_the_deploy_check() {
    let (code, out) = check_deploy(&[
        ("MUBLOG_ENV", "production"),
        ("MUBLOG_JWT_SECRET", "a-long-random-production-signing-key-0123"),
        ("MUBLOG_PUBLIC_URL", "https://mublog.example"),
        ("MUBLOG_ALLOWED_HOSTS", "mublog.example"),
        ("MUBLOG_SMTP_URL", "smtps://user:pass@mail.example"),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No issues found."));
}

#[test]
fn a_config_file_is_read_and_the_environment_wins_over_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mublog.toml");
    std::fs::write(
        &file,
        "env = \"production\"\njwt_secret = \"a-long-random-production-signing-key-0123\"\n\
         public_url = \"https://mublog.example\"\nallowed_hosts = [\"mublog.example\"]\n\
         smtp_url = \"smtps://user:pass@mail.example\"\n",
    )
    .unwrap();
    let path = file.to_str().unwrap();
    let (code, out) = check_deploy(&[("MUBLOG_CONFIG", path)]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = check_deploy(&[("MUBLOG_CONFIG", path), ("MUBLOG_ENV", "development")]);
    assert_eq!(code, 1);
    assert!(out.contains("mublog.W001") && !out.contains("mublog.W002"), "{out}");
    std::fs::write(&file, "env = [").unwrap();
    let (code, out) = check_deploy(&[("MUBLOG_CONFIG", path)]);
    assert_eq!(code, 1);
    assert!(out.contains("config file"), "{out}");
}

/// `mublog worker` alone delivers queued mail, and exits cleanly on SIGTERM.
#[tokio::test]
async fn the_worker_command_runs_jobs_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/worker.db", dir.path().display());
    let db = domain::Db::connect(&db_url).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&db_url).await.unwrap();
    sqlx::query(
        "INSERT INTO users (email, display_name, handle, password_hash, created_at)
         VALUES ('ada@example.com', 'Ada', 'ada', 'x', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO jobs (kind, payload, max_attempts, run_at, created_at)
         VALUES ('send_verification', '{\"kind\":\"send_verification\",\"user\":1}', 5, 0, 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let sink = common::MailSink::start();
    let mut worker = Command::new(env!("CARGO_BIN_EXE_mublog"))
        .arg("worker")
        .env("DATABASE_URL", &db_url)
        .env("MUBLOG_SMTP_URL", &sink.url)
        .env("MUBLOG_DATA_DIR", dir.path())
        .env("MUBLOG_JWT_SECRET", "worker-test-secret-0123456789abcdef")
        .spawn()
        .unwrap();
    let mail = sink.wait_for_subject("ada@example.com", "Confirm your email for mublog").await;
    assert!(mail.text.contains("/verify/"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while db.jobs_of_kind("send_verification").await.unwrap()[0].state != "done" {
        assert!(Instant::now() < deadline, "the job was not marked done");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    Command::new("kill").args(["-TERM", &worker.id().to_string()]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = worker.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the worker did not stop on SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
}
