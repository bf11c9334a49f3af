//! Secrets the service generates for itself and keeps beside the database, readable by
//! its owner only.

use std::{
    fs,
    io::{ErrorKind, Write},
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use rand::RngCore;

#[derive(Debug, thiserror::Error)]
pub enum SecretFileError {
    #[error("could not read or create {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is readable by other users (mode {mode:o}); run `chmod 600 {path}`")]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("{path} is empty; delete it to have a new secret generated")]
    Empty { path: PathBuf },
    #[error(
        "{path} does not hold a valid secret ({reason}); delete it to have a new one generated"
    )]
    Invalid { path: PathBuf, reason: String },
}

/// `bytes` random bytes from the OS generator, base64url-encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The file's content, or a new secret written with mode 0600 when the file does not exist.
/// The boolean tells whether it was created now.
pub fn read_or_create(
    path: &Path,
    generate: impl FnOnce() -> String,
) -> Result<(String, bool), SecretFileError> {
    let io = |source| SecretFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let secret = generate();
    // create_new: two processes starting at once cannot both write a different secret.
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(io)?;
            Ok((secret, true))
        }
        Err(err) if err.kind() == ErrorKind::AlreadyExists => {
            let mode = fs::metadata(path).map_err(io)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SecretFileError::TooOpen {
                    path: path.to_path_buf(),
                    mode,
                });
            }
            let content = fs::read_to_string(path).map_err(io)?.trim().to_owned();
            if content.is_empty() {
                return Err(SecretFileError::Empty {
                    path: path.to_path_buf(),
                });
            }
            Ok((content, false))
        }
        Err(err) => Err(io(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_world_readable_secret_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        fs::write(&path, "value").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            read_or_create(&path, || "new".into()),
            Err(SecretFileError::TooOpen { .. })
        ));
    }
}
