import type { Filter, SyncJob } from "../api/client";
import { useStartSync } from "../api/queries";
import { Spinner } from "./States";

interface PreviewButtonProps {
  filter: Pick<Filter, "id" | "name" | "deleted_at" | "last_job">;
  onStarted?: (job: SyncJob) => void;
  onError?: (error: unknown) => void;
}

/**
 * Starts a dry run: the same job as a sync, recording what it would change and writing
 * nothing to Brevo. Like a sync it waits while any job of the filter runs.
 */
export function PreviewButton({ filter, onStarted, onError }: PreviewButtonProps) {
  const start = useStartSync();
  const running = filter.last_job?.status === "processing";
  const previewing = start.isPending || (running && filter.last_job?.dry_run === true);
  const deleted = Boolean(filter.deleted_at);
  return (
    <button
      type="button"
      className="button button-secondary"
      disabled={running || start.isPending || deleted}
      title={deleted ? "Deleted in Pipedrive: it can no longer be synced" : undefined}
      onClick={() => start.mutate({ filter, options: { dry_run: true } }, { onSuccess: onStarted, onError })}
    >
      {previewing ? <Spinner /> : <PreviewIcon />}
      {previewing ? "Previewing…" : "Preview changes"}
    </button>
  );
}

function PreviewIcon() {
  return (
    <svg className="icon" viewBox="0 0 20 20" width="16" height="16" aria-hidden="true" focusable="false">
      <g fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M2.5 10s2.8-5 7.5-5 7.5 5 7.5 5-2.8 5-7.5 5-7.5-5-7.5-5Z" />
        <circle cx="10" cy="10" r="2.2" />
      </g>
    </svg>
  );
}
