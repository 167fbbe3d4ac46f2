//! The database a test app runs on: a SQLite file in the app's folder, or a PostgreSQL database
//! of its own, created for the app and dropped with it, on the server `MUBLOG_TEST_POSTGRES`
//! names (`postgres://postgres@127.0.0.1:5432` by default). `MUBLOG_TEST_BACKEND=postgres`
//! runs the suite on PostgreSQL; `scripts/test` runs it on both.

use sqlx::Connection;
use std::path::Path;

/// Which database a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The one the test run is for (`MUBLOG_TEST_BACKEND`: `sqlite`, the default, or `postgres`).
    OfTheRun,
    /// SQLite whatever the run: the test is about SQLite's own files or locks.
    Sqlite,
    /// PostgreSQL whatever the run: the test is about what only PostgreSQL does.
    Postgres,
}

impl Backend {
    fn on_postgres(self) -> bool {
        match self {
            Backend::OfTheRun => match std::env::var("MUBLOG_TEST_BACKEND").as_deref() {
                Ok("postgres") => true,
                Ok("sqlite") | Err(_) => false,
                Ok(other) => panic!("MUBLOG_TEST_BACKEND={other}: use sqlite or postgres"),
            },
            Backend::Sqlite => false,
            Backend::Postgres => true,
        }
    }
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_server() -> String {
    let server = std::env::var("MUBLOG_TEST_POSTGRES");
    server.as_deref().unwrap_or("postgres://postgres@127.0.0.1:5432").trim_end_matches('/').to_owned()
}

pub struct TestDatabase {
    pub url: String,
    /// The PostgreSQL server and the database's name there, to drop it afterwards (`None` for
    /// SQLite, or a database another app owns).
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(dir: &Path, backend: Backend) -> Self {
        if !backend.on_postgres() {
            return TestDatabase { url: format!("sqlite://{}/test.db", dir.display()), postgres: None };
        }
        let server = postgres_server();
        let name = format!("mublog_test_{:032x}", rand::random::<u128>());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
            .await
            .unwrap_or_else(|e| panic!("no PostgreSQL at {server} ({e}): ./scripts/test starts one"));
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        admin.close().await.unwrap();
        TestDatabase { url: format!("{server}/{name}"), postgres: Some((server, name)) }
    }

    /// Another app's database, which that app drops.
    pub fn shared(url: &str) -> Self {
        TestDatabase { url: url.to_owned(), postgres: None }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

/// A PostgreSQL database is dropped, with any connections still open on it.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.postgres.take() else { return };
        let remove = async move {
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.unwrap();
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::query(&drop).execute(&mut admin).await.unwrap();
            admin.close().await.unwrap();
        };
        // A thread and runtime of its own: this may run inside a test's runtime, which cannot
        // block.
        std::thread::scope(|s| {
            s.spawn(|| {
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(remove)
            });
        });
    }
}

/// The Redis tests count rate limits in (`MUBLOG_TEST_REDIS`, a local one by default).
pub fn redis_url() -> String {
    std::env::var("MUBLOG_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// A pool on any test database, for statements the tests run directly.
pub async fn any_pool(url: &str) -> sqlx::AnyPool {
    static DRIVERS: std::sync::Once = std::sync::Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
    sqlx::AnyPool::connect(url).await.unwrap()
}
