//! Queries on `filters`. Filters are read as the `filter_rows` view renders each, one JSON
//! object with the fields of [`FilterRow`], joined with its newest job; the joined row is
//! kept in `filters.overview`.

use std::cmp::Ordering;

use serde::Deserialize;
use sqlx::{SqliteConnection, SqlitePool};

use super::{json_array, parse_rows, sync_jobs::JobRow, DbError};
use crate::domain::{
    filter::{Filter, FilterId, RemoteFilter, ScheduleHold, StoredFilter, SyncMode},
    filter_overview::FilterOverview,
    time::UnixTime,
};

/// A `filters` row as `filter_rows` renders it.
#[derive(Deserialize)]
struct FilterRow {
    id: i64,
    name: String,
    brevo_list_id: Option<i64>,
    brevo_list_name: Option<String>,
    deleted_at: Option<i64>,
    mode: String,
    schedule_minutes: Option<u32>,
    next_sync_at: Option<i64>,
    schedule_held_until: Option<i64>,
    schedule_hold_reason: Option<String>,
}

/// One element of the overview query: a filter and its newest job, if any.
#[derive(Deserialize)]
struct OverviewRow {
    filter: FilterRow,
    last_job: Option<JobRow>,
}

impl TryFrom<FilterRow> for Filter {
    type Error = DbError;

    fn try_from(row: FilterRow) -> Result<Self, DbError> {
        Ok(Filter {
            id: FilterId(row.id),
            name: row.name,
            brevo_list_id: row.brevo_list_id,
            brevo_list_name: row.brevo_list_name,
            deleted_at: row.deleted_at.map(UnixTime),
            mode: row
                .mode
                .parse()
                .map_err(|e| DbError::Corrupt(format!("{e}")))?,
            schedule_minutes: row.schedule_minutes,
            next_sync_at: row.next_sync_at.map(UnixTime),
            schedule_hold: row.schedule_held_until.zip(row.schedule_hold_reason).map(
                |(until, reason)| ScheduleHold {
                    until: UnixTime(until),
                    reason,
                },
            ),
        })
    }
}

impl TryFrom<OverviewRow> for FilterOverview {
    type Error = DbError;

    fn try_from(row: OverviewRow) -> Result<Self, DbError> {
        Ok(FilterOverview {
            filter: row.filter.try_into()?,
            last_job: row.last_job.map(TryInto::try_into).transpose()?,
        })
    }
}

/// Filters by name (then id), soft-deleted ones only when asked for.
pub async fn list(
    pool: &SqlitePool,
    include_deleted: bool,
) -> Result<Vec<FilterOverview>, DbError> {
    select(pool, None, include_deleted).await
}

/// One filter, soft-deleted or not.
pub async fn get(pool: &SqlitePool, id: FilterId) -> Result<Option<FilterOverview>, DbError> {
    Ok(select(pool, Some(id), true).await?.pop())
}

/// The one query behind `list` and `get`, so both show a filter the same way.
async fn select(
    pool: &SqlitePool,
    id: Option<FilterId>,
    include_deleted: bool,
) -> Result<Vec<FilterOverview>, DbError> {
    let id = id.map(|id| id.0);
    // One row holding every filter as JSON rather than a row per filter: sqlx's SQLite driver
    // hands rows over one at a time between threads, which for the dashboard's list of a
    // thousand filters costs more than the query itself. Each filter's JSON (the
    // `filter_overview_rows` view) is kept in `overview` by triggers (migration 0004). The id
    // as a range, not `?1 IS NULL OR id = ?1`, so that one filter is found by its primary key
    // instead of a scan of every filter's overview.
    let rows = sqlx::query_scalar!(
        r#"
        SELECT group_concat(overview, ',') AS "rows: String"
        FROM filters
        WHERE id BETWEEN coalesce(?1, -9223372036854775808) AND coalesce(?1, 9223372036854775807)
          AND (?2 OR deleted_at IS NULL)
        "#,
        id,
        include_deleted
    )
    .fetch_one(pool)
    .await?;
    let array = json_array(rows);
    let mut rows: Vec<OverviewRow> = parse_rows(&array, "filter")?;
    rows.sort_unstable_by(by_name_then_id);
    rows.into_iter().map(FilterOverview::try_from).collect()
}

/// The order of SQLite's `ORDER BY name COLLATE NOCASE, id` (NOCASE folds ASCII letters
/// only). Sorted here, not in the query: SQLite's sorter copies each row's JSON, which took a
/// third of the query's time.
fn by_name_then_id(a: &OverviewRow, b: &OverviewRow) -> Ordering {
    fn folded(row: &OverviewRow) -> impl Iterator<Item = u8> + '_ {
        row.filter.name.bytes().map(|b| b.to_ascii_lowercase())
    }
    folded(a).cmp(folded(b)).then(a.filter.id.cmp(&b.filter.id))
}

/// Every stored filter, as the input of a reconciliation.
pub async fn all_stored(conn: &mut SqliteConnection) -> Result<Vec<StoredFilter>, DbError> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", name, deleted_at IS NOT NULL AS "deleted!: bool" FROM filters"#
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| StoredFilter {
            id: FilterId(row.id),
            name: row.name,
            deleted: row.deleted,
        })
        .collect())
}

pub async fn insert(conn: &mut SqliteConnection, filter: &RemoteFilter) -> Result<(), DbError> {
    sqlx::query!(
        "INSERT INTO filters (id, name) VALUES (?1, ?2)",
        filter.id.0,
        filter.name
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the name and clears `deleted_at`: a rename, or a restore of a returning filter.
pub async fn update_active(
    conn: &mut SqliteConnection,
    filter: &RemoteFilter,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE filters SET name = ?2, deleted_at = NULL WHERE id = ?1",
        filter.id.0,
        filter.name
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn soft_delete(
    conn: &mut SqliteConnection,
    id: FilterId,
    at: UnixTime,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE filters SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        id.0,
        at.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Remembers the Brevo list a filter syncs into and its name (set as soon as the list is
/// created or renamed).
pub async fn set_brevo_list(
    pool: &SqlitePool,
    id: FilterId,
    list_id: i64,
    list_name: &str,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE filters SET brevo_list_id = ?2, brevo_list_name = ?3 WHERE id = ?1",
        id.0,
        list_id,
        list_name
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// A filter's settings; `None` leaves one unchanged. A schedule set anew starts its first
/// interval `at`. False when no active filter has that id.
pub async fn update_settings(
    pool: &SqlitePool,
    id: FilterId,
    mode: Option<SyncMode>,
    schedule_minutes: Option<Option<u32>>,
    at: UnixTime,
) -> Result<bool, DbError> {
    let mode = mode.map(SyncMode::as_str);
    let set_schedule = schedule_minutes.is_some();
    let minutes = schedule_minutes.flatten();
    let result = sqlx::query!(
        r#"
        UPDATE filters
        SET mode = coalesce(?2, mode),
            schedule_set_at = CASE WHEN ?3 AND schedule_minutes IS NOT ?4 THEN ?5
                                   ELSE schedule_set_at END,
            schedule_minutes = CASE WHEN ?3 THEN ?4 ELSE schedule_minutes END
        WHERE id = ?1 AND deleted_at IS NULL
        "#,
        id.0,
        mode,
        set_schedule,
        minutes,
        at.0
    )
    .execute(pool)
    .await?;
    Ok(result.rows_affected() == 1)
}
