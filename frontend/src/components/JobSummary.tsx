import type { SyncJob } from "../api/client";
import { changeCounts, explainFetched, explainLeavers, signedCount } from "../lib/jobs";

/**
 * A job's outcome as `+added / ~updated / −removed / skipped`, and in words why the counts
 * differ from the persons fetched. A preview's counts say what a sync would do now.
 */
export function JobSummary({ job }: { job: SyncJob }) {
  const leavers = explainLeavers(job);
  return (
    <div className="job-summary">
      <dl className="change-counts">
        {changeCounts(job).map(({ action, count }) => (
          <div key={action} className={`change-count change-${action}${count === 0 ? " change-zero" : ""}`}>
            <dt>{action}</dt>
            <dd>{signedCount(action, count)}</dd>
          </div>
        ))}
      </dl>
      <div className="job-explain">
        <p>{explainFetched(job)}.</p>
        {leavers && <p>{leavers}</p>}
      </div>
    </div>
  );
}
