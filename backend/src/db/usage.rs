//! Upstream use per UTC day (`usage_days`), added to by the usage flush.

use sqlx::SqlitePool;
use time::{format_description::FormatItem, macros::format_description, Date};

use super::DbError;
use crate::upstream::usage::DayUsage;

const DAY: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

fn day_key(date: Date) -> String {
    date.format(DAY).expect("a calendar date formats")
}

/// Adds the days' calls to what is stored, in one transaction.
pub async fn add(pool: &SqlitePool, usage: &[DayUsage]) -> Result<(), DbError> {
    let mut tx = pool.begin().await?;
    for day in usage {
        let date = day_key(day.date);
        let tokens = i64::try_from(day.pipedrive_tokens).unwrap_or(i64::MAX);
        let requests = i64::try_from(day.brevo_requests).unwrap_or(i64::MAX);
        sqlx::query!(
            r#"INSERT INTO usage_days (date, pipedrive_tokens, brevo_requests) VALUES (?1, ?2, ?3)
               ON CONFLICT (date) DO UPDATE SET
                   pipedrive_tokens = pipedrive_tokens + excluded.pipedrive_tokens,
                   brevo_requests = brevo_requests + excluded.brevo_requests"#,
            date,
            tokens,
            requests
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The stored days from `first` on, oldest first.
pub async fn since(pool: &SqlitePool, first: Date) -> Result<Vec<DayUsage>, DbError> {
    let first = day_key(first);
    let rows = sqlx::query!(
        r#"SELECT date AS "date!", pipedrive_tokens, brevo_requests FROM usage_days
           WHERE date >= ?1 ORDER BY date"#,
        first
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(DayUsage {
                date: Date::parse(&row.date, DAY)
                    .map_err(|e| DbError::Corrupt(format!("usage date {:?}: {e}", row.date)))?,
                pipedrive_tokens: u64::try_from(row.pipedrive_tokens).unwrap_or(0),
                brevo_requests: u64::try_from(row.brevo_requests).unwrap_or(0),
            })
        })
        .collect()
}
