//! The scheduler's queries: due filters through the `filters_next_sync_at` index, holds, and
//! the webhooks' early syncs.

use sqlx::SqlitePool;

use super::DbError;
use crate::domain::{filter::FilterId, time::UnixTime};

/// A filter whose schedule is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueFilter {
    pub id: FilterId,
    /// Persons its newest job fetched, to estimate the next one's cost.
    pub last_fetched: Option<i64>,
    /// Due because a Pipedrive webhook's debounce ended, not by its interval.
    pub by_webhook: bool,
}

/// Up to `limit` filters whose schedule is due at `now`, the most overdue first, without a
/// running job (the running one of a filter is always its newest). Deleted filters and
/// filters without a schedule have no `next_sync_at`.
pub async fn due(pool: &SqlitePool, now: UnixTime, limit: u32) -> Result<Vec<DueFilter>, DbError> {
    let rows = sqlx::query!(
        r#"
        SELECT f.id AS "id!", j.total_fetched AS "last_fetched?",
               coalesce(f.webhook_due_at <= ?1, 0) AS "by_webhook!: bool"
        FROM filters f
        LEFT JOIN sync_jobs j ON j.id = f.last_job_id
        WHERE f.next_sync_at <= ?1 AND j.status IS NOT 'processing'
        ORDER BY f.next_sync_at LIMIT ?2
        "#,
        now.0,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| DueFilter {
            id: FilterId(row.id),
            last_fetched: row.last_fetched,
            by_webhook: row.by_webhook,
        })
        .collect())
}

/// Holds the filter's scheduled syncs until `until`, saying why; its next sync clears it.
pub async fn hold(
    pool: &SqlitePool,
    id: FilterId,
    until: UnixTime,
    reason: &str,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE filters SET schedule_held_until = ?2, schedule_hold_reason = ?3 WHERE id = ?1",
        id.0,
        until.0,
        reason
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A Pipedrive person changed: every scheduled filter not already waiting for a webhook's
/// sync becomes due at `at` (the debounce's end), so a burst of events makes one sync.
/// Returns how many filters were marked.
pub async fn mark_webhook_due(pool: &SqlitePool, at: UnixTime) -> Result<u64, DbError> {
    let result = sqlx::query!(
        r#"UPDATE filters SET webhook_due_at = ?1
           WHERE schedule_minutes IS NOT NULL AND deleted_at IS NULL AND webhook_due_at IS NULL"#,
        at.0
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected())
}
