//! The database a test app runs on: a SQLite file in the app's folder, or, when
//! `MUBLOG_TEST_POSTGRES` names a PostgreSQL server (`postgres://postgres@127.0.0.1:5432`), a
//! database of its own there, created for the app and dropped with it.

use sqlx::Connection;
use std::path::Path;

/// Which database a test needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The one the test run is for (`MUBLOG_TEST_POSTGRES`, else SQLite).
    OfTheRun,
    /// SQLite whatever the run: the test is about SQLite's own files or locks.
    Sqlite,
}

pub struct TestDatabase {
    pub url: String,
    /// The PostgreSQL server and the database's name there, to drop it afterwards.
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    pub async fn create(dir: &Path, backend: Backend) -> Self {
        let server = std::env::var("MUBLOG_TEST_POSTGRES").ok().filter(|_| backend == Backend::OfTheRun);
        let Some(server) = server else {
            return TestDatabase { url: format!("sqlite://{}/test.db", dir.display()), postgres: None };
        };
        let server = server.trim_end_matches('/').to_owned();
        let name = format!("mublog_test_{:032x}", rand::random::<u128>());
        let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        admin.close().await.unwrap();
        TestDatabase { url: format!("{server}/{name}"), postgres: Some((server, name)) }
    }

    pub fn is_postgres(&self) -> bool {
        self.postgres.is_some()
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

/// A pool on any test database, for statements the tests run directly.
pub async fn any_pool(url: &str) -> sqlx::AnyPool {
    static DRIVERS: std::sync::Once = std::sync::Once::new();
    DRIVERS.call_once(sqlx::any::install_default_drivers);
    sqlx::AnyPool::connect(url).await.unwrap()
}
