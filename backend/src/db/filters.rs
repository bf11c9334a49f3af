//! Queries on `filters`, each joined with the filter's newest sync job where it is shown.

use sqlx::{SqliteConnection, SqlitePool};

use super::{sync_jobs::JobRow, DbError};
use crate::domain::{
    filter::{Filter, FilterId, RemoteFilter, StoredFilter},
    time::UnixTime,
};

/// A filter and the columns of its newest job (all NULL when it never ran), in the order of
/// the JSON array `select` builds for it.
#[derive(serde::Deserialize)]
struct FilterRow {
    id: i64,
    name: String,
    brevo_list_id: Option<i64>,
    deleted_at: Option<i64>,
    job_id: Option<i64>,
    job_status: Option<String>,
    job_created_at: Option<i64>,
    job_completed_at: Option<i64>,
    job_total_fetched: Option<i64>,
    job_total_added: Option<i64>,
    job_error_message: Option<String>,
}

impl TryFrom<FilterRow> for Filter {
    type Error = DbError;

    fn try_from(row: FilterRow) -> Result<Self, DbError> {
        let last_job = match (row.job_id, row.job_status, row.job_created_at) {
            (Some(id), Some(status), Some(created_at)) => Some(
                JobRow {
                    id,
                    filter_id: row.id,
                    status,
                    created_at,
                    completed_at: row.job_completed_at,
                    total_fetched: row.job_total_fetched.unwrap_or_default(),
                    total_added: row.job_total_added.unwrap_or_default(),
                    error_message: row.job_error_message,
                }
                .try_into()?,
            ),
            _ => None,
        };
        Ok(Filter {
            id: FilterId(row.id),
            name: row.name,
            brevo_list_id: row.brevo_list_id,
            deleted_at: row.deleted_at.map(UnixTime),
            last_job,
        })
    }
}

/// Filters by name (then id), soft-deleted ones only when asked for.
pub async fn list(pool: &SqlitePool, include_deleted: bool) -> Result<Vec<Filter>, DbError> {
    select(pool, None, include_deleted).await
}

/// One filter, soft-deleted or not.
pub async fn get(pool: &SqlitePool, id: FilterId) -> Result<Option<Filter>, DbError> {
    Ok(select(pool, Some(id), true).await?.pop())
}

/// The one query behind `list` and `get`, so both show a filter the same way.
async fn select(
    pool: &SqlitePool,
    id: Option<FilterId>,
    include_deleted: bool,
) -> Result<Vec<Filter>, DbError> {
    let id = id.map(|id| id.0);
    // One row holding every filter as JSON rather than a row per filter: sqlx's SQLite driver
    // hands rows over one at a time between threads, which for the dashboard's list of a
    // thousand filters costs more than the query itself.
    let rows = sqlx::query_scalar!(
        r#"
        SELECT json_group_array(
                   json_array(f.id, f.name, f.brevo_list_id, f.deleted_at,
                              j.id, j.status, j.created_at, j.completed_at,
                              j.total_fetched, j.total_added, j.error_message)
                   ORDER BY f.name COLLATE NOCASE, f.id
               ) AS "rows!: String"
        FROM filters f
        LEFT JOIN sync_jobs j
               ON j.id = (SELECT MAX(id) FROM sync_jobs WHERE filter_id = f.id)
        WHERE (?1 IS NULL OR f.id = ?1) AND (?2 OR f.deleted_at IS NULL)
        "#,
        id,
        include_deleted
    )
    .fetch_one(pool)
    .await?;
    let rows: Vec<FilterRow> = serde_json::from_str(&rows)
        .map_err(|e| DbError::Corrupt(format!("the filters query's JSON: {e}")))?;
    rows.into_iter().map(Filter::try_from).collect()
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

/// Remembers the Brevo list a filter syncs into (set as soon as the list is created).
pub async fn set_brevo_list_id(
    pool: &SqlitePool,
    id: FilterId,
    list_id: i64,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE filters SET brevo_list_id = ?2 WHERE id = ?1",
        id.0,
        list_id
    )
    .execute(pool)
    .await?;
    Ok(())
}
