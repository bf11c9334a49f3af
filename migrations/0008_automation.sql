-- Automation (DESIGN §9): the scheduler's due filters, the alert state, the upstream usage.

-- When the filter's newest sync (not a preview: a dry run changes nothing, so it does not
-- move the schedule) started, and when its newest sync completed.
ALTER TABLE filters ADD COLUMN last_sync_started_at INTEGER;
ALTER TABLE filters ADD COLUMN last_completed_at INTEGER;
UPDATE filters SET
    last_sync_started_at = (SELECT max(created_at) FROM sync_jobs
                            WHERE filter_id = filters.id AND dry_run = 0),
    last_completed_at = (SELECT max(completed_at) FROM sync_jobs
                         WHERE filter_id = filters.id AND dry_run = 0 AND status = 'completed');

-- A scheduled sync held back until then (the Pipedrive budget), and why; cleared when a sync
-- starts.
ALTER TABLE filters ADD COLUMN schedule_held_until INTEGER;
ALTER TABLE filters ADD COLUMN schedule_hold_reason TEXT;

-- When a Pipedrive webhook's person event makes the filter sync sooner (the debounce's end);
-- cleared when a sync starts.
ALTER TABLE filters ADD COLUMN webhook_due_at INTEGER;

-- When the schedule next starts a sync: one interval after the newest sync's start (or the
-- setting of the schedule), or a webhook's debounce end if sooner, not before a hold ends.
-- Computed from the row, so every writer keeps it right, and indexed, so the scheduler's due
-- filters are one index range.
ALTER TABLE filters ADD COLUMN next_sync_at INTEGER GENERATED ALWAYS AS (
    CASE WHEN schedule_minutes IS NULL OR deleted_at IS NOT NULL THEN NULL
         ELSE max(min(max(coalesce(schedule_set_at, 0), coalesce(last_sync_started_at, 0))
                      + schedule_minutes * 60,
                      coalesce(webhook_due_at, 9223372036854775807)),
                  coalesce(schedule_held_until, 0)) END) VIRTUAL;
CREATE INDEX filters_next_sync_at ON filters (next_sync_at) WHERE next_sync_at IS NOT NULL;

-- What the filter's last alert said (NULL: healthy or never alerted), so one change of state
-- alerts once, also across restarts.
ALTER TABLE filters ADD COLUMN alert_state TEXT CHECK (alert_state IN ('failing', 'stale'));

-- When a healthy scheduled filter becomes stale: three intervals without a completed sync
-- (counted from the setting of the schedule when none completed since). Indexed like
-- next_sync_at, so the scheduler's check is one index range.
ALTER TABLE filters ADD COLUMN stale_at INTEGER GENERATED ALWAYS AS (
    CASE WHEN schedule_minutes IS NULL OR deleted_at IS NOT NULL OR alert_state IS NOT NULL
         THEN NULL
         ELSE max(coalesce(schedule_set_at, 0), coalesce(last_completed_at, 0))
              + 3 * schedule_minutes * 60 END) VIRTUAL;
CREATE INDEX filters_stale_at ON filters (stale_at) WHERE stale_at IS NOT NULL;

DROP TRIGGER sync_jobs_newest_of_filter;
-- Ids only grow, so the inserted job is the newest; also for rows written by other tools.
CREATE TRIGGER sync_jobs_newest_of_filter AFTER INSERT ON sync_jobs
BEGIN
    UPDATE filters SET
        last_job_id = NEW.id,
        last_sync_started_at = CASE WHEN NEW.dry_run THEN last_sync_started_at
                                    ELSE NEW.created_at END,
        schedule_held_until = CASE WHEN NEW.dry_run THEN schedule_held_until END,
        schedule_hold_reason = CASE WHEN NEW.dry_run THEN schedule_hold_reason END,
        webhook_due_at = CASE WHEN NEW.dry_run THEN webhook_due_at END
    WHERE id = NEW.filter_id;
END;

CREATE TRIGGER sync_jobs_completed AFTER UPDATE OF status ON sync_jobs
WHEN NEW.status = 'completed' AND OLD.status = 'processing' AND NOT NEW.dry_run
BEGIN
    UPDATE filters SET last_completed_at = NEW.completed_at WHERE id = NEW.filter_id;
END;

-- Upstream use per UTC day (`date` is YYYY-MM-DD), whoever made the calls.
CREATE TABLE usage_days (
    date             TEXT PRIMARY KEY,
    pipedrive_tokens INTEGER NOT NULL DEFAULT 0,
    brevo_requests   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- The filter's row gains its stored next_sync_at and the hold (0003, 0004, 0007: the
-- overview view is recreated with it and the stored overviews refreshed).
DROP VIEW filter_overview_rows;
DROP VIEW filter_rows;
CREATE VIEW filter_rows AS
SELECT f.id, f.name, f.deleted_at, f.last_job_id,
       json_object('id', f.id, 'name', f.name, 'brevo_list_id', f.brevo_list_id,
                   'brevo_list_name', f.brevo_list_name, 'deleted_at', f.deleted_at,
                   'mode', f.mode, 'schedule_minutes', f.schedule_minutes,
                   'next_sync_at', f.next_sync_at,
                   'schedule_held_until', f.schedule_held_until,
                   'schedule_hold_reason', f.schedule_hold_reason) AS row
FROM filters f;
CREATE VIEW filter_overview_rows AS
SELECT f.id, '{"filter":' || f.row || ',"last_job":' || coalesce(j.row, 'null') || '}' AS row
FROM filter_rows f
LEFT JOIN sync_job_rows j ON j.id = f.last_job_id;
UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = filters.id);
