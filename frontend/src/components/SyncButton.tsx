import type { Filter, SyncJob } from "../api/client";
import { useStartSync } from "../api/queries";
import { Spinner } from "./States";

interface SyncButtonProps {
  filter: Pick<Filter, "id" | "name" | "deleted_at" | "last_job">;
  variant?: "primary" | "secondary";
  onStarted?: (job: SyncJob) => void;
  /** The page shows the reason (a 409 names the running job); a button has no room for it. */
  onError?: (error: unknown) => void;
}

/** Starts a sync; disabled while a job runs, because the server would refuse a second one. */
export function SyncButton({ filter, variant = "secondary", onStarted, onError }: SyncButtonProps) {
  const start = useStartSync();
  const busy = filter.last_job?.status === "processing" || start.isPending;
  // A running preview blocks a sync too, but it is not a sync: the button just waits.
  const running = start.isPending || (busy && filter.last_job?.dry_run !== true);
  const deleted = Boolean(filter.deleted_at);

  return (
    <button
      type="button"
      className={`button button-${variant} sync-button`}
      disabled={busy || deleted}
      title={deleted ? "Deleted in Pipedrive: it can no longer be synced" : undefined}
      onClick={() => start.mutate({ filter }, { onSuccess: onStarted, onError })}
    >
      {running ? <Spinner /> : <SyncIcon />}
      {running ? "Syncing…" : "Sync"}
      {/* The name makes each row's button distinct for screen readers and tests. */}
      <span className="visually-hidden"> {filter.name}</span>
    </button>
  );
}

function SyncIcon() {
  return (
    <svg className="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M4.5 8.5a5.5 5.5 0 0 1 9.7-2.8" />
        <path d="M15 3v3.2h-3.2" />
        <path d="M15.5 11.5a5.5 5.5 0 0 1-9.7 2.8" />
        <path d="M5 17v-3.2h3.2" />
      </g>
    </svg>
  );
}
