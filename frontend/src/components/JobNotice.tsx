import type { SyncJob } from "../api/client";
import { entriesAsRows } from "../api/errors";

/**
 * What to know about a job that went on despite something, e.g. saved mapping entries it
 * synced without. A warning, not a failure: the job did its work, so it is never styled or
 * announced like `error_message`. Mapping entries are named as the field-mapping page's rows.
 */
export function JobNotice({ job }: { job: Pick<SyncJob, "id" | "notice"> }) {
  if (!job.notice) return null;
  return (
    <div className="job-notice" role="note" aria-label={`Note on job #${job.id}`}>
      <p className="job-notice-title">Note on job #{job.id}</p>
      <p className="job-notice-text">{entriesAsRows(job.notice)}</p>
    </div>
  );
}
