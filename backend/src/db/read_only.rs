//! Connections outside sqlx that only read, for the reads on every request (a page of a
//! change log, the data version). sqlx runs each query on a worker thread of its
//! connection and wakes the caller when done; under load, those hand-offs between threads
//! cost more than the reads, which here run on the caller's thread in microseconds.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use sqlx::SqlitePool;

use super::{data_folder, DbError};

/// How much of the database file these connections read through a memory mapping rather
/// than `pread` into a page cache of their own. A page of a change log at a random depth
/// touches pages no connection has cached; through the mapping, SQLite reads them where the
/// kernel's page cache holds them, a quarter less CPU a page. The mapped pages count in the
/// process's RSS (as file-backed, shared memory the kernel may drop at any time), not in
/// its own heap.
const MMAP_BYTES: i64 = 1 << 30;

/// Opens read-only connections to a pool's database.
pub struct ReadOnlyOpener {
    /// The database as SQLite opens it: the file, or sqlx's shared in-memory database.
    target: String,
    flags: OpenFlags,
    in_memory: bool,
}

impl ReadOnlyOpener {
    pub fn new(pool: &SqlitePool) -> Result<Self, DbError> {
        let options = pool.connect_options();
        let filename = path_text(options.get_filename())?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Ok(match data_folder(&options) {
            Some(_) => Self {
                target: filename,
                flags,
                in_memory: false,
            },
            // sqlx names its in-memory database with a URI and shares its cache between its
            // connections; this process's SQLite finds it under the same name.
            None => Self {
                target: format!("{filename}?mode=memory&cache=shared"),
                flags: flags | OpenFlags::SQLITE_OPEN_URI,
                in_memory: true,
            },
        })
    }

    /// Whether the database lives in this process's memory only.
    pub fn in_memory(&self) -> bool {
        self.in_memory
    }

    /// A new connection; with WAL, its reads never wait for the writer.
    pub fn open(&self) -> Result<Connection, DbError> {
        let connection = Connection::open_with_flags(&self.target, self.flags)?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        connection.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        Ok(connection)
    }
}

fn path_text(path: &Path) -> Result<String, DbError> {
    path.to_str()
        .map(str::to_owned)
        .ok_or_else(|| DbError::Corrupt(format!("the database path {path:?} is not UTF-8")))
}
