import { useState } from "react";
import { Link } from "react-router";

import type { Filter, SyncJob } from "../api/client";
import { useStartSync } from "../api/queries";
import { formatCount, plural } from "../lib/format";
import { Banner } from "./Banner";
import { ConfirmDialog } from "./ConfirmDialog";

interface BrakeNoticeProps {
  /** The sync the removal brake stopped (see `pendingBrake`). */
  job: SyncJob;
  filter: Pick<Filter, "id" | "name" | "deleted_at" | "brevo_list_id" | "brevo_list_name">;
  /** A job of this filter runs: a second one would be refused. */
  busy: boolean;
  /** Link to the held removals on the job's page; false on that page, which lists them already. */
  reviewLink?: boolean;
  onStarted?: (job: SyncJob) => void;
}

/**
 * Removals held by the brake wait for a person: this says how many, links to them, and
 * starts the sync that removes them (`allow_mass_removal`) once confirmed in a dialog.
 */
export function BrakeNotice({ job, filter, busy, reviewLink = true, onStarted }: BrakeNoticeProps) {
  const [confirming, setConfirming] = useState(false);
  const start = useStartSync();
  const held = job.total_held;
  const waiting = `${plural(held, "removal")} ${held === 1 ? "is" : "are"} waiting`;
  const list = filter.brevo_list_name
    ? `“${filter.brevo_list_name}”`
    : filter.brevo_list_id != null
      ? `list ${filter.brevo_list_id}`
      : "the list";

  const confirm = () =>
    start.mutate(
      { filter, options: { allow_mass_removal: true } },
      {
        onSuccess: (started) => {
          setConfirming(false);
          onStarted?.(started);
        },
      },
    );

  return (
    <>
      <Banner
        tone="warning"
        title={waiting}
        actions={
          <>
            <button
              type="button"
              className="button button-danger button-small"
              disabled={busy || Boolean(filter.deleted_at)}
              onClick={() => {
                start.reset();
                setConfirming(true);
              }}
            >
              Confirm removals
            </button>
            {reviewLink && (
              <Link className="button button-secondary button-small" to={`/jobs/${job.id}?action=held`}>
                Review them
              </Link>
            )}
          </>
        }
      >
        <p>
          Job #{job.id} found {plural(held, "member")} of the Brevo list {list} who {held === 1 ? "is" : "are"} no
          longer in this filter. That is more than the removal brake lets a sync remove at once, so it removed none of
          them; additions and updates were applied. Check the filter in Pipedrive; if the removals are right, confirm
          them.
        </p>
      </Banner>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${formatCount(held)} contacts from the list?`}
        confirmLabel="Remove them"
        pendingLabel="Starting the sync…"
        pending={start.isPending}
        error={start.error}
        onConfirm={confirm}
        onCancel={() => setConfirming(false)}
      >
        <p>
          A sync of “{filter.name}” starts now and removes from its Brevo list every member who is no longer in the
          filter, past the removal brake: {formatCount(held)} when job #{job.id} ran.
        </p>
        <p className="muted">The contacts stay in Brevo; only their membership of this list ends.</p>
      </ConfirmDialog>
    </>
  );
}
