//! Queries on the stored field mapping (`field_mapping_entries`, `field_mapping_saved`).

use sqlx::SqlitePool;

use super::{begin_write, DbError};
use crate::domain::{fields::MappingEntry, time::UnixTime};

/// The mapping as last saved, its entries in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMapping {
    pub entries: Vec<MappingEntry>,
    pub saved_at: UnixTime,
}

/// The saved mapping; `None` when it was never saved.
pub async fn get(pool: &SqlitePool) -> Result<Option<SavedMapping>, DbError> {
    let mut tx = pool.begin().await?;
    let saved_at = sqlx::query_scalar!("SELECT saved_at FROM field_mapping_saved WHERE id = 1")
        .fetch_optional(&mut *tx)
        .await?;
    let Some(saved_at) = saved_at else {
        return Ok(None);
    };
    let entries = sqlx::query_as!(
        MappingEntry,
        "SELECT pipedrive_field, brevo_attribute FROM field_mapping_entries ORDER BY position"
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(Some(SavedMapping {
        entries,
        saved_at: UnixTime(saved_at),
    }))
}

/// Replaces the mapping with `entries`, in one transaction.
pub async fn replace(
    pool: &SqlitePool,
    entries: &[MappingEntry],
    at: UnixTime,
) -> Result<(), DbError> {
    let mut tx = begin_write(pool).await?;
    sqlx::query!("DELETE FROM field_mapping_entries")
        .execute(&mut *tx)
        .await?;
    for (position, entry) in (0_i64..).zip(entries) {
        sqlx::query!(
            "INSERT INTO field_mapping_entries (position, pipedrive_field, brevo_attribute)
             VALUES (?1, ?2, ?3)",
            position,
            entry.pipedrive_field,
            entry.brevo_attribute
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query!(
        "INSERT INTO field_mapping_saved (id, saved_at) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET saved_at = excluded.saved_at",
        at.0
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
