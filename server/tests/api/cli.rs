//! The binary's command line: `mublog check --deploy`, the config file, `mublog worker`.

use crate::common;

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
    // Creates the database and applies the migrations.
    domain::Db::connect(&db_url).await.unwrap();
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
    while common::jobs_of_kind(&db_url, "send_verification").await[0].state != "done" {
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

/// Runs `mublog <args>` against the database at `db_url`; returns (exit code, stdout, stderr).
fn mublog(
    args: &[&str],
    db_url: &str,
    data: &std::path::Path,
    env: &[(&str, &str)],
) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mublog"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db_url)
        .env("MUBLOG_DATA_DIR", data)
        .env("MUBLOG_JWT_SECRET", "cli-tests-secret-0123456789abcdef0123");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn seed_export_and_import_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let first = format!("sqlite://{}/first.db", dir.path().display());
    let (code, _, err) = mublog(&["migrate"], &first, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = mublog(&["seed", "--users", "25", "--posts", "300"], &first, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Seeded 25 users, 300 posts"), "{err}");
    // Moderation travels with the data: a deactivated account and a hidden post.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&first).await.unwrap();
        for statement in [
            "UPDATE users SET deactivated_at = 1795305600 WHERE id = 2",
            "UPDATE posts SET hidden_at = 1795305601, hidden_reason = 'Spam', hidden_by = 1 WHERE id = 5",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
    });

    let dump = dir.path().join("dump.json");
    let (code, _, err) = mublog(&["export", "--output", dump.to_str().unwrap()], &first, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    // Into the run's database: on PostgreSQL, this is the upgrade path from SQLite.
    let database = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(common::TestDatabase::create(dir.path(), common::Backend::OfTheRun));
    let second = database.url.as_str();
    let (code, _, err) = mublog(&["import", dump.to_str().unwrap()], second, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let (code, again, _) = mublog(&["export"], second, dir.path(), &[]);
    assert_eq!(code, 0);
    assert_eq!(again.trim(), std::fs::read_to_string(&dump).unwrap().trim(), "the same data, byte for byte");
    let parsed: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(parsed["users"].as_array().unwrap().len(), 25);
    assert_eq!(parsed["posts"].as_array().unwrap().len(), 300);
    assert!(!parsed["likes"].as_array().unwrap().is_empty());
    assert_eq!(parsed["users"][1]["deactivated_at"], 1795305600);
    assert_eq!(
        (parsed["posts"][4]["hidden_reason"].as_str(), parsed["posts"][4]["hidden_by"].as_i64()),
        (Some("Spam"), Some(1))
    );

    // Importing twice would mix data: refused, and nothing changes.
    let (code, _, err) = mublog(&["import", dump.to_str().unwrap()], second, dir.path(), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("not empty"), "{err}");
    // New rows are numbered after the imported ones.
    let (code, _, err) = mublog(&["seed", "--users", "2", "--posts", "2"], second, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Seeded 2 users, 2 posts"), "{err}");
}

/// Image columns become file names: a dump naming a path is refused whole, with a clear error.
#[test]
fn import_refuses_image_names_mublog_would_not_generate() {
    let dir = tempfile::tempdir().unwrap();
    let first = format!("sqlite://{}/first.db", dir.path().display());
    let (code, _, err) = mublog(&["seed", "--users", "2", "--posts", "3"], &first, dir.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let (_, dump, _) = mublog(&["export"], &first, dir.path(), &[]);
    let mut dump: serde_json::Value = serde_json::from_str(&dump).unwrap();
    for (n, (key, ext)) in [("../mublog", "jpg"), ("abc", "db"), ("a/b", "png")].into_iter().enumerate() {
        dump["posts"][0]["image_key"] = key.into();
        dump["posts"][0]["image_ext"] = ext.into();
        let file = dir.path().join(format!("bad{n}.json"));
        std::fs::write(&file, dump.to_string()).unwrap();
        let target = format!("sqlite://{}/target{n}.db", dir.path().display());
        let (code, _, err) = mublog(&["import", file.to_str().unwrap()], &target, dir.path(), &[]);
        assert_eq!(code, 1, "{key}.{ext}");
        assert!(err.contains("not one mublog generates"), "{err}");
        let (_, left, _) = mublog(&["export"], &target, dir.path(), &[]);
        assert!(left.contains("\"users\": []"), "nothing imported: {left}");
    }
}

#[test]
fn createsuperuser_runs_without_questions_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/admin.db", dir.path().display());
    let env = [
        ("MUBLOG_SUPERUSER_EMAIL", "Root@Example.com"),
        ("MUBLOG_SUPERUSER_PASSWORD", "a long admin passphrase"),
    ];
    let (code, _, err) = mublog(&["createsuperuser"], &db, dir.path(), &env);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("root@example.com"), "{err}");
    let (code, dump, _) = mublog(&["export"], &db, dir.path(), &[]);
    assert_eq!(code, 0);
    let dump: serde_json::Value = serde_json::from_str(&dump).unwrap();
    assert_eq!(dump["users"][0]["is_staff"], true);
    assert!(dump["users"][0]["email_verified_at"].is_i64());

    let weak = [("MUBLOG_SUPERUSER_EMAIL", "two@example.com"), ("MUBLOG_SUPERUSER_PASSWORD", "password")];
    let (code, _, err) = mublog(&["createsuperuser"], &db, dir.path(), &weak);
    assert_eq!(code, 1);
    assert!(err.contains("password"), "{err}");
    let (code, _, err) = mublog(
        &["createsuperuser", "--email", "root@example.com", "--password", "another long passphrase"],
        &db,
        dir.path(),
        &[],
    );
    assert_eq!(code, 1);
    assert!(err.contains("exists"), "{err}");
}

/// Sends `head` (and no more) on a new connection to the server at `addr`.
async fn start_request(addr: &str, head: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Reads a response's status line (up to 10 s).
async fn status_line(stream: &mut tokio::net::TcpStream) -> String {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await.unwrap().unwrap();
    String::from_utf8_lossy(&buf[..n]).lines().next().unwrap_or_default().to_owned()
}

/// `mublog serve` on SIGTERM stops accepting connections, lets a request in flight finish,
/// cuts off one that outlives the grace period, and writes the request log before it exits.
#[tokio::test]
async fn serve_drains_requests_on_sigterm_within_the_grace_and_flushes_the_request_log() {
    let dir = tempfile::tempdir().unwrap();
    let db_url = format!("sqlite://{}/serve.db", dir.path().display());
    let addr = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().to_string()
    };
    let mut server = Command::new(env!("CARGO_BIN_EXE_mublog"))
        .arg("serve")
        .env("DATABASE_URL", &db_url)
        .env("MUBLOG_DATA_DIR", dir.path())
        .env("MUBLOG_JWT_SECRET", "serve-test-secret-0123456789abcdef0123")
        .env("LEPTOS_SITE_ADDR", &addr)
        .env("LEPTOS_OUTPUT_NAME", "mublog")
        .env("MUBLOG_SEED_DEMO", "0")
        .env("MUBLOG_WORKERS", "0")
        .env("MUBLOG_SHUTDOWN_GRACE_SECS", "2")
        .env("RUST_LOG", "warn")
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let get = "GET /api/v1/posts HTTP/1.1\r\nHost: mublog.test\r\nConnection: close\r\n\r\n";
    for _ in 0..3 {
        assert_eq!(status_line(&mut start_request(&addr, get).await).await, "HTTP/1.1 200 OK");
    }
    // Two requests in flight, each with half of its body sent.
    let half = "POST /api/posts/list HTTP/1.1\r\nHost: mublog.test\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{";
    let mut finishing = start_request(&addr, half).await;
    let _hung = start_request(&addr, half).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    let signalled = Instant::now();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(tokio::net::TcpStream::connect(&addr).await.is_err(), "no new connections after SIGTERM");
    {
        use tokio::io::AsyncWriteExt;
        finishing.write_all(b"}").await.unwrap();
    }
    assert_eq!(status_line(&mut finishing).await, "HTTP/1.1 200 OK", "the request in flight finished");

    let status = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        assert!(signalled.elapsed() < Duration::from_secs(10), "the server did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    assert!(signalled.elapsed() >= Duration::from_millis(1900), "the hung request had its grace period");
    let pool = sqlx::SqlitePool::connect(&db_url).await.unwrap();
    let logged: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT method, path, status FROM request_log ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected = [("GET", "/api/v1/posts", 200); 3].into_iter().chain([("POST", "/api/posts/list", 200)]);
    let expected: Vec<(String, String, i64)> = expected.map(|(m, p, s)| (m.into(), p.into(), s)).collect();
    assert_eq!(logged, expected, "finished requests are written before exit; the cut-off one is not");
}

/// Development mode publishes demo passwords and every reset link: assumed (no `MUBLOG_ENV`),
/// it refuses a listen address beyond loopback with one line that says what to set; set
/// explicitly, it starts.
#[tokio::test]
async fn assumed_development_refuses_a_public_listen_address() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("0.0.0.0:0").unwrap().local_addr().unwrap().port();
    let serve = |environment: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mublog"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", format!("sqlite://{}/dev.db", dir.path().display()))
            .env("MUBLOG_DATA_DIR", dir.path())
            .env("LEPTOS_SITE_ADDR", format!("0.0.0.0:{port}"))
            .env("LEPTOS_OUTPUT_NAME", "mublog")
            .env("MUBLOG_WORKERS", "0")
            .env("RUST_LOG", "off")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        if let Some(environment) = environment {
            cmd.env("MUBLOG_ENV", environment);
        }
        cmd
    };
    let refused = serve(None).output().unwrap();
    assert_eq!(refused.status.code(), Some(1));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("0.0.0.0") && said.contains("MUBLOG_ENV=production"), "{said}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "nothing listened");

    let mut explicit = serve(Some("development")).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(explicit.try_wait().unwrap().is_none(), "explicit development mode did not start");
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    explicit.kill().unwrap();
    let _ = explicit.wait();
}

/// A deployment runs the binary itself, not through cargo-leptos: with the build's `hash.txt`
/// beside it, pages link the hashed assets though `LEPTOS_HASH_FILES` is unset; told to hash
/// without that file, it refuses to start and says what is missing.
#[tokio::test]
async fn the_binary_alone_links_the_hashed_assets_of_its_build() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("mublog");
    // A hard link, where the file system allows, saves copying the debug binary.
    std::fs::hard_link(env!("CARGO_BIN_EXE_mublog"), &bin)
        .or_else(|_| std::fs::copy(env!("CARGO_BIN_EXE_mublog"), &bin).map(drop))
        .unwrap();
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let serve = |hash_files: Option<&str>| {
        let mut cmd = Command::new(&bin);
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", format!("sqlite://{}/site.db", dir.path().display()))
            .env("MUBLOG_DATA_DIR", dir.path())
            .env("MUBLOG_JWT_SECRET", "site-test-secret-0123456789abcdef0123456")
            .env("LEPTOS_SITE_ADDR", &addr)
            .env("LEPTOS_OUTPUT_NAME", "mublog")
            .env("MUBLOG_SEED_DEMO", "0")
            .env("MUBLOG_WORKERS", "0");
        if let Some(value) = hash_files {
            cmd.env("LEPTOS_HASH_FILES", value);
        }
        cmd
    };

    let mut refused = serve(Some("true")).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let exited = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = refused.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > exited {
            refused.kill().unwrap();
            panic!("started without the hash file it was told to use");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut refused.stderr.take().unwrap(), &mut said).unwrap();
    assert!(!status.success() && said.contains("hash.txt"), "{status}: {said}");

    std::fs::write(dir.path().join("hash.txt"), "js: 0123abcd\nwasm: 4567ef01\ncss: 89ab2345\n").unwrap();
    let mut server = serve(None).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while tokio::net::TcpStream::connect(&addr).await.is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let page = reqwest::get(format!("http://{addr}/login")).await.unwrap().text().await;
    server.kill().unwrap();
    server.wait().unwrap();
    let page = page.unwrap();
    assert!(page.contains("/pkg/mublog.0123abcd.js"), "{page}");
    assert!(page.contains("/pkg/mublog.89ab2345.css"), "{page}");
}
