//! An actix-session store over the `session` table.
//!
//! The cookie carries a random 256-bit token; the table keys each session by the token's
//! SHA-256 (hex), so a copy of the database cannot be replayed as cookies.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
};

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;

use crate::{
    db::{self, sessions::SessionRow},
    domain::time::UnixTime,
};

/// Session state keys shared with [`super::session::TypedSession`].
pub const USER_ID_KEY: &str = "user_id";
pub const EXPIRES_AT_KEY: &str = "expires_at";

/// How long a session read from the table is believed without reading it again. Every
/// request loads its session, and the read was a tenth of a busy dashboard's database work;
/// a session ended here (sign-out) ends at once, one deleted behind the service's back
/// (`sqlite3`, a restore) within this time.
pub const RECHECK_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Sessions remembered at most (only ones found valid); all are forgotten when full.
const MAX_REMEMBERED: usize = 1024;

#[derive(Clone)]
pub struct SqliteSessionStore {
    pool: SqlitePool,
    ttl: Duration,
    /// Shared by the workers' clones, so a sign-out on one is seen by all.
    remembered: Arc<Mutex<Remembered>>,
}

/// Sessions recently read from the table, by hashed id.
#[derive(Default)]
struct Remembered {
    sessions: HashMap<String, (SessionRow, Instant)>,
    /// Counts the rows deleted or changed here: a row read before one of those may be stale,
    /// and is not kept.
    changes: u64,
}

impl SqliteSessionStore {
    /// `ttl` is the session lifetime; a session used in its second half is extended to it.
    pub fn new(pool: SqlitePool, ttl: Duration) -> Self {
        Self {
            pool,
            ttl,
            remembered: Arc::default(),
        }
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.remembered
            .lock()
            .expect("the session memory's lock is never poisoned")
    }

    /// The session's row if it was read within [`RECHECK_AFTER`], or the count of changes
    /// to pass to [`Self::remember`] otherwise.
    fn recall(&self, id: &str) -> Result<SessionRow, u64> {
        let remembered = self.remembered();
        match remembered.sessions.get(id) {
            Some((row, read_at)) if read_at.elapsed() < RECHECK_AFTER => Ok(row.clone()),
            _ => Err(remembered.changes),
        }
    }

    fn remember(&self, id: String, row: SessionRow, changes_before_read: u64) {
        let mut remembered = self.remembered();
        if remembered.changes != changes_before_read {
            return;
        }
        if remembered.sessions.len() >= MAX_REMEMBERED {
            remembered.sessions.clear();
        }
        remembered.sessions.insert(id, (row, Instant::now()));
    }

    fn forget(&self, id: &str) {
        let mut remembered = self.remembered();
        remembered.changes += 1;
        remembered.sessions.remove(id);
    }

    /// The session's row, from memory or the table; `None` when there is none.
    async fn find(&self, id: &str) -> Result<Option<SessionRow>, LoadError> {
        let changes = match self.recall(id) {
            Ok(row) => return Ok(Some(row)),
            Err(changes) => changes,
        };
        let row = db::sessions::find(&self.pool, id)
            .await
            .map_err(|e| LoadError::Other(e.into()))?;
        if let Some(row) = &row {
            self.remember(id.to_owned(), row.clone(), changes);
        }
        Ok(row)
    }

    async fn delete_row(&self, id: &str) -> Result<(), db::DbError> {
        self.forget(id);
        db::sessions::delete(&self.pool, id).await
    }
}

/// The hex SHA-256 of a cookie token: the `session.id` stored for it.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A cookie token: 256 random bits.
fn new_token() -> String {
    super::secrets::random_token(32)
}

fn expiry(ttl: &Duration) -> UnixTime {
    UnixTime(UnixTime::now().0 + ttl.whole_seconds())
}

