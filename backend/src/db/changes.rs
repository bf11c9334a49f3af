//! Writes to `sync_changes`, the per-contact change log of each job (its reads:
//! `change_reader`).

use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};

use super::DbError;
use crate::domain::{change::Change, sync_job::SyncJobId, time::UnixTime};

/// Rows per insert statement (six bound values each). Each pooled connection keeps the
/// statement prepared, so its size is memory: at 1,000 rows the server's RSS after a sync
/// under load grew 8-14 % (the load test allows 10 %) and a 1M-row log was not written
/// faster; at 200 rows, 2-4 %.
const STATEMENT_ROWS: usize = 200;

/// Appends changes, numbered on from `first_id`, as multi-row inserts with bound values
/// (no JSON to encode and for SQLite to take apart again: a 1M-person sync's change-log
/// transactions took 5.2-5.5 s instead of 7.0 s).
pub async fn insert(
    conn: &mut SqliteConnection,
    job_id: SyncJobId,
    first_id: i64,
    changes: &[&Change],
) -> Result<(), DbError> {
    let mut next_id = first_id;
    for statement in changes.chunks(STATEMENT_ROWS) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO sync_changes (job_id, id, action, email, person_id, reason) ",
        );
        let numbered = statement.iter().zip(next_id..);
        insert.push_values(numbered, |mut row, (change, id)| {
            row.push_bind(job_id.0)
                .push_bind(id)
                .push_bind(change.action.as_str())
                .push_bind(change.email.as_deref())
                .push_bind(change.person_id)
                .push_bind(change.reason.as_deref());
        });
        // Kept prepared only at full size: the last statement of a commit has any length up to
        // 200, and a cached statement for each length would hold megabytes.
        let full = statement.len() == STATEMENT_ROWS;
        insert.build().persistent(full).execute(&mut *conn).await?;
        next_id += statement.len() as i64;
    }
    Ok(())
}

/// Deletes up to `batch` rows of the oldest job that still has a change log, if that job was
/// created before `cutoff`; returns how many. Called until it returns 0, so no statement
/// holds the write lock for long. Job ids grow with their start time, so the oldest log
/// being young enough means every log is.
pub async fn prune(pool: &SqlitePool, cutoff: UnixTime, batch: u32) -> Result<u64, DbError> {
    let result = sqlx::query!(
        r#"
        WITH oldest AS (SELECT job_id, id FROM sync_changes ORDER BY job_id, id LIMIT 1)
        DELETE FROM sync_changes
        WHERE job_id = (SELECT o.job_id FROM oldest o JOIN sync_jobs j ON j.id = o.job_id
                        WHERE j.created_at < ?1)
          AND id < (SELECT id FROM oldest) + ?2
        "#,
        cutoff.0,
        batch
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}
