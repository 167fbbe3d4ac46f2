//! The data layer: every SQL statement lives under this module. Callers see plain functions on
//! [`Db`], which runs on SQLite or PostgreSQL; nothing outside this module knows which: rows
//! and [`Tx`] are the store's own types, and its failures are [`DbError`]s.
//!
//! Statements bind their values as `$1, $2, …`, which both databases read, so most are written
//! once; the macros below compile each for both. Where the dialects differ (search, case-blind
//! lookups, job claims), [`Dialect`] picks the text.

/// Runs `$body` on whichever database this is, with `$pool` bound to the PostgreSQL pool or
/// to the SQLite pool named `$sqlite` (`readers` or `writer`). The body is written once and
/// compiled once per backend, so one query text serves both wherever their SQL is the same.
macro_rules! on_pool {
    ($db:expr, $sqlite:ident, |$pool:ident| $body:expr) => {
        match &$db.backend {
            $crate::store::Backend::Sqlite(sqlite) => {
                let $pool = &sqlite.$sqlite;
                $body
            }
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}

/// [`on_pool`] for reads: SQLite's read-only connections, or the PostgreSQL pool.
macro_rules! on_readers {
    ($db:expr, |$pool:ident| $body:expr) => {
        on_pool!($db, readers, |$pool| $body)
    };
}

/// [`on_pool`] for single writing statements: SQLite's one writer connection, or the
/// PostgreSQL pool.
macro_rules! on_writer {
    ($db:expr, |$pool:ident| $body:expr) => {
        on_pool!($db, writer, |$pool| $body)
    };
}

/// [`on_pool`] for the connection of a transaction.
macro_rules! in_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.on {
            $crate::store::TxOn::Sqlite(tx) => {
                let $conn = &mut **tx;
                $body
            }
            $crate::store::TxOn::Postgres(tx) => {
                let $conn = &mut **tx;
                $body
            }
        }
    };
}

/// Runs a statement that returns no rows; how many rows it changed (each database reports
/// that in its own result type).
macro_rules! execute {
    ($query:expr, $on:expr) => {
        $query.execute($on).await.map(|done| done.rows_affected())
    };
}

mod audit;
mod changes;
mod dump;
mod jobs;
mod likes;
mod live;
mod moderation;
mod one_time_tokens;
#[cfg(test)]
mod postgres_plans;
mod posts;
mod request_log;
mod select;
mod sessions;
mod users;

pub use audit::{AuditEvent, AuditRow};
pub use changes::Change;
pub use dump::{Dump, LikeRecord, PostRecord, DUMP_FORMAT};
pub use jobs::{JobRow, NewJob};
pub use live::LivePost;
pub use moderation::{ModeratedPost, PostSelection, UserSelection};
pub use one_time_tokens::Purpose;
pub(crate) use posts::contains_pattern;
pub use posts::{AuthorColumns, ImageColumns, PostHead, PostRow};
pub use request_log::RequestSelection;
pub use sessions::{FamilyRow, SessionRow, TokenRow, TokenUserRow};
/// Errors from the database driver.
pub use sqlx::Error as DbError;
pub use users::{Inserted, NewUser, ProfileChange, ProxyLink, UserRow, UNUSABLE_PASSWORD};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::str::FromStr;
use std::time::Duration;

/// A write transaction: the domain groups several store calls (a new user and their welcome
/// job) so they commit together or not at all. The domain begins, passes and commits it without
/// seeing which database runs it.
pub struct Tx {
    on: TxOn,
    /// Changes to announce once this commits (see [`changes`]).
    announced: Vec<Change>,
    local: tokio::sync::broadcast::Sender<Change>,
}

