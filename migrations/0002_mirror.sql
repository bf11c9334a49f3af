-- The mirror sync (DESIGN.md §7): sync modes, schedules, job counters per action, and the
-- change log. Columns are added, never renamed or repurposed.

ALTER TABLE filters ADD COLUMN mode TEXT NOT NULL DEFAULT 'mirror'
    CHECK (mode IN ('mirror', 'additive'));
-- Minutes between scheduled syncs (NULL = manual only); used by the scheduler.
ALTER TABLE filters ADD COLUMN schedule_minutes INTEGER
    CHECK (schedule_minutes BETWEEN 1 AND 10080);
-- When the schedule was set: a new schedule counts its first interval from then.
ALTER TABLE filters ADD COLUMN schedule_set_at INTEGER;
-- The Brevo list's name as last created or renamed by the service.
ALTER TABLE filters ADD COLUMN brevo_list_name TEXT;

ALTER TABLE sync_jobs ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0 CHECK (dry_run IN (0, 1));
-- What started the job (`trigger` is an SQL keyword).
ALTER TABLE sync_jobs ADD COLUMN started_by TEXT NOT NULL DEFAULT 'manual'
    CHECK (started_by IN ('manual', 'schedule', 'webhook'));
ALTER TABLE sync_jobs ADD COLUMN total_updated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_jobs ADD COLUMN total_removed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_jobs ADD COLUMN total_skipped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_jobs ADD COLUMN total_held INTEGER NOT NULL DEFAULT 0;
-- Members already equal to the filter's person: nothing written.
ALTER TABLE sync_jobs ADD COLUMN total_unchanged INTEGER NOT NULL DEFAULT 0;

-- Pruning the change log by job age.
CREATE INDEX sync_jobs_created_at ON sync_jobs (created_at);

-- One row per contact a job changed (or would change, in a dry run), skipped or held. Keyed
-- by the job and the change's number within it: the table itself is in log order, so a
-- change costs two B-trees (the table and the action index), not three.
CREATE TABLE sync_changes (
    job_id    INTEGER NOT NULL REFERENCES sync_jobs (id) ON DELETE CASCADE,
    id        INTEGER NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('added', 'updated', 'removed', 'skipped', 'held')),
    email     TEXT,
    person_id INTEGER,
    reason    TEXT,
    PRIMARY KEY (job_id, id)
) WITHOUT ROWID;
-- A job's log by action: keyset pages at any depth.
CREATE INDEX sync_changes_job_action ON sync_changes (job_id, action, id);

-- The row shapes the service reads, defined once: each row as one JSON object whose keys
-- are the fields of the Rust row types (`db/filters.rs`, `db/sync_jobs.rs`). A new column
-- is added here (DROP VIEW, CREATE VIEW in its migration) and in the row type.
CREATE VIEW sync_job_rows AS
SELECT id, filter_id, status,
       json_object('id', id, 'filter_id', filter_id, 'status', status,
                   'created_at', created_at, 'completed_at', completed_at,
                   'dry_run', dry_run, 'started_by', started_by,
                   'total_fetched', total_fetched, 'total_added', total_added,
                   'total_updated', total_updated, 'total_removed', total_removed,
                   'total_skipped', total_skipped, 'total_held', total_held,
                   'total_unchanged', total_unchanged,
                   'error_message', error_message) AS row
FROM sync_jobs;

CREATE VIEW filter_rows AS
SELECT f.id, f.name, f.deleted_at,
       json_object('id', f.id, 'name', f.name, 'brevo_list_id', f.brevo_list_id,
                   'brevo_list_name', f.brevo_list_name, 'deleted_at', f.deleted_at,
                   'mode', f.mode, 'schedule_minutes', f.schedule_minutes,
                   'next_sync_at',
                   CASE WHEN f.schedule_minutes IS NULL THEN NULL
                        ELSE max(coalesce(f.schedule_set_at, 0),
                                 coalesce((SELECT j.created_at FROM sync_jobs j WHERE j.filter_id = f.id
                                           ORDER BY j.id DESC LIMIT 1), 0))
                             + f.schedule_minutes * 60 END) AS row
FROM filters f;
