//! Each filter's alert state (`filters.alert_state`), changed by single statements that say
//! whether they changed it: the change of state is what an alert is sent for, once.

use sqlx::SqlitePool;

use super::DbError;
use crate::domain::{filter::FilterId, time::UnixTime};

/// A filter an alert is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertedFilter {
    pub id: FilterId,
    pub name: String,
    pub schedule_minutes: Option<u32>,
    pub last_completed_at: Option<UnixTime>,
}

struct AlertRow {
    id: i64,
    name: String,
    schedule_minutes: Option<u32>,
    last_completed_at: Option<i64>,
}

impl From<AlertRow> for AlertedFilter {
    fn from(row: AlertRow) -> Self {
        Self {
            id: FilterId(row.id),
            name: row.name,
            schedule_minutes: row.schedule_minutes,
            last_completed_at: row.last_completed_at.map(UnixTime),
        }
    }
}

/// Marks the filter failing; `None` when it already was (no new alert).
pub async fn mark_failing(
    pool: &SqlitePool,
    id: FilterId,
) -> Result<Option<AlertedFilter>, DbError> {
    let row = sqlx::query_as!(
        AlertRow,
        r#"UPDATE filters SET alert_state = 'failing'
           WHERE id = ?1 AND alert_state IS NOT 'failing'
           RETURNING id AS "id!", name, schedule_minutes AS "schedule_minutes: u32",
                     last_completed_at"#,
        id.0
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(AlertedFilter::from))
}

/// Marks the filter healthy; `Some` when it was failing or stale (a recovery).
pub async fn mark_recovered(
    pool: &SqlitePool,
    id: FilterId,
) -> Result<Option<AlertedFilter>, DbError> {
    let row = sqlx::query_as!(
        AlertRow,
        r#"UPDATE filters SET alert_state = NULL
           WHERE id = ?1 AND alert_state IS NOT NULL
           RETURNING id AS "id!", name, schedule_minutes AS "schedule_minutes: u32",
                     last_completed_at"#,
        id.0
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(AlertedFilter::from))
}

/// Marks stale every healthy scheduled filter without a completed sync for three intervals
/// at `now` (the `filters_stale_at` index) and returns them.
pub async fn mark_stale(pool: &SqlitePool, now: UnixTime) -> Result<Vec<AlertedFilter>, DbError> {
    // Read first: an UPDATE takes the write lock even when it matches nothing, and this runs
    // every second.
    let any = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM filters WHERE stale_at <= ?1) AS "any!: bool""#,
        now.0
    )
    .fetch_one(pool)
    .await?;
    if !any {
        return Ok(Vec::new());
    }
    let rows = sqlx::query_as!(
        AlertRow,
        r#"UPDATE filters SET alert_state = 'stale'
           WHERE stale_at <= ?1
           RETURNING id AS "id!", name, schedule_minutes AS "schedule_minutes: u32",
                     last_completed_at"#,
        now.0
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(AlertedFilter::from).collect())
}
