//! The scheduler's queries: due filters through the `filters_next_sync_at` index, and holds.

use sqlx::SqlitePool;

use super::DbError;
use crate::domain::{filter::FilterId, time::UnixTime};

/// A filter whose schedule is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueFilter {
    pub id: FilterId,
    /// Persons its newest job fetched, to estimate the next one's cost.
    pub last_fetched: Option<i64>,
}

/// Up to `limit` filters whose schedule is due at `now`, the most overdue first, without a
/// running job (the running one of a filter is always its newest). Deleted filters and
/// filters without a schedule have no `next_sync_at`.
pub async fn due(pool: &SqlitePool, now: UnixTime, limit: u32) -> Result<Vec<DueFilter>, DbError> {
    let rows = sqlx::query!(
        r#"
        SELECT f.id AS "id!", j.total_fetched AS "last_fetched?" FROM filters f
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
