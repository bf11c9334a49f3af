//! Reads of a job's change log through read-only connections of its own (`read_only`).
//!
//! A page of 200 changes is the dashboard's hottest read. Through sqlx, passing its rows
//! back from the connection's worker thread cheaply meant SQLite rendering them as JSON text
//! (`json_object`, `group_concat`) for the route to split and sort again; here each row's
//! columns reach the caller as values borrowed from SQLite.

use std::sync::Mutex;

use rusqlite::Connection;
use sqlx::SqlitePool;

use super::{read_only::ReadOnlyOpener, DbError};
use crate::domain::{change::ChangeAction, sync_job::SyncJobId};

/// Which changes of a job to read: newest first, strictly older than `before` when given.
#[derive(Debug, Clone, Copy)]
pub struct ChangeQuery<'a> {
    pub job_id: SyncJobId,
    pub action: Option<ChangeAction>,
    /// A part of the address, matched case-insensitively.
    pub email_contains: Option<&'a str>,
    pub before: Option<i64>,
    pub limit: u32,
}

/// One change as the reader hands it over: borrowed from SQLite's row, valid for the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeRow<'r> {
    pub id: i64,
    pub action: ChangeAction,
    pub email: Option<&'r str>,
    pub person_id: Option<i64>,
    pub reason: Option<&'r str>,
}

/// Connections kept open between reads; a burst opens more and closes them after.
const IDLE_CONNECTIONS: usize = 4;

/// A page's statement with the conditions given. Keyset pagination on the primary key, so
/// a page costs the same at any depth of a million-row log; a page of one action uses the
/// (job_id, action, id) index. A condition not asked for is left out, not written as
/// `(:x IS NULL OR …)`, which SQLite would evaluate on every row.
macro_rules! page_sql {
    // Numbered parameters: ?1 job, ?2 before, ?3 limit, ?4 action, ?5 address.
    ($($condition:literal),*) => {
        concat!(
            "SELECT id, action, email, person_id, reason FROM sync_changes",
            " WHERE job_id = ?1 AND id < ?2",
            $(" AND ", $condition,)*
            " ORDER BY id DESC LIMIT ?3"
        )
    };
}

fn page_sql(by_action: bool, by_address: bool) -> &'static str {
    match (by_action, by_address) {
        (false, false) => page_sql!(),
        (true, false) => page_sql!("action = ?4"),
        (false, true) => page_sql!("instr(email, ?5) > 0"),
        (true, true) => page_sql!("action = ?4", "instr(email, ?5) > 0"),
    }
}

pub struct ChangeReader {
    opener: ReadOnlyOpener,
    idle: Mutex<Vec<Connection>>,
}

impl ChangeReader {
    pub fn open(pool: &SqlitePool) -> Result<Self, DbError> {
        let opener = ReadOnlyOpener::new(pool)?;
        // Fails now, at start-up, if the database cannot be opened this way.
        let idle = Mutex::new(vec![opener.open()?]);
        Ok(Self { opener, idle })
    }

