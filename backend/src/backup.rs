//! `pipedrive-brevo-sync backup <path>`: a consistent copy of the live database, taken with
//! `VACUUM INTO` while the service keeps running (readers and writers are not blocked).

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use sqlx::{sqlite::SqliteConnectOptions, ConnectOptions};

use crate::db::{self, DbError};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} already exists; choose a new file name (a backup never overwrites)")]
    Exists(PathBuf),
    #[error("the backup path {0:?} is not valid UTF-8")]
    NotUtf8(PathBuf),
    #[error("could not open the database {url:?}: {source}")]
    Open { url: String, source: sqlx::Error },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("could not read the written backup {path}: {source}")]
    Written {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a backup wrote.
#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
}

/// Writes a consistent copy of the database at `database_url` to the new file `dest`.
pub async fn run(database_url: &str, dest: &Path) -> Result<BackupReport, BackupError> {
    // VACUUM INTO accepts an existing empty file; refuse any existing path instead.
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_path_buf()));
    }
    let target = dest
        .to_str()
        .ok_or_else(|| BackupError::NotUtf8(dest.to_path_buf()))?;
    let open = |source| BackupError::Open {
        url: database_url.into(),
        source,
    };
    // Never create or migrate: a backup of a database that is not there is an error.
    let mut conn = SqliteConnectOptions::from_str(database_url)
        .map_err(open)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(10))
        .connect()
        .await
        .map_err(open)?;
    db::vacuum_into(&mut conn, target).await?;
    let bytes = std::fs::metadata(dest)
        .map_err(|source| BackupError::Written {
            path: dest.to_path_buf(),
            source,
        })?
        .len();
    Ok(BackupReport {
        path: dest.to_path_buf(),
        bytes,
    })
}
