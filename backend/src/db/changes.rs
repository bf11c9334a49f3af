//! Queries on `sync_changes`, the per-contact change log of each job.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use super::{json_array, parse_rows, DbError};
use crate::domain::{
    change::{Change, ChangeAction, LoggedChange},
    sync_job::SyncJobId,
    time::UnixTime,
};

/// A `sync_changes` row, as the queries below render it in JSON (and as batches are sent).
#[derive(Serialize, Deserialize)]
struct ChangeRow<'a> {
    #[serde(default, skip_serializing)]
    id: i64,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    email: Option<Cow<'a, str>>,
    person_id: Option<i64>,
    #[serde(borrow)]
    reason: Option<Cow<'a, str>>,
}

/// Which changes of a job to list: newest first, strictly older than `before` when given.
#[derive(Debug, Clone, Copy)]
pub struct ChangeQuery<'a> {
    pub job_id: SyncJobId,
    pub action: Option<ChangeAction>,
    /// A part of the address, matched case-insensitively.
    pub email_contains: Option<&'a str>,
    pub before: Option<i64>,
    pub limit: u32,
}

/// Appends a batch of changes in one statement, numbered from `first_id`: the batch travels
/// as one JSON array, so ten thousand rows cost one round trip.
pub async fn insert_batch<'a>(
    conn: &mut SqliteConnection,
    job_id: SyncJobId,
    first_id: i64,
    changes: impl Iterator<Item = &'a Change>,
) -> Result<(), DbError> {
    let rows: Vec<ChangeRow> = changes
        .map(|change| ChangeRow {
            id: 0,
            action: change.action.as_str().into(),
            email: change.email.as_deref().map(Cow::from),
            person_id: change.person_id,
            reason: change.reason.as_deref().map(Cow::from),
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let rows = serde_json::to_string(&rows).expect("change rows always serialise");
    sqlx::query!(
        r#"
        INSERT INTO sync_changes (job_id, id, action, email, person_id, reason)
        SELECT ?1, ?2 + key, value ->> 'action', value ->> 'email', value ->> 'person_id',
               value ->> 'reason'
        FROM json_each(?3)
        "#,
        job_id.0,
        first_id,
        rows
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A page of a job's changes. Keyset pagination on the primary key: a page costs the same at
/// any depth of a million-row log.
pub async fn page(pool: &SqlitePool, query: ChangeQuery<'_>) -> Result<Vec<LoggedChange>, DbError> {
    let before = query.before.unwrap_or(i64::MAX);
    let limit = i64::from(query.limit);
    let search = query.email_contains.map(|part| part.to_lowercase());
    // Two statements, so that a page of one action uses the (job_id, action, id) index.
    let rows = match query.action.map(ChangeAction::as_str) {
        Some(action) => {
            sqlx::query_scalar!(
                r#"
                SELECT group_concat(json_object('id', id, 'action', action, 'email', email,
                                                'person_id', person_id, 'reason', reason))
                       AS "rows: String"
                FROM (SELECT * FROM sync_changes
                      WHERE job_id = ?1 AND action = ?2 AND id < ?3
                        AND (?4 IS NULL OR instr(email, ?4) > 0)
                      ORDER BY id DESC LIMIT ?5)
                "#,
                query.job_id.0,
                action,
                before,
                search,
                limit
            )
            .fetch_one(pool)
            .await?
        }
        None => {
            sqlx::query_scalar!(
                r#"
                SELECT group_concat(json_object('id', id, 'action', action, 'email', email,
                                                'person_id', person_id, 'reason', reason))
                       AS "rows: String"
                FROM (SELECT * FROM sync_changes
                      WHERE job_id = ?1 AND id < ?2 AND (?3 IS NULL OR instr(email, ?3) > 0)
                      ORDER BY id DESC LIMIT ?4)
                "#,
                query.job_id.0,
                before,
                search,
                limit
            )
            .fetch_one(pool)
            .await?
        }
    };
    let array = json_array(rows);
    let mut rows: Vec<ChangeRow> = parse_rows(&array, "change")?;
    rows.sort_unstable_by_key(|row| std::cmp::Reverse(row.id));
    rows.into_iter()
        .map(|row| {
            Ok(LoggedChange {
                id: row.id,
                change: Change {
                    action: row
                        .action
                        .parse()
                        .map_err(|e| DbError::Corrupt(format!("{e}")))?,
                    email: row.email.map(Cow::into_owned),
                    person_id: row.person_id,
                    reason: row.reason.map(Cow::into_owned),
                },
            })
        })
        .collect()
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