pub(crate) enum TxOn {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

impl Tx {
    pub(crate) fn dialect(&self) -> Dialect {
        match self.on {
            TxOn::Sqlite(_) => Dialect::Sqlite,
            TxOn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Commits, and then (only then) its announcements reach the live hubs.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        self.announce_before_commit().await?;
        match self.on {
            TxOn::Sqlite(tx) => {
                tx.commit().await?;
                changes::deliver(&self.local, &self.announced);
            }
            TxOn::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Each database's schema, embedded at build time: the same tables, in each one's own terms.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The database: SQLite (one file, the default) or PostgreSQL, chosen by the URL's scheme.
#[derive(Clone)]
pub struct Db {
    backend: Backend,
    /// Likes waiting for the writer (see [`likes`]).
    likes: tokio::sync::mpsc::Sender<likes::LikeWrite>,
    /// Where this process hears committed changes (see [`changes`]).
    changes: tokio::sync::broadcast::Sender<Change>,
}

#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(Sqlite),
    Postgres(PgPool),
}

/// SQLite: a pool of read-only connections, and one connection for every write.
///
/// SQLite lets one writer in at a time. With writes spread over a pool, a writer that finds
/// the lock taken sleeps in SQLite's busy handler (1, 2, 5, 10, ... 100 ms steps) and wakes
/// late; behind the single writer connection, writes queue in order and start the moment the
/// previous one commits. The readers are opened read-only, so a write sent to them fails in
/// every test instead of slipping past the queue.
#[derive(Clone)]
pub(crate) struct Sqlite {
    readers: SqlitePool,
    writer: SqlitePool,
    /// The database file (`None` for in-memory databases).
    file: Option<std::sync::Arc<std::path::Path>>,
}

/// Which SQL dialect a statement is written in, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// Why the database cannot serve requests (for `/readyz`).
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    #[error("the database file is gone")]
    FileGone,
    #[error("the database does not answer: {0}")]
    NoAnswer(#[from] sqlx::Error),
    #[error("{applied} of {known} migrations applied")]
    Migrations { applied: i64, known: usize },
}

/// Connections per pool: two per core, at most eight. A SQLite reader is a thread with its
/// page cache (up to 2 MB), and reads never wait on disk for long, so more than the cores can
/// run only cost memory; a PostgreSQL connection is a server process, shared by every instance.
fn connection_count() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    (cores * 2).clamp(2, 8)
}

impl Db {
    /// Opens the database the URL names (`postgres://…`, else SQLite, creating the file if
    /// needed) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres(connect_postgres(url).await?)
        } else {
            Backend::Sqlite(connect_sqlite(url).await?)
        };
        let changes = changes::channel();
        let likes = likes::spawn_like_writer(backend.clone(), changes.clone());
        Ok(Db { backend, likes, changes })
    }

    pub(crate) fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.dialect() {
            Dialect::Sqlite => &SQLITE_MIGRATIONS,
            Dialect::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// Whether the database answers and has every migration this build knows.
    pub async fn ready(&self) -> Result<(), NotReady> {
        if let Backend::Sqlite(Sqlite { file: Some(path), .. }) = &self.backend {
            if !path.exists() {
                return Err(NotReady::FileGone);
            }
        }
        let sql = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let applied: i64 = on_readers!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)?;
        let known = self.migrator().migrations.len();
        if applied != known as i64 {
            return Err(NotReady::Migrations { applied, known });
        }
        Ok(())
    }

    /// Starts a write transaction. On SQLite, `IMMEDIATE` takes the write lock first, so
    /// concurrent writers queue on the busy timeout; a deferred one that read before writing (as
    /// the search index's triggers do) would fail at once with "database is locked" whenever
    /// another writer committed in between.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        let on = match &self.backend {
            Backend::Sqlite(sqlite) => TxOn::Sqlite(sqlite.writer.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres(pool) => TxOn::Postgres(pool.begin().await?),
        };
        Ok(Tx { on, announced: Vec::new(), local: self.changes.clone() })
    }

    /// Open connections in the pools, and how many of them are idle (for metrics).
    pub fn pool_size(&self) -> u32 {
        match &self.backend {
            Backend::Sqlite(s) => s.readers.size() + s.writer.size(),
            Backend::Postgres(pool) => pool.size(),
        }
    }

    pub fn pool_idle(&self) -> usize {
        match &self.backend {
            Backend::Sqlite(s) => s.readers.num_idle() + s.writer.num_idle(),
            Backend::Postgres(pool) => pool.num_idle(),
        }
    }

    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let sql = "SELECT COUNT(*) FROM users";
        let users: i64 = on_readers!(self, |pool| sqlx::query_scalar(sql).fetch_one(pool).await)?;
        Ok(users == 0)
    }
}

async fn connect_sqlite(url: &str) -> Result<Sqlite, sqlx::Error> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(5));
    let file = Some(options.get_filename())
        .filter(|path| !path.as_os_str().is_empty() && *path != std::path::Path::new(":memory:"))
        .map(std::sync::Arc::from);
    let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
    SQLITE_MIGRATIONS.run(&writer).await?;
    // An in-memory database exists once per connection: there, the writer does it all.
    let readers = match file {
        Some(_) => {
            let readers = options.read_only(true).create_if_missing(false);
            SqlitePoolOptions::new().max_connections(connection_count()).connect_with(readers).await?
        }
        None => writer.clone(),
    };
    Ok(Sqlite { readers, writer, file })
}

