//! All SQL lives here: one function per statement, checked at compile time against the
//! committed `.sqlx/` data.

pub mod alerts;
pub mod change_reader;
pub mod changes;
pub mod field_mapping;
pub mod filters;
mod read_only;
pub mod schedule;
pub mod sessions;
pub mod sync_jobs;
pub mod usage;

use std::{path::PathBuf, str::FromStr, time::Duration};

use serde::Deserialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
pub use sqlx::SqlitePool;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid DATABASE_URL {url:?}: {source}")]
    InvalidUrl { url: String, source: sqlx::Error },
    #[error("could not create the database folder {path}: {source}")]
    CreateFolder {
        path: String,
        source: std::io::Error,
    },
    #[error("could not apply the database migrations")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("a stored value is out of range: {0}")]
    Corrupt(String),
    #[error("database query failed")]
    Query(#[from] sqlx::Error),
    #[error("database read failed")]
    Read(#[from] rusqlite::Error),
}

/// Opens the pool with the settings every connection needs, creating the database file and
/// its folder when missing, and brings the schema up to date.
pub async fn connect(database_url: &str) -> Result<SqlitePool, DbError> {
    let options = SqliteConnectOptions::from_str(database_url)
        .map_err(|source| DbError::InvalidUrl {
            url: database_url.into(),
            source,
        })?
        .create_if_missing(true)
        // Needed on every connection for ON DELETE CASCADE (DESIGN §1, decision 5).
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Writers queue for the lock instead of failing with "database is locked".
        .busy_timeout(Duration::from_secs(10))
        // Safe with WAL: a power loss can only drop the last transactions, never corrupt.
        .synchronous(SqliteSynchronous::Normal);

    if let Some(folder) = data_folder(&options) {
        std::fs::create_dir_all(&folder).map_err(|source| DbError::CreateFolder {
            path: folder.display().to_string(),
            source,
        })?;
    }

    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        // A SQLite connection is a file handle, it cannot drop like a network one: no ping
        // through the connection's worker thread before each use (one round trip a request).
        .test_before_acquire(false)
        .connect_with(options)
        .await?;
    sqlx::migrate!("../migrations").run(&pool).await?;
    Ok(pool)
}

/// The folder holding the database file, where the service also keeps its generated
/// secrets; `None` for an in-memory database.
pub fn database_folder(database_url: &str) -> Result<Option<PathBuf>, DbError> {
    let options =
        SqliteConnectOptions::from_str(database_url).map_err(|source| DbError::InvalidUrl {
            url: database_url.into(),
            source,
        })?;
    Ok(data_folder(&options))
}

fn data_folder(options: &SqliteConnectOptions) -> Option<PathBuf> {
    let path = options.get_filename();
    let name = path.to_string_lossy();
    if name == ":memory:" || name.starts_with("file:sqlx-in-memory") {
        return None;
    }
    Some(match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    })
}

/// The JSON array of rows that a query rendered as JSON objects and joined with
/// `group_concat` (`None` when no row matched). Joining the text, rather than nesting with
/// `json()` or ordering inside the aggregate, spares SQLite a parse and a sort per row; the
/// callers order the parsed rows.
fn json_array(joined: Option<String>) -> String {
    let joined = joined.unwrap_or_default();
    let mut array = String::with_capacity(joined.len() + 2);
    array.push('[');
    array.push_str(&joined);
    array.push(']');
    array
}

/// Parses what [`json_array`] returned into rows; `what` names them in the error.
fn parse_rows<'de, T: Deserialize<'de>>(array: &'de str, what: &str) -> Result<Vec<T>, DbError> {
    serde_json::from_str(array).map_err(|e| DbError::Corrupt(format!("the {what} rows' JSON: {e}")))
}

/// Answers when the database does, for the health check.
pub async fn ping(pool: &SqlitePool) -> Result<(), DbError> {
    sqlx::query!(r#"SELECT 1 AS "one!: i64""#)
        .fetch_one(pool)
        .await?;
    Ok(())
}

/// Tells whether anything was committed to the database since it last looked, whoever wrote
/// it: this service, a restore, an operator's `sqlite3`. SQLite's `PRAGMA data_version`
/// changes whenever another connection commits, so the watcher keeps a connection of its own
/// that never writes.
pub struct ChangeWatcher {
    connection: std::sync::Mutex<rusqlite::Connection>,
}

impl ChangeWatcher {
    /// A watcher on `pool`'s database; `None` for an in-memory one, whose connections share
    /// one cache and so never see each other's commits as a new data version.
    pub fn open(pool: &SqlitePool) -> Result<Option<Self>, DbError> {
        let opener = read_only::ReadOnlyOpener::new(pool)?;
        if opener.in_memory() {
            return Ok(None);
        }
        Ok(Some(Self {
            connection: std::sync::Mutex::new(opener.open()?),
        }))
    }

    /// A value that differs from the previous one when a commit happened in between, as of
    /// a moment after the call began. Read on the caller's thread: a pragma that takes a
    /// microsecond, where a round trip through a sqlx connection's worker thread held a
    /// hundred concurrent requests in a convoy behind it.
    pub fn data_version(&self) -> Result<i64, DbError> {
        let connection = self.connection.lock().expect("never poisoned");
        let mut statement = connection.prepare_cached("PRAGMA data_version")?;
        Ok(statement.query_row([], |row| row.get(0))?)
    }
}

/// A write transaction that takes the write lock up front: a deferred one that reads first
/// could fail with "database is locked" when it later tries to write.
pub async fn begin_write(
    pool: &SqlitePool,
) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, DbError> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Writes a consistent copy of the whole database to the new file `path` (`VACUUM INTO`),
/// without blocking the service's readers and writers.
pub async fn vacuum_into(conn: &mut sqlx::SqliteConnection, path: &str) -> Result<(), DbError> {
    sqlx::query!(
        r#"
        VACUUM INTO ?1
        "#,
        path
    )
    .execute(conn)
    .await?;
    Ok(())
}
