-- The schema of DESIGN.md §1. Never edit an applied migration: add a new one.

-- The single operator (Lucia layout: the user row holds only its id).
CREATE TABLE user (
    id TEXT PRIMARY KEY NOT NULL
);

-- Sign-in sessions. `id` is the hex SHA-256 of the cookie token, never the token itself.
CREATE TABLE session (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

-- Pipedrive person filters; `id` is Pipedrive's filter id.
CREATE TABLE filters (
    id            INTEGER PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    brevo_list_id INTEGER,
    deleted_at    INTEGER
);

-- One row per sync run, kept indefinitely.
CREATE TABLE sync_jobs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    filter_id     INTEGER NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('processing', 'completed', 'failed')),
    created_at    INTEGER NOT NULL DEFAULT (unixepoch()),
    completed_at  INTEGER,
    total_fetched INTEGER NOT NULL DEFAULT 0,
    total_added   INTEGER NOT NULL DEFAULT 0,
    error_message TEXT
);

-- A filter's history newest first, its last job, and the cascade from filters.
CREATE INDEX sync_jobs_filter_id_id ON sync_jobs (filter_id, id);
-- Listing by status newest first without scanning the whole history.
CREATE INDEX sync_jobs_status_id ON sync_jobs (status, id);
-- Expired sessions are purged periodically.
CREATE INDEX session_expires_at ON session (expires_at);
CREATE INDEX session_user_id ON session (user_id);
