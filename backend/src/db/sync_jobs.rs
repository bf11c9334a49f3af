//! Queries on `sync_jobs`. Rows are read through the `sync_job_rows` view, which renders
//! each as one JSON object with the fields of [`JobRow`]: the row shape is written once.

use serde::Deserialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::{json_array, parse_rows, DbError};
use crate::domain::{
    filter::FilterId,
    sync_job::{JobCounts, JobOptions, JobStatus, SyncJob, SyncJobId, Trigger},
    time::UnixTime,
};

/// A `sync_jobs` row as stored.
#[derive(Deserialize)]
pub(super) struct JobRow {
    id: i64,
    filter_id: i64,
    status: String,
    created_at: i64,
    completed_at: Option<i64>,
    dry_run: i64,
    started_by: String,
    total_fetched: i64,
    total_added: i64,
    total_updated: i64,
    total_removed: i64,
    total_skipped: i64,
    total_held: i64,
    total_unchanged: i64,
    error_message: Option<String>,
    notice: Option<String>,
}

impl TryFrom<JobRow> for SyncJob {
    type Error = DbError;

    fn try_from(row: JobRow) -> Result<Self, DbError> {
        let corrupt = |e: &dyn std::fmt::Display| DbError::Corrupt(e.to_string());
        Ok(SyncJob {
            id: SyncJobId(row.id),
            filter_id: FilterId(row.filter_id),
            status: row.status.parse().map_err(|e| corrupt(&e))?,
            created_at: UnixTime(row.created_at),
            completed_at: row.completed_at.map(UnixTime),
            dry_run: row.dry_run != 0,
            trigger: row.started_by.parse().map_err(|e| corrupt(&e))?,
            counts: JobCounts {
                fetched: row.total_fetched,
                added: row.total_added,
                updated: row.total_updated,
                removed: row.total_removed,
                skipped: row.total_skipped,
                held: row.total_held,
                unchanged: row.total_unchanged,
            },
            error_message: row.error_message,
            notice: row.notice,
        })
    }
}

/// Jobs, newest first, from `sync_job_rows` objects joined by `group_concat`.
fn parse_jobs(rows: Option<String>) -> Result<Vec<SyncJob>, DbError> {
    let array = json_array(rows);
    let mut rows: Vec<JobRow> = parse_rows(&array, "job")?;
    rows.sort_unstable_by_key(|row| std::cmp::Reverse(row.id));
    rows.into_iter().map(SyncJob::try_from).collect()
}

/// Which jobs to list: newest first, strictly older than `before` when given.
#[derive(Debug, Clone, Copy)]
pub struct JobQuery {
    pub filter_id: Option<FilterId>,
    pub status: Option<JobStatus>,
    pub before: Option<SyncJobId>,
    pub limit: u32,
}

pub async fn get(pool: &SqlitePool, id: SyncJobId) -> Result<Option<SyncJob>, DbError> {
    let rows = sqlx::query_scalar!(
        r#"SELECT group_concat(row) AS "rows: String" FROM sync_job_rows WHERE id = ?1"#,
        id.0
    )
    .fetch_one(pool)
    .await?;
    Ok(parse_jobs(rows)?.pop())
}

pub async fn exists(pool: &SqlitePool, id: SyncJobId) -> Result<bool, DbError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM sync_jobs WHERE id = ?1) AS "exists!: bool""#,
        id.0
    )
    .fetch_one(pool)
    .await?)
}

/// Keyset pagination on the primary key, so a page costs the same however long the history.
pub async fn list(pool: &SqlitePool, query: JobQuery) -> Result<Vec<SyncJob>, DbError> {
    let status = query.status.map(JobStatus::as_str);
    let before = query.before.map_or(i64::MAX, |id| id.0);
    let limit = i64::from(query.limit);
    // Two statements rather than `?1 IS NULL OR filter_id = ?1`, which would keep SQLite
    // from using the (filter_id, id) index for one filter's history.
    let rows = match query.filter_id {
        Some(filter_id) => {
            sqlx::query_scalar!(
                r#"
                SELECT group_concat(row) AS "rows: String"
                FROM (SELECT id, row FROM sync_job_rows
                      WHERE filter_id = ?1 AND id < ?2 AND (?3 IS NULL OR status = ?3)
                      ORDER BY id DESC LIMIT ?4)
                "#,
                filter_id.0,
                before,
                status,
                limit
            )
            .fetch_one(pool)
            .await?
        }
        None => {
            sqlx::query_scalar!(
                r#"
                SELECT group_concat(row) AS "rows: String"
                FROM (SELECT id, row FROM sync_job_rows
                      WHERE id < ?1 AND (?2 IS NULL OR status = ?2)
                      ORDER BY id DESC LIMIT ?3)
                "#,
                before,
                status,
                limit
            )
            .fetch_one(pool)
            .await?
        }
    };
    parse_jobs(rows)
}

