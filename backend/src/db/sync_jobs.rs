//! Queries on `sync_jobs`.

use sqlx::SqlitePool;

use super::DbError;
use crate::domain::{
    filter::FilterId,
    sync_job::{JobStatus, SyncJob, SyncJobId},
    time::UnixTime,
};

/// A `sync_jobs` row as stored.
pub(super) struct JobRow {
    pub id: i64,
    pub filter_id: i64,
    pub status: String,
    pub created_at: i64,
    pub completed_at: Option<i64>,
    pub total_fetched: i64,
    pub total_added: i64,
    pub error_message: Option<String>,
}

impl TryFrom<JobRow> for SyncJob {
    type Error = DbError;

    fn try_from(row: JobRow) -> Result<Self, DbError> {
        Ok(SyncJob {
            id: SyncJobId(row.id),
            filter_id: FilterId(row.filter_id),
            status: row
                .status
                .parse()
                .map_err(|e| DbError::Corrupt(format!("{e}")))?,
            created_at: UnixTime(row.created_at),
            completed_at: row.completed_at.map(UnixTime),
            total_fetched: row.total_fetched,
            total_added: row.total_added,
            error_message: row.error_message,
        })
    }
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
    sqlx::query_as!(
        JobRow,
        r#"
        SELECT id AS "id!", filter_id, status, created_at, completed_at,
               total_fetched, total_added, error_message
        FROM sync_jobs WHERE id = ?1
        "#,
        id.0
    )
    .fetch_optional(pool)
    .await?
    .map(SyncJob::try_from)
    .transpose()
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
            sqlx::query_as!(
                JobRow,
                r#"
                SELECT id AS "id!", filter_id, status, created_at, completed_at,
                       total_fetched, total_added, error_message
                FROM sync_jobs
                WHERE filter_id = ?1 AND id < ?2 AND (?3 IS NULL OR status = ?3)
                ORDER BY id DESC LIMIT ?4
                "#,
                filter_id.0,
                before,
                status,
                limit
            )
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query_as!(
                JobRow,
                r#"
                SELECT id AS "id!", filter_id, status, created_at, completed_at,
                       total_fetched, total_added, error_message
                FROM sync_jobs
                WHERE id < ?1 AND (?2 IS NULL OR status = ?2)
                ORDER BY id DESC LIMIT ?3
                "#,
                before,
                status,
                limit
            )
            .fetch_all(pool)
            .await?
        }
    };
    rows.into_iter().map(SyncJob::try_from).collect()
}

/// Starts a job for an active filter that has none running, as one statement: SQLite runs it
/// atomically, so of many simultaneous starts exactly one inserts. `None` when nothing was
/// inserted (unknown or deleted filter, or a job already running).
pub async fn start(
    pool: &SqlitePool,
    filter_id: FilterId,
    at: UnixTime,
) -> Result<Option<SyncJob>, DbError> {
    sqlx::query_as!(
        JobRow,
        r#"
        INSERT INTO sync_jobs (filter_id, status, created_at)
        SELECT f.id, 'processing', ?2 FROM filters f
        WHERE f.id = ?1 AND f.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM sync_jobs j WHERE j.filter_id = f.id AND j.status = 'processing')
        RETURNING id AS "id!", filter_id, status, created_at, completed_at,
                  total_fetched, total_added, error_message
        "#,
        filter_id.0,
        at.0
    )
    .fetch_optional(pool)
    .await?
    .map(SyncJob::try_from)
    .transpose()
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

/// Progress while the job runs.
pub async fn set_fetched(
    pool: &SqlitePool,
    id: SyncJobId,
    total_fetched: i64,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE sync_jobs SET total_fetched = ?2 WHERE id = ?1 AND status = 'processing'",
        id.0,
        total_fetched
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
    (total_fetched, total_added): (i64, i64),
    error_message: Option<&str>,
) -> Result<(), DbError> {
    let status = status.as_str();
    sqlx::query!(
        r#"
        UPDATE sync_jobs SET status = ?2, completed_at = ?3, total_fetched = ?4,
                             total_added = ?5, error_message = ?6
        WHERE id = ?1 AND status = 'processing'
        "#,
        id.0,
        status,
        at.0,
        total_fetched,
        total_added,
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
