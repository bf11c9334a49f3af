-- Each filter's row of the dashboard's list (the filter and its newest job, as JSON) kept in
-- the filter's row by triggers, so that the list is read, not built, on every render: while
-- a sync runs its job commits once a second, and building the 1,000 filters' JSON after each
-- commit (4.5-7 ms of a 7-12 ms render) held up every request that came in meanwhile.
--
-- The triggers fire for every writer (this service, an operator's sqlite3), so the stored
-- row is never older than the tables. A migration that recreates `filter_rows` or
-- `sync_job_rows` recreates `filter_overview_rows` too and refreshes the column:
--     UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = filters.id);

CREATE VIEW filter_overview_rows AS
SELECT f.id, '{"filter":' || f.row || ',"last_job":' || coalesce(j.row, 'null') || '}' AS row
FROM filter_rows f
LEFT JOIN sync_job_rows j ON j.id = f.last_job_id;

ALTER TABLE filters ADD COLUMN overview TEXT;

UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = filters.id);

CREATE TRIGGER filters_overview_on_insert AFTER INSERT ON filters
BEGIN
    UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = NEW.id)
    WHERE id = NEW.id;
END;

-- Not when `overview` itself was set (by the trigger below): that row is already fresh.
-- Triggers are not recursive in SQLite unless `recursive_triggers` is on, which this service
-- never turns on.
CREATE TRIGGER filters_overview_on_update AFTER UPDATE ON filters
WHEN NEW.overview IS OLD.overview
BEGIN
    UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = NEW.id)
    WHERE id = NEW.id;
END;

-- A new job reaches the overview through `sync_jobs_newest_of_filter` (0003), which updates
-- the filter's `last_job_id`; a job's later updates (progress, its end) through this one.
CREATE TRIGGER sync_jobs_overview_on_update AFTER UPDATE ON sync_jobs
BEGIN
    UPDATE filters SET overview = (SELECT o.row FROM filter_overview_rows o WHERE o.id = NEW.filter_id)
    WHERE id = NEW.filter_id AND last_job_id = NEW.id;
END;