impl SessionStore for SqliteSessionStore {
    async fn load(&self, key: &SessionKey) -> Result<Option<HashMap<String, String>>, LoadError> {
        let id = hash_token(key.as_ref());
        let Some(row) = self.find(&id).await? else {
            return Ok(None);
        };
        if row.expires_at <= UnixTime::now() {
            self.delete_row(&id)
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
            return Ok(None);
        }
        // Extending here rather than in `update_ttl` keeps a busy dashboard's reads free of
        // writes: the row is written only in the second half of the session's life.
        let halfway = UnixTime(UnixTime::now().0 + self.ttl.whole_seconds() / 2);
        let expires_at = if row.expires_at < halfway {
            let extended = expiry(&self.ttl);
            db::sessions::set_expiry(&self.pool, &id, extended)
                .await
                .map_err(|e| LoadError::Other(e.into()))?;
            self.forget(&id);
            extended
        } else {
            row.expires_at
        };
        let state = HashMap::from([
            (
                USER_ID_KEY.to_owned(),
                serde_json::Value::from(row.user_id).to_string(),
            ),
            (EXPIRES_AT_KEY.to_owned(), expires_at.0.to_string()),
        ]);
        Ok(Some(state))
    }

    async fn save(
        &self,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, SaveError> {
        let user_id = state
            .get(USER_ID_KEY)
            .and_then(|raw| serde_json::from_str::<String>(raw).ok())
            .ok_or_else(|| {
                SaveError::Serialization(anyhow::anyhow!("a session needs a user id"))
            })?;
        let token = new_token();
        db::sessions::insert(&self.pool, &hash_token(&token), &user_id, expiry(ttl))
            .await
            .map_err(|e| SaveError::Other(e.into()))?;
        SessionKey::try_from(token).map_err(|e| SaveError::Other(e.into()))
    }

    /// Any change of state (only sign-in changes it) gets a fresh token.
    async fn update(
        &self,
        key: SessionKey,
        state: HashMap<String, String>,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        self.delete(&key).await.map_err(UpdateError::Other)?;
        self.save(state, ttl).await.map_err(|e| match e {
            SaveError::Serialization(e) => UpdateError::Serialization(e),
            SaveError::Other(e) => UpdateError::Other(e),
        })
    }

    /// Called after every request with a session; `load` has already extended the row when
    /// it was due, so there is nothing left to write.
    async fn update_ttl(&self, _key: &SessionKey, _ttl: &Duration) -> Result<(), anyhow::Error> {
        Ok(())
    }

    async fn delete(&self, key: &SessionKey) -> Result<(), anyhow::Error> {
        self.delete_row(&hash_token(key.as_ref())).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

    use super::*;

    #[test]
    fn tokens_are_256_bit_url_safe_and_distinct() {
        let a = new_token();
        let b = new_token();
        assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    fn store() -> SqliteSessionStore {
        let pool = sqlx::sqlite::SqlitePoolOptions::new().connect_lazy("sqlite::memory:");
        SqliteSessionStore::new(pool.unwrap(), Duration::days(30))
    }

    fn row() -> SessionRow {
        SessionRow {
            user_id: "operator".into(),
            expires_at: UnixTime(UnixTime::now().0 + 3600),
        }
    }

    #[tokio::test]
    async fn a_remembered_session_is_recalled_until_forgotten() {
        let store = store();
        let changes = store.recall("a").unwrap_err();

        store.remember("a".into(), row(), changes);
        assert!(store.recall("a").is_ok());

        store.forget("a");
        assert!(store.recall("a").is_err());
    }

    #[tokio::test]
    async fn a_row_read_before_a_sign_out_is_not_remembered_after_it() {
        let store = store();
        let changes_before_read = store.recall("a").unwrap_err();

        // A sign-out ends the session while the read was on its way.
        store.forget("a");
        store.remember("a".into(), row(), changes_before_read);

        assert!(store.recall("a").is_err());
    }

    #[test]
    fn the_stored_id_is_the_hex_sha256_of_the_token() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
