//! The data layer: every SQL statement lives under this module. Callers see plain functions on
//! [`Db`]; today they run on SQLite only, but nothing outside this module names SQLite: rows
//! and [`Tx`] are the store's own types, and its failures are [`DbError`]s.

mod audit;
mod dump;
mod jobs;
mod likes;
mod moderation;
mod one_time_tokens;
mod posts;
mod request_log;
mod select;
mod sessions;
mod users;

pub use audit::{AuditEvent, AuditRow};
pub use dump::{Dump, LikeRecord, PostRecord, DUMP_FORMAT};
pub use jobs::{JobRow, NewJob};
pub use moderation::{ModeratedPost, PostSelection, UserSelection};
pub use one_time_tokens::Purpose;
pub(crate) use posts::contains_pattern;
pub use posts::{AuthorColumns, ImageColumns, PostHead, PostRow};
pub use request_log::RequestSelection;
pub use sessions::{FamilyRow, SessionRow, TokenRow, TokenUserRow};
/// Errors from the database driver.
pub use sqlx::Error as DbError;
pub use users::{Inserted, NewUser, ProfileChange, UserRow};

/// A write transaction: the domain groups several store calls (a new user and their welcome
/// job) so they commit together or not at all. The domain begins, passes and commits it without
/// seeing which database runs it; the store's queries run on the connection it derefs to.
pub struct Tx(sqlx::Transaction<'static, sqlx::Sqlite>);

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.0.commit().await
    }
}

impl std::ops::Deref for Tx {
    type Target = sqlx::SqliteConnection;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;

/// One SQL statement with its bound values.
type Statement<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;
use std::str::FromStr;
use std::time::Duration;

/// The schema: `migrations/`, embedded at build time.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// The database: a pool of read-only connections, and one connection for every write.
///
/// SQLite lets one writer in at a time. With writes spread over a pool, a writer that finds
/// the lock taken sleeps in SQLite's busy handler (1, 2, 5, 10, ... 100 ms steps) and wakes
/// late; behind the single writer connection, writes queue in order and start the moment the
/// previous one commits. The readers are opened read-only, so a write sent to them fails in
/// every test instead of slipping past the queue.
#[derive(Clone)]
pub struct Db {
    pool: SqlitePool,
    writer: SqlitePool,
    /// The database file (`None` for in-memory databases).
    file: Option<std::sync::Arc<std::path::Path>>,
    /// Likes waiting for the writer (see [`likes`]).
    likes: tokio::sync::mpsc::Sender<likes::LikeWrite>,
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

/// Read connections: two per core, at most eight. Each is a thread with SQLite's page cache
/// (up to 2 MB), and reads never wait on disk for long, so more than the cores can run only
/// cost memory.
fn reader_count() -> u32 {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u32);
    (cores * 2).clamp(2, 8)
}

impl Db {
    /// Opens (creating if needed) the database and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
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
        MIGRATOR.run(&writer).await?;
        // An in-memory database exists once per connection: there, the writer does it all.
        let pool = match file {
            Some(_) => {
                let readers = options.read_only(true).create_if_missing(false);
                SqlitePoolOptions::new().max_connections(reader_count()).connect_with(readers).await?
            }
            None => writer.clone(),
        };
        let likes = likes::spawn_like_writer(writer.clone(), pool.clone());
        Ok(Db { pool, writer, file, likes })
    }

    /// Whether the database answers and has every migration this build knows.
    pub async fn ready(&self) -> Result<(), NotReady> {
        if self.file.as_deref().is_some_and(|path| !path.exists()) {
            return Err(NotReady::FileGone);
        }
        let applied: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success")
            .fetch_one(&self.pool)
            .await?;
        let known = MIGRATOR.migrations.len();
        if applied != known as i64 {
            return Err(NotReady::Migrations { applied, known });
        }
        Ok(())
    }

    /// Starts a write transaction. `IMMEDIATE` takes the write lock first, so concurrent
    /// writers queue on the busy timeout; a deferred one that read before writing (as the
    /// search index's triggers do) would fail at once with "database is locked" whenever
    /// another writer committed in between.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx(self.writer.begin_with("BEGIN IMMEDIATE").await?))
    }

    /// Open connections in the pools, and how many of them are idle (for metrics).
    pub fn pool_size(&self) -> u32 {
        self.pool.size() + self.writer.size()
    }

    pub fn pool_idle(&self) -> usize {
        self.pool.num_idle() + self.writer.num_idle()
    }

    /// The read-only connections.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The one connection that writes (single statements; several go in [`Db::begin`]).
    pub(crate) fn writer(&self) -> &SqlitePool {
        &self.writer
    }

    /// Runs one writing statement on the writer; returns how many rows it changed.
    async fn write(&self, statement: Statement<'_>) -> Result<u64, sqlx::Error> {
        Ok(statement.execute(self.writer()).await?.rows_affected())
    }

    pub async fn is_empty(&self) -> Result<bool, sqlx::Error> {
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?;
        Ok(users == 0)
    }
}

/// User text as one FTS5 phrase: quoted, so its characters are matched, never parsed.
pub(crate) fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// SQLite reports constraint names in its messages; this tells a unique violation apart.
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

/// The steps of SQLite's plan for a built query (tests check that lists seek, never scan).
#[cfg(test)]
pub(crate) async fn query_plan(db: &Db, mut q: sqlx::QueryBuilder<'static, sqlx::Sqlite>) -> Vec<String> {
    use sqlx::Execute;
    let sql = format!("EXPLAIN QUERY PLAN {}", q.sql());
    let args = q.build().take_arguments().ok().flatten().unwrap_or_default();
    let rows: Vec<(i64, i64, i64, String)> =
        sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await.unwrap();
    rows.into_iter().map(|r| r.3).collect()
}