/// Starts a job for an active filter that has none running, as one statement: SQLite runs it
/// atomically, so of many simultaneous starts exactly one inserts. `None` when nothing was
/// inserted (unknown or deleted filter, or a job already running).
pub async fn start(
    pool: &SqlitePool,
    filter_id: FilterId,
    at: UnixTime,
    options: JobOptions,
    trigger: Trigger,
) -> Result<Option<SyncJob>, DbError> {
    let trigger = trigger.as_str();
    let id = sqlx::query_scalar!(
        r#"
        INSERT INTO sync_jobs (filter_id, status, created_at, dry_run, started_by)
        SELECT f.id, 'processing', ?2, ?3, ?4 FROM filters f
        WHERE f.id = ?1 AND f.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.filter_id = f.id AND j.status = 'processing')
        RETURNING id AS "id!"
        "#,
        filter_id.0,
        at.0,
        options.dry_run,
        trigger
    )
    .fetch_optional(pool)
    .await?;
    match id {
        Some(id) => get(pool, SyncJobId(id)).await,
        None => Ok(None),
    }
}

/// The filter's running job, if any.
pub async fn running(pool: &SqlitePool, filter_id: FilterId) -> Result<Option<SyncJobId>, DbError> {
    let id = sqlx::query_scalar!(
        r#"SELECT id AS "id!" FROM sync_jobs WHERE filter_id = ?1 AND status = 'processing' LIMIT 1"#,
        filter_id.0
    )
    .fetch_optional(pool)
    .await?;
    Ok(id.map(SyncJobId))
}

/// The counts so far, while the job runs.
pub async fn set_progress(
    conn: &mut SqliteConnection,
    id: SyncJobId,
    counts: &JobCounts,
) -> Result<(), DbError> {
    sqlx::query!(
        r#"
        UPDATE sync_jobs SET total_fetched = ?2, total_added = ?3, total_updated = ?4,
                             total_removed = ?5, total_skipped = ?6, total_held = ?7,
                             total_unchanged = ?8
        WHERE id = ?1 AND status = 'processing'
        "#,
        id.0,
        counts.fetched,
        counts.added,
        counts.updated,
        counts.removed,
        counts.skipped,
        counts.held,
        counts.unchanged
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// What the operator should know about the running job, shown with it however it ends.
pub async fn set_notice(pool: &SqlitePool, id: SyncJobId, notice: &str) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE sync_jobs SET notice = ?2 WHERE id = ?1",
        id.0,
        notice
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// The end of a job: `completed` with its counts, or `failed` with the reason.
pub async fn finish(
    pool: &SqlitePool,
    id: SyncJobId,
    status: JobStatus,
    at: UnixTime,
    counts: &JobCounts,
    error_message: Option<&str>,
) -> Result<(), DbError> {
    let status = status.as_str();
    sqlx::query!(
        r#"
        UPDATE sync_jobs SET status = ?2, completed_at = ?3, total_fetched = ?4,
                             total_added = ?5, total_updated = ?6, total_removed = ?7,
                             total_skipped = ?8, total_held = ?9, total_unchanged = ?10,
                             error_message = ?11
        WHERE id = ?1 AND status = 'processing'
        "#,
        id.0,
        status,
        at.0,
        counts.fetched,
        counts.added,
        counts.updated,
        counts.removed,
        counts.skipped,
        counts.held,
        counts.unchanged,
        error_message
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks every `processing` job failed: at start-up no task can still be running them.
pub async fn fail_orphaned(pool: &SqlitePool, at: UnixTime, message: &str) -> Result<u64, DbError> {
    let result = sqlx::query!(
        r#"
        UPDATE sync_jobs SET status = 'failed', completed_at = ?1, error_message = ?2
        WHERE status = 'processing'
        "#,
        at.0,
        message
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}
