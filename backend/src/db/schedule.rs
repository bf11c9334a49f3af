//! The scheduler's queries: due filters through the `filters_next_sync_at` index, and holds.

use sqlx::SqlitePool;

use super::DbError;
use crate::domain::{filter::FilterId, time::UnixTime};

/// Up to `limit` filters whose schedule is due at `now`, the most overdue first, without a
/// running job (the running one of a filter is always its newest). Deleted filters and
/// filters without a schedule have no `next_sync_at`.
pub async fn due(pool: &SqlitePool, now: UnixTime, limit: u32) -> Result<Vec<FilterId>, DbError> {
    let ids = sqlx::query_scalar!(
        r#"
        SELECT f.id AS "id!" FROM filters f
        WHERE f.next_sync_at <= ?1
          AND NOT EXISTS (SELECT 1 FROM sync_jobs j
                          WHERE j.id = f.last_job_id AND j.status = 'processing')
        ORDER BY f.next_sync_at LIMIT ?2
        "#,
        now.0,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(ids.into_iter().map(FilterId).collect())
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
