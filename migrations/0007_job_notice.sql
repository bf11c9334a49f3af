-- A job's notice: what the operator should know about a job that did not fail, such as the
-- saved field-mapping entries it synced without (a field or attribute deleted since).
ALTER TABLE sync_jobs ADD COLUMN notice TEXT;

-- The row views gain the column (0002, 0004: the overview view is recreated with them and
-- the stored overviews refreshed).
DROP VIEW filter_overview_rows;
DROP VIEW sync_job_rows;
CREATE VIEW sync_job_rows AS
SELECT id, filter_id, status,
       json_object('id', id, 'filter_id', filter_id, 'status', status,
                   'created_at', created_at, 'completed_at', completed_at,
                   'dry_run', dry_run, 'started_by', started_by,
                   'total_fetched', total_fetched, 'total_added', total_added,
                   'total_updated', total_updated, 'total_removed', total_removed,
                   'total_skipped', total_skipped, 'total_held', total_held,
                   'total_unchanged', total_unchanged,
                   'error_message', error_message, 'notice', notice) AS row
FROM sync_jobs;
CREATE VIEW filter_overview_rows AS
SELECT f.id, '{"filter":' || f.row || ',"last_job":' || coalesce(j.row, 'null') || '}' AS row
FROM filter_rows f
LEFT JOIN sync_job_rows j ON j.id = f.last_job_id;
UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = filters.id);
