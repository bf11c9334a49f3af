//! Queries on `user` and `session`. Session ids here are already hashed: the cookie token
//! never reaches this module.

use sqlx::SqlitePool;

use super::DbError;
use crate::domain::time::UnixTime;

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user_id: String,
    pub expires_at: UnixTime,
}

/// Creates the operator's row on first start.
pub async fn ensure_user(pool: &SqlitePool, user_id: &str) -> Result<(), DbError> {
    sqlx::query!(
        "INSERT INTO user (id) VALUES (?1) ON CONFLICT (id) DO NOTHING",
        user_id
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn insert(
    pool: &SqlitePool,
    id_hash: &str,
    user_id: &str,
    expires_at: UnixTime,
) -> Result<(), DbError> {
    sqlx::query!(
        "INSERT INTO session (id, user_id, expires_at) VALUES (?1, ?2, ?3)",
        id_hash,
        user_id,
        expires_at.0
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn find(pool: &SqlitePool, id_hash: &str) -> Result<Option<SessionRow>, DbError> {
    let row = sqlx::query!(
        "SELECT user_id, expires_at FROM session WHERE id = ?1",
        id_hash
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| SessionRow {
        user_id: row.user_id,
        expires_at: UnixTime(row.expires_at),
    }))
}

/// Moves the session's expiry to `expires_at`.
pub async fn set_expiry(
    pool: &SqlitePool,
    id_hash: &str,
    expires_at: UnixTime,
) -> Result<(), DbError> {
    sqlx::query!(
        "UPDATE session SET expires_at = ?2 WHERE id = ?1",
        id_hash,
        expires_at.0
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn delete(pool: &SqlitePool, id_hash: &str) -> Result<(), DbError> {
    sqlx::query!("DELETE FROM session WHERE id = ?1", id_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Deletes sessions that expired at or before `now`; returns how many.
pub async fn purge_expired(pool: &SqlitePool, now: UnixTime) -> Result<u64, DbError> {
    let result = sqlx::query!("DELETE FROM session WHERE expires_at <= ?1", now.0)
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}
