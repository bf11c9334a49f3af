import { useId, useState } from "react";

import { changesCsvUrl, type Change, type ChangeAction, type SyncJob } from "../api/client";
import { useJobChanges } from "../api/queries";
import { formatCount } from "../lib/format";
import { useDebouncedValue } from "../lib/hooks";
import { ACTION_LABELS, CHANGE_ACTIONS, actionCount, totalChanges } from "../lib/jobs";
import { ProblemBanner } from "./Banner";
import { EmptyState, LoadingState, Spinner } from "./States";

/** Typing pauses this long before the search asks the server. */
const SEARCH_DELAY_MS = 300;

interface ChangeLogProps {
  job: SyncJob;
  title?: string;
  initialAction?: ChangeAction | null;
}

/**
 * One row per contact a job added, updated, removed, skipped or held: filtered by action,
 * searched by address (on the server), paged with "Load more", and downloadable as CSV.
 */
export function ChangeLog({ job, title = "Change log", initialAction = null }: ChangeLogProps) {
  const ids = { title: useId(), action: useId(), search: useId() };
  const [action, setAction] = useState<ChangeAction | null>(initialAction);
  const [search, setSearch] = useState("");
  const email = useDebouncedValue(search.trim(), SEARCH_DELAY_MS);
  const ended = job.status !== "processing";
  const changes = useJobChanges(job.id, { action, email }, ended);
  const rows = changes.data?.pages.flatMap((page) => page.items) ?? [];
  const expected = action === null ? totalChanges(job) : actionCount(job, action);
  const searching = email !== "";

  return (
    <section className="card" aria-labelledby={ids.title}>
      <div className="card-toolbar">
        <div>
          <h2 className="card-title" id={ids.title}>
            {title}
          </h2>
          <p className="card-subtitle">
            {searching || !changes.isSuccess || changes.isPlaceholderData
              ? `${formatCount(totalChanges(job))} changes in all`
              : `Showing ${formatCount(rows.length)} of ${formatCount(expected)}`}
          </p>
        </div>
        <div className="toolbar-controls">
          {changes.isFetching && !changes.isFetchingNextPage && !changes.isPending && <Spinner label="Updating" />}
          <div className="inline-field">
            <label htmlFor={ids.action}>Action</label>
            <select
              id={ids.action}
              value={action ?? ""}
              onChange={(event) => setAction(event.target.value === "" ? null : (event.target.value as ChangeAction))}
            >
              <option value="">All ({formatCount(totalChanges(job))})</option>
              {CHANGE_ACTIONS.map((value) => (
                <option key={value} value={value}>
                  {ACTION_LABELS[value]} ({formatCount(actionCount(job, value))})
                </option>
              ))}
            </select>
          </div>
          <div className="inline-field">
            <label htmlFor={ids.search} className="visually-hidden">
              Search addresses
            </label>
            <input
              id={ids.search}
              type="search"
              placeholder="Search addresses"
              autoComplete="off"
              spellCheck={false}
              value={search}
              onChange={(event) => setSearch(event.target.value)}
            />
          </div>
          <a className="button button-secondary" href={changesCsvUrl(job.id)} download>
            <DownloadIcon />
            Download CSV
          </a>
        </div>
      </div>

      {!ended ? (
        <EmptyState title="The change log is on its way">
          <p>It lists every change once the job has ended.</p>
        </EmptyState>
      ) : changes.isPending ? (
        <LoadingState label="Loading the changes…" />
      ) : changes.isError ? (
        <div className="card-body">
          <ProblemBanner title="Could not load the changes" error={changes.error} onRetry={() => void changes.refetch()} />
        </div>
      ) : rows.length === 0 ? (
        <EmptyState title={searching || action !== null ? "No changes match" : "Nothing to change"}>
          <p>
            {searching
              ? `No address containing “${email}”${action === null ? "" : ` among the ${action} contacts`}.`
              : action !== null
                ? `This job has no ${action} contacts.`
                : "The list already equals the filter."}
          </p>
        </EmptyState>
      ) : (
        <>
          <ChangesTable rows={rows} />
          {changes.hasNextPage && (
            <div className="card-footer">
              <button
                type="button"
                className="button button-secondary"
                onClick={() => void changes.fetchNextPage()}
                disabled={changes.isFetchingNextPage}
              >
                {changes.isFetchingNextPage && <Spinner />}
                {changes.isFetchingNextPage ? "Loading…" : "Load more"}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function ChangesTable({ rows }: { rows: Change[] }) {
  return (
    <table className="table table-stack changes-table">
      <caption className="visually-hidden">Changes, newest first</caption>
      <thead>
        <tr>
          <th scope="col">Address</th>
          <th scope="col">Action</th>
          <th scope="col">Pipedrive person</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((change) => (
          <tr key={change.id}>
            <th scope="row" className="cell-title cell-email">
              {change.email ?? <span className="muted">No valid address</span>}
            </th>
            <td data-label="Action" className="half">
              <span className={`action action-${change.action}`}>{ACTION_LABELS[change.action]}</span>
            </td>
            <td data-label="Person" className="half">
              {change.person_id == null ? <span className="muted">—</span> : <span>#{change.person_id}</span>}
            </td>
            {/* On narrow screens an empty detail line is left out. */}
            <td data-label="Details" className={change.reason ? "cell-reason" : "cell-reason cell-empty"}>
              {change.reason ? <span>{change.reason}</span> : <span className="muted">—</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DownloadIcon() {
  return (
    <svg className="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M10 3.5v9" />
        <path d="M6.5 9 10 12.5 13.5 9" />
        <path d="M4 15.5h12" />
      </g>
    </svg>
  );
}
