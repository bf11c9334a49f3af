import { Link } from "react-router";

import type { SyncJob } from "../api/client";
import { ChangeLog } from "./ChangeLog";
import { JobNotice } from "./JobNotice";
import { JobSummary } from "./JobSummary";
import { RelativeTime } from "./Time";

/** A finished preview: what a sync would change now, and the changes one by one. */
export function PreviewResult({ job, now, onClose }: { job: SyncJob; now: number; onClose: () => void }) {
  return (
    <>
      <section className="card preview-card" aria-labelledby="preview-title">
        <div className="card-toolbar">
          <div>
            <h2 className="card-title" id="preview-title">
              Preview: what a sync would change now
            </h2>
            <p className="card-subtitle">
              Job #{job.id}, <RelativeTime value={job.completed_at ?? job.created_at} now={now} />. Nothing was
              written to Brevo.
            </p>
          </div>
          <div className="toolbar-controls">
            <Link className="button button-secondary button-small" to={`/jobs/${job.id}`}>
              Open on its own page
            </Link>
            <button type="button" className="button button-ghost button-small" onClick={onClose}>
              Close preview
            </button>
          </div>
        </div>
        <div className="card-body card-stack">
          <JobNotice job={job} />
          <JobSummary job={job} />
        </div>
      </section>
      <ChangeLog job={job} title="Changes a sync would make" />
    </>
  );
}
