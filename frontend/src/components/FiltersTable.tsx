import { Link } from "react-router";

import type { Filter } from "../api/client";
import { entriesAsRows } from "../api/errors";
import { formatCount, formatDateTime } from "../lib/format";
import { TRIGGER_LABELS } from "../lib/jobs";
import { formatHoldUntil, formatSchedule, nextRun } from "../lib/schedule";
import { JobStatusBadge } from "./JobStatusBadge";
import { SyncButton } from "./SyncButton";
import { RelativeTime, UntilTime } from "./Time";

interface FiltersTableProps {
  filters: Filter[];
  now: number;
  onSyncError: (error: unknown, filter: Filter) => void;
}

/** One row per filter. On narrow screens CSS turns each row into a card (see `data-label`). */
export function FiltersTable({ filters, now, onSyncError }: FiltersTableProps) {
  return (
    <table className="table table-stack filters-table">
      <caption className="visually-hidden">Pipedrive person filters and their last sync</caption>
      <thead>
        <tr>
          <th scope="col">Filter</th>
          <th scope="col">Brevo list</th>
          <th scope="col">Last sync</th>
          <th scope="col">Next run</th>
          <th scope="col" className="num">Fetched</th>
          <th scope="col" className="num">Added</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {filters.map((filter) => (
          <FilterRow key={filter.id} filter={filter} now={now} onSyncError={onSyncError} />
        ))}
      </tbody>
    </table>
  );
}

function FilterRow({ filter, now, onSyncError }: { filter: Filter; now: number } & Pick<FiltersTableProps, "onSyncError">) {
  const job = filter.last_job ?? null;
  const deleted = Boolean(filter.deleted_at);
  return (
    <tr className={deleted ? "row-muted" : undefined}>
      <th scope="row" className="cell-title">
        <Link className="row-link" to={`/filters/${filter.id}`}>
          {filter.name}
        </Link>
        <span className="cell-sub">
          Filter {filter.id}
          {filter.mode === "additive" && " · additive"}
          {filter.schedule_minutes != null && ` · ${formatSchedule(filter.schedule_minutes).toLowerCase()}`}
          {deleted && <span className="tag">Deleted in Pipedrive</span>}
        </span>
      </th>
      <td data-label="Brevo list">
        {filter.brevo_list_id != null ? (
          <span>
            <span className="cell-list-name">{listName(filter) ?? `List ${filter.brevo_list_id}`}</span>
            {listName(filter) && <span className="cell-sub">List {filter.brevo_list_id}</span>}
          </span>
        ) : (
          <span className="muted">Created on first sync</span>
        )}
      </td>
      <td data-label="Last sync">
        <div className="status-cell">
          <JobStatusBadge status={job?.status ?? null} />
          {job?.dry_run && <span className="tag tag-preview">Preview</span>}
          {/* Started by hand is the rule; a schedule or a webhook is worth a word. */}
          {job && job.trigger !== "manual" && <span className="tag tag-trigger">{TRIGGER_LABELS[job.trigger]}</span>}
          {job && (
            <span className="muted small">
              {job.status === "processing" ? "started " : ""}
              <RelativeTime value={job.completed_at ?? job.created_at} now={now} />
            </span>
          )}
        </div>
        {job?.status === "failed" && job.error_message && (
          <p className="cell-error" title={job.error_message}>
            {job.error_message}
          </p>
        )}
        {job?.notice && (
          <p className="cell-notice" title={entriesAsRows(job.notice)}>
            {entriesAsRows(job.notice)}
          </p>
        )}
      </td>
      <NextRunCell filter={filter} now={now} />
      <td data-label="Fetched" className="num half">
        {job ? formatCount(job.total_fetched) : <span className="muted">—</span>}
      </td>
      <td data-label="Added" className="num half">
        {job ? formatCount(job.total_added) : <span className="muted">—</span>}
      </td>
      <td className="cell-actions">
        <SyncButton filter={filter} onError={(error) => onSyncError(error, filter)} />
      </td>
    </tr>
  );
}

/** When the schedule starts the next sync; empty for a deleted filter (and gone on a phone). */
function NextRunCell({ filter, now }: { filter: Filter; now: number }) {
  const next = nextRun(filter, now);
  if (next === null) return <td data-label="Next run" className="cell-empty" />;
  return (
    <td data-label="Next run">
      {next.state === "manual" ? (
        <span className="muted">Manual</span>
      ) : next.state === "held" ? (
        // Held by today's Pipedrive budget; the server's reason (spend, estimate) on hover.
        <time className="next-held" dateTime={next.at} title={next.reason}>
          held until {formatHoldUntil(next.at, now)}
        </time>
      ) : next.state === "due" ? (
        <time dateTime={next.at} title={formatDateTime(next.at)}>
          due now
        </time>
      ) : (
        <UntilTime value={next.at} now={now} />
      )}
    </td>
  );
}

/** The list's name in Brevo, when the service created or renamed it (older rows have none). */
function listName(filter: Filter): string | null {
  const name = filter.brevo_list_name?.trim();
  return name ? name : null;
}