    /// Calls `visit` with each change `query` selects, newest first; returns how many.
    /// Runs on the calling thread: a page of a few hundred rows from the primary key takes
    /// tens of microseconds, less than handing it to another thread and back.
    pub fn read(
        &self,
        query: ChangeQuery<'_>,
        mut visit: impl FnMut(ChangeRow<'_>),
    ) -> Result<usize, DbError> {
        let connection = self.connection()?;
        let read = read_rows(&connection, query, &mut visit);
        self.put_back(connection);
        read
    }

    fn connection(&self) -> Result<Connection, DbError> {
        match self.idle().pop() {
            Some(connection) => Ok(connection),
            None => self.opener.open(),
        }
    }

    fn put_back(&self, connection: Connection) {
        let mut idle = self.idle();
        if idle.len() < IDLE_CONNECTIONS {
            idle.push(connection);
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        self.idle
            .lock()
            .expect("the reader's connection list is never poisoned")
    }
}

fn read_rows(
    connection: &Connection,
    query: ChangeQuery<'_>,
    visit: &mut impl FnMut(ChangeRow<'_>),
) -> Result<usize, DbError> {
    let address = query.email_contains.map(str::to_lowercase);
    let mut statement =
        connection.prepare_cached(page_sql(query.action.is_some(), address.is_some()))?;
    statement.raw_bind_parameter(1, query.job_id.0)?;
    statement.raw_bind_parameter(2, query.before.unwrap_or(i64::MAX))?;
    statement.raw_bind_parameter(3, query.limit)?;
    if let Some(action) = query.action {
        statement.raw_bind_parameter(4, action.as_str())?;
    }
    if let Some(address) = &address {
        statement.raw_bind_parameter(5, address)?;
    }
    let mut rows = statement.raw_query();
    let mut count = 0;
    // Columns by position, the statement's own (an index out of range is a bug here, not
    // bad data); the action is matched as bytes, without a UTF-8 check.
    while let Some(row) = rows.next()? {
        visit(ChangeRow {
            id: integer(row, 0)?.ok_or_else(|| corrupt(0, "NULL"))?,
            action: action(row)?,
            email: text(row, 2)?,
            person_id: integer(row, 3)?,
            reason: text(row, 4)?,
        });
        count += 1;
    }
    Ok(count)
}

fn corrupt(index: usize, what: impl std::fmt::Display) -> DbError {
    DbError::Corrupt(format!("change column {index}: {what}"))
}

fn integer(row: &rusqlite::Row<'_>, index: usize) -> Result<Option<i64>, DbError> {
    row.get_ref_unwrap(index)
        .as_i64_or_null()
        .map_err(|e| corrupt(index, e))
}

/// Column `index` of `row` as text borrowed from SQLite, `None` for NULL.
fn text<'r>(row: &'r rusqlite::Row<'_>, index: usize) -> Result<Option<&'r str>, DbError> {
    row.get_ref_unwrap(index)
        .as_str_or_null()
        .map_err(|e| corrupt(index, e))
}

/// The action column, matched as bytes (the table's CHECK admits only the five names).
fn action(row: &rusqlite::Row<'_>) -> Result<ChangeAction, DbError> {
    let stored = row
        .get_ref_unwrap(1)
        .as_bytes()
        .map_err(|e| corrupt(1, e))?;
    ChangeAction::ALL
        .into_iter()
        .find(|action| action.as_str().as_bytes() == stored)
        .ok_or_else(|| {
            corrupt(
                1,
                format!("unknown action {:?}", String::from_utf8_lossy(stored)),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{db, domain::change::Change};

    const JOB: SyncJobId = SyncJobId(1);

    fn change(action: ChangeAction, email: Option<&str>, person_id: Option<i64>) -> Change {
        Change {
            action,
            email: email.map(str::to_owned),
            person_id,
            reason: (action == ChangeAction::Skipped).then(|| "no \"email\",\nat all".into()),
        }
    }

    /// A pool on `url` holding job 1 with five changes (ids 1 to 5), and its reader.
    async fn logged(url: &str) -> (SqlitePool, ChangeReader) {
        let pool = db::connect(url).await.unwrap();
        for statement in [
            "INSERT INTO filters (id, name) VALUES (1, 'Mirror')",
            "INSERT INTO sync_jobs (id, filter_id, status) VALUES (1, 1, 'completed')",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        let changes = [
            change(ChangeAction::Added, Some("ada@example.com"), Some(1)),
            change(ChangeAction::Skipped, None, Some(2)),
            change(ChangeAction::Removed, Some("left@example.com"), None),
            change(ChangeAction::Added, Some("bob@example.org"), Some(4)),
            change(ChangeAction::Updated, Some("cy@example.com"), Some(5)),
        ];
        let mut conn = pool.acquire().await.unwrap();
        db::changes::insert(&mut conn, JOB, 1, &changes.iter().collect::<Vec<_>>())
            .await
            .unwrap();
        drop(conn);
        let reader = ChangeReader::open(&pool).unwrap();
        (pool, reader)
    }

    fn ids(reader: &ChangeReader, query: ChangeQuery<'_>) -> Vec<i64> {
        let mut ids = Vec::new();
        let count = reader.read(query, |row| ids.push(row.id)).unwrap();
        assert_eq!(count, ids.len());
        ids
    }

    fn all() -> ChangeQuery<'static> {
        ChangeQuery {
            job_id: JOB,
            action: None,
            email_contains: None,
            before: None,
            limit: 200,
        }
    }

    #[tokio::test]
    async fn pages_come_newest_first_below_the_key_by_action_and_address() {
        let dir = tempfile::tempdir().unwrap();
        let (_pool, reader) =
            logged(&format!("sqlite:{}", dir.path().join("a.db").display())).await;

        assert_eq!(ids(&reader, all()), [5, 4, 3, 2, 1]);
        let page = ChangeQuery {
            before: Some(4),
            limit: 2,
            ..all()
        };
        assert_eq!(ids(&reader, page), [3, 2]);
        let added = ChangeQuery {
            action: Some(ChangeAction::Added),
            ..all()
        };
        assert_eq!(ids(&reader, added), [4, 1]);
        let searched = ChangeQuery {
            email_contains: Some("EXAMPLE.COM"),
            ..all()
        };
        assert_eq!(ids(&reader, searched), [5, 3, 1]);
        let other_job = ChangeQuery {
            job_id: SyncJobId(2),
            ..all()
        };
        assert_eq!(ids(&reader, other_job), Vec::<i64>::new());
    }

    #[tokio::test]
    async fn rows_carry_their_nulls_and_text_as_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (_pool, reader) =
            logged(&format!("sqlite:{}", dir.path().join("a.db").display())).await;
        let mut rows = Vec::new();
        let query = ChangeQuery {
            before: Some(4),
            limit: 2,
            ..all()
        };
        reader
            .read(query, |row| {
                rows.push((
                    row.action,
                    row.email.map(str::to_owned),
                    row.person_id,
                    row.reason.map(str::to_owned),
                ))
            })
            .unwrap();

        assert_eq!(
            rows,
            [
                (
                    ChangeAction::Removed,
                    Some("left@example.com".to_owned()),
                    None,
                    None
                ),
                (
                    ChangeAction::Skipped,
                    None,
                    Some(2),
                    Some("no \"email\",\nat all".to_owned())
                ),
            ]
        );
    }

    #[tokio::test]
    async fn an_in_memory_database_is_read_through_sqlx_shared_cache() {
        let (_pool, reader) = logged("sqlite::memory:").await;

        assert_eq!(ids(&reader, all()), [5, 4, 3, 2, 1]);
    }
}
