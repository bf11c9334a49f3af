import { Fragment } from "react";
import { Link } from "react-router";

import type { SyncJob } from "../api/client";
import { formatCount, formatDateTime, formatDuration, jobDurationMs } from "../lib/format";
import { TRIGGER_LABELS } from "../lib/jobs";
import { JobNotice } from "./JobNotice";
import { JobStatusBadge } from "./JobStatusBadge";
import { RelativeTime } from "./Time";

const COLUMNS = 9;

/** A filter's jobs, newest first. A failure's reason is shown in full: it says what to fix. */
export function JobsTable({ jobs, now }: { jobs: SyncJob[]; now: number }) {
  return (
    <table className="table table-stack jobs-table">
      <caption className="visually-hidden">Sync jobs and previews, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Job</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col" className="num">Duration</th>
          <th scope="col" className="num">Fetched</th>
          <th scope="col" className="num">Added</th>
          <th scope="col" className="num">Updated</th>
          <th scope="col" className="num">Removed</th>
          <th scope="col" className="num">Skipped</th>
        </tr>
      </thead>
      <tbody>
        {jobs.map((job) => (
          <JobRows key={job.id} job={job} now={now} />
        ))}
      </tbody>
    </table>
  );
}

function JobRows({ job, now }: { job: SyncJob; now: number }) {
  const failed = job.status === "failed";
  const detail = failed || Boolean(job.notice);
  const duration = jobDurationMs(job, now);
  return (
    <Fragment>
      <tr className={detail ? "row-has-detail" : undefined}>
        <th scope="row" className="cell-title">
          <Link className="row-link" to={`/jobs/${job.id}`}>
            Job #{job.id}
          </Link>
          {job.dry_run && <span className="tag tag-preview">Preview</span>}
          {job.trigger !== "manual" && <span className="cell-sub">{TRIGGER_LABELS[job.trigger]}</span>}
        </th>
        <td data-label="Status">
          <JobStatusBadge status={job.status} />
        </td>
        {/* One element per cell: on narrow screens the cell is a label/value line. */}
        <td data-label="Started">
          <span>
            <span className="nowrap">{formatDateTime(job.created_at)}</span>
            <span className="cell-sub">
              <RelativeTime value={job.created_at} now={now} />
            </span>
          </span>
        </td>
        <td data-label="Duration" className="num half">
          <span>
            {duration === null ? "—" : formatDuration(duration)}
            {job.status === "processing" && <span className="cell-sub">so far</span>}
          </span>
        </td>
        <td data-label="Fetched" className="num half">
          {formatCount(job.total_fetched)}
        </td>
        <td data-label="Added" className="num half">
          {formatCount(job.total_added)}
        </td>
        <td data-label="Updated" className="num half">
          {formatCount(job.total_updated)}
        </td>
        <td data-label="Removed" className="num half">
          <span>
            {formatCount(job.total_removed)}
            {job.total_held > 0 && <span className="cell-sub cell-held">{formatCount(job.total_held)} held</span>}
          </span>
        </td>
        <td data-label="Skipped" className="num half">
          {formatCount(job.total_skipped)}
        </td>
      </tr>
      {detail && (
        <tr className="row-detail">
          <td colSpan={COLUMNS}>
            <div className="row-detail-stack">
              {failed && (
                <div className="job-error">
                  <p className="job-error-title">Why job #{job.id} failed</p>
                  <p className="job-error-text">{job.error_message || "The server recorded no reason."}</p>
                </div>
              )}
              <JobNotice job={job} />
            </div>
          </td>
        </tr>
      )}
    </Fragment>
  );
}
