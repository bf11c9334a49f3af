-- Each filter's newest job, kept by a trigger: the dashboard's list of filters joins one job
-- row per filter by its id instead of finding the newest among all of the filter's jobs,
-- which touched an index page per filter on every render (a thousand filters' pages do not
-- fit SQLite's default cache, so each render after a commit read them again).

ALTER TABLE filters ADD COLUMN last_job_id INTEGER;

UPDATE filters SET last_job_id = (SELECT MAX(id) FROM sync_jobs WHERE filter_id = filters.id);

-- Ids only grow, so the inserted job is the newest; also for rows written by other tools.
CREATE TRIGGER sync_jobs_newest_of_filter AFTER INSERT ON sync_jobs
BEGIN
    UPDATE filters SET last_job_id = NEW.id WHERE id = NEW.filter_id;
END;

DROP VIEW filter_rows;
CREATE VIEW filter_rows AS
SELECT f.id, f.name, f.deleted_at, f.last_job_id,
       json_object('id', f.id, 'name', f.name, 'brevo_list_id', f.brevo_list_id,
                   'brevo_list_name', f.brevo_list_name, 'deleted_at', f.deleted_at,
                   'mode', f.mode, 'schedule_minutes', f.schedule_minutes,
                   'next_sync_at',
                   CASE WHEN f.schedule_minutes IS NULL THEN NULL
                        ELSE max(coalesce(f.schedule_set_at, 0),
                                 coalesce((SELECT j.created_at FROM sync_jobs j
                                           WHERE j.id = f.last_job_id), 0))
                             + f.schedule_minutes * 60 END) AS row
FROM filters f;
