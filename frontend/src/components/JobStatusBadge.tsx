import type { JobStatus } from "../api/client";

const LABELS: Record<JobStatus, string> = {
  processing: "Syncing",
  completed: "Completed",
  failed: "Failed",
};

/** Colour plus a word: the status must read without colour vision too. */
export function JobStatusBadge({ status }: { status: JobStatus | null }) {
  if (status === null) return <span className="badge badge-none">Never synced</span>;
  return (
    <span className={`badge badge-${status}`}>
      <span className="badge-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
