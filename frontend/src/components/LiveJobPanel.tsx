import type { SyncJob } from "../api/client";
import { formatCount, formatDuration, jobDurationMs } from "../lib/format";
import { JobStatusBadge } from "./JobStatusBadge";

/** The running job's counters, large: they move while Pipedrive pages arrive. */
export function LiveJobPanel({ job, now }: { job: SyncJob; now: number }) {
  const elapsed = jobDurationMs(job, now);
  // A preview writes nothing: its panel must not claim that contacts are being added.
  const preview = job.dry_run;
  return (
    <section className="card live-panel" aria-labelledby="live-title">
      <div className="live-header">
        <h2 className="card-title" id="live-title">
          {preview ? "Preview in progress" : "Sync in progress"}
        </h2>
        <JobStatusBadge status={job.status} />
      </div>
      <div className="live-progress" aria-hidden="true">
        <span />
      </div>
      <dl className="stats">
        <div>
          <dt>Fetched from Pipedrive</dt>
          <dd>{formatCount(job.total_fetched)}</dd>
        </div>
        <div>
          <dt>{preview ? "Would be added" : "Added to Brevo"}</dt>
          <dd>{formatCount(job.total_added)}</dd>
        </div>
        <div>
          <dt>Running for</dt>
          <dd>{elapsed === null ? "—" : formatDuration(elapsed)}</dd>
        </div>
      </dl>
    </section>
  );
}