async fn connect_postgres(url: &str) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.application_name("mublog");
    // Two more than the requests use: the job workers' and the live hub's listeners keep one
    // each for themselves.
    let pool = PgPoolOptions::new()
        .max_connections(connection_count() + 2)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?;
    // Instances starting together take turns: sqlx holds an advisory lock while it migrates.
    POSTGRES_MIGRATIONS.run(&pool).await?;
    Ok(pool)
}

/// User text as one FTS5 phrase: quoted, so its characters are matched, never parsed.
pub(crate) fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// Both databases report unique violations; this tells one apart.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// An empty, migrated database in a temporary folder (kept alive by the returned guard).
#[cfg(test)]
pub(crate) async fn scratch_db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::connect(&format!("sqlite://{}/scratch.db", dir.path().display())).await.unwrap();
    (dir, db)
}

/// An empty, migrated PostgreSQL database of its own on the server `MUBLOG_TEST_POSTGRES`
/// names (a local one by default), dropped with the returned guard.
#[cfg(test)]
pub(crate) async fn postgres_scratch_db() -> (PostgresScratch, Db) {
    use sqlx::Connection;
    let server = std::env::var("MUBLOG_TEST_POSTGRES");
    let server = server.as_deref().unwrap_or("postgres://postgres@127.0.0.1:5432").trim_end_matches('/');
    let name = format!("mublog_scratch_{:032x}", rand::random::<u128>());
    let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
        .await
        .unwrap_or_else(|e| panic!("no PostgreSQL at {server} ({e}): ./scripts/test starts one"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    let guard = PostgresScratch { server: server.to_owned(), name };
    let db = Db::connect(&guard.url()).await.unwrap();
    (guard, db)
}

/// Drops its database, whatever connections are still open on it.
#[cfg(test)]
pub(crate) struct PostgresScratch {
    server: String,
    name: String,
}

#[cfg(test)]
impl PostgresScratch {
    pub(crate) fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }
}

#[cfg(test)]
impl Drop for PostgresScratch {
    fn drop(&mut self) {
        use sqlx::Connection;
        let (server, name) = (&self.server, &self.name);
        let remove = async move {
            let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres")).await.unwrap();
            let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::query(&drop).execute(&mut admin).await.unwrap();
        };
        // Its own thread and runtime: a test's runtime cannot block.
        std::thread::scope(|s| {
            s.spawn(|| {
                tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(remove)
            });
        });
    }
}

/// A database across a network is reached over TLS: with `sslmode=require` the connection is
/// encrypted, or refused.
#[cfg(test)]
#[tokio::test]
async fn postgres_connections_can_require_tls() {
    let (guard, _) = postgres_scratch_db().await;
    let db = Db::connect(&format!("{}?sslmode=require", guard.url())).await.unwrap();
    let Backend::Postgres(pool) = &db.backend else { unreachable!("a PostgreSQL URL") };
    let sql = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()";
    let encrypted: bool = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
    assert!(encrypted);
}

/// The steps of SQLite's plan for a built query (tests check that lists seek, never scan).
#[cfg(test)]
pub(crate) async fn query_plan(db: &Db, q: &select::Built) -> Vec<String> {
    let sql = format!("EXPLAIN QUERY PLAN {}", q.text());
    let rows: Vec<(i64, i64, i64, String)> =
        select::bind_values!(sqlx::query_as(&sql), q).fetch_all(db.pool()).await.unwrap();
    rows.into_iter().map(|r| r.3).collect()
}

/// Asserts that a SQLite plan seeks `through` an index: no full scan, no sort.
#[cfg(test)]
pub(crate) fn assert_seeks(steps: &[String], through: &str) {
    // A virtual table reports its index lookups as SCAN; any other SCAN reads a whole table.
    let full_scan = |s: &String| s.starts_with("SCAN ") && !s.contains("VIRTUAL TABLE INDEX");
    assert!(!steps.iter().any(full_scan), "{steps:#?}");
    assert!(!steps.iter().any(|s| s.contains("TEMP B-TREE")), "no sort step: {steps:#?}");
    assert!(steps.iter().any(|s| s.contains(through)), "expected {through}: {steps:#?}");
}

/// A scratch SQLite database's connections, for tests that set up rows directly.
#[cfg(test)]
impl Db {
    pub(crate) fn pool(&self) -> &SqlitePool {
        match &self.backend {
            Backend::Sqlite(sqlite) => &sqlite.readers,
            Backend::Postgres(_) => panic!("a SQLite test on PostgreSQL"),
        }
    }

    pub(crate) fn writer(&self) -> &SqlitePool {
        match &self.backend {
            Backend::Sqlite(sqlite) => &sqlite.writer,
            Backend::Postgres(_) => panic!("a SQLite test on PostgreSQL"),
        }
    }
}
