// What a sync job's counts mean, in words and shapes: pure functions, so the pages stay thin
// and the rules (which job holds removals, how fetched persons add up) are tested once.

import type { ChangeAction, SyncJob, SyncMode } from "../api/client";
import { formatCount, type FormatOptions } from "./format";

type Counts = Pick<
  SyncJob,
  "total_fetched" | "total_added" | "total_updated" | "total_removed" | "total_skipped" | "total_held" | "total_unchanged"
>;

/** In the order the change log and its filter list them. */
export const CHANGE_ACTIONS: readonly ChangeAction[] = ["added", "updated", "removed", "skipped", "held"];

export const ACTION_LABELS: Record<ChangeAction, string> = {
  added: "Added",
  updated: "Updated",
  removed: "Removed",
  skipped: "Skipped",
  held: "Held",
};

/** The sign in front of a count: `+` joins the list, `~` changes, `−` leaves it. */
const SIGNS: Partial<Record<ChangeAction, string>> = { added: "+", updated: "~", removed: "−" };

export function actionCount(job: Counts, action: ChangeAction): number {
  switch (action) {
    case "added":
      return job.total_added;
    case "updated":
      return job.total_updated;
    case "removed":
      return job.total_removed;
    case "skipped":
      return job.total_skipped;
    case "held":
      return job.total_held;
  }
}

/** Every change row the job recorded: the change log's "All". */
export function totalChanges(job: Counts): number {
  return CHANGE_ACTIONS.reduce((sum, action) => sum + actionCount(job, action), 0);
}

/** "+9,698", "~0", "−12", "302": the count with its sign. */
export function signedCount(action: ChangeAction, count: number, options: FormatOptions = {}): string {
  return `${SIGNS[action] ?? ""}${formatCount(count, options)}`;
}

export interface ChangeCount {
  action: ChangeAction;
  count: number;
  /** "+9,698 added". */
  text: string;
}

/**
 * The four counts an operator compares (added, updated, removed, skipped), plus the held
 * removals when the brake stopped some.
 */
export function changeCounts(job: Counts, options: FormatOptions = {}): ChangeCount[] {
  const actions: ChangeAction[] = ["added", "updated", "removed", "skipped"];
  if (job.total_held > 0) actions.push("held");
  return actions.map((action) => {
    const count = actionCount(job, action);
    return { action, count, text: `${signedCount(action, count, options)} ${action}` };
  });
}

/** "+8 added / ~0 updated / −0 removed / 3 skipped": one line, e.g. for a screen reader. */
export function formatChangeCounts(job: Counts, options: FormatOptions = {}): string {
  return changeCounts(job, options)
    .map((count) => count.text)
    .join(" / ");
}

/**
 * Why fewer contacts were added than persons fetched: every fetched person is added,
 * updated, unchanged or skipped. "10,000 fetched: 9,698 added, 0 updated, 0 unchanged,
 * 302 skipped (no valid address, a duplicate address or blocklisted in Brevo)".
 */
export function explainFetched(job: Counts, options: FormatOptions = {}): string {
  const n = (value: number) => formatCount(value, options);
  const skipped =
    job.total_skipped > 0
      ? `${n(job.total_skipped)} skipped (no valid address, a duplicate address or blocklisted in Brevo)`
      : "0 skipped";
  return (
    `${n(job.total_fetched)} fetched: ${n(job.total_added)} added, ${n(job.total_updated)} updated, ` +
    `${n(job.total_unchanged)} unchanged, ${skipped}`
  );
}

/**
 * What happened to list members who are no longer in the filter; null when none left.
 * A preview says what a sync would do.
 */
export function explainLeavers(job: Counts & Pick<SyncJob, "dry_run">, options: FormatOptions = {}): string | null {
  const n = (value: number) => formatCount(value, options);
  const parts: string[] = [];
  if (job.total_removed > 0) {
    const one = job.total_removed === 1;
    const who = one ? "member who left the filter" : "members who left the filter";
    const verb = job.dry_run ? "would be removed" : one ? "was removed" : "were removed";
    parts.push(`${n(job.total_removed)} ${who} ${verb} from the list.`);
  }
  if (job.total_held > 0) {
    parts.push(
      `${n(job.total_held)} ${job.total_held === 1 ? "removal was" : "removals were"} held back by the removal brake.`,
    );
  }
  return parts.length > 0 ? parts.join(" ") : null;
}

/** The removal brake stopped this job: its removals wait for a confirmed sync. */
export function isBrakeHeld(job: Pick<SyncJob, "status" | "total_held">): boolean {
  return job.status === "failed" && job.total_held > 0;
}

/**
 * The job whose held removals still wait: the newest real sync (previews never touch the
 * list), if the brake stopped it. Any later sync settles them, one way or the other.
 * In additive mode nothing is removed, so nothing waits either.
 */
export function pendingBrake(jobsNewestFirst: readonly SyncJob[], mode: SyncMode): SyncJob | null {
  if (mode !== "mirror") return null;
  const newestSync = jobsNewestFirst.find((job) => !job.dry_run);
  return newestSync && isBrakeHeld(newestSync) ? newestSync : null;
}

/**
 * A filter's jobs, newest first, from its jobs list and its `last_job`. The two can disagree
 * for one poll: the filter's job leads when it is the later one, else the list wins.
 */
export function filterJobsNewestFirst(history: readonly SyncJob[], lastJob: SyncJob | null | undefined): readonly SyncJob[] {
  const first = history[0];
  return lastJob && (!first || lastJob.id > first.id) ? [lastJob, ...history] : history;
}

/** What became of a brake-held job's removals; see `heldRemovals`. */
export type HeldRemovals = { state: "waiting" } | { state: "superseded"; by: SyncJob } | { state: "additive" };

/**
 * Whether a brake-held job's removals still wait (the job is the `pendingBrake`, the rule the
 * filter's page uses), a later sync has worked them out afresh, or the filter now syncs
 * additively and removes no one. Null when the job held nothing, or the jobs list has not
 * caught up with it yet.
 */
export function heldRemovals(job: SyncJob, jobsNewestFirst: readonly SyncJob[], mode: SyncMode): HeldRemovals | null {
  if (!isBrakeHeld(job)) return null;
  if (mode !== "mirror") return { state: "additive" };
  if (pendingBrake(jobsNewestFirst, mode)?.id === job.id) return { state: "waiting" };
  const newestSync = jobsNewestFirst.find((other) => !other.dry_run);
  return newestSync && newestSync.id > job.id ? { state: "superseded", by: newestSync } : null;
}

export const TRIGGER_LABELS: Record<SyncJob["trigger"], string> = {
  manual: "Manual",
  schedule: "Scheduled",
  webhook: "Pipedrive webhook",
};

// History chart

export interface ChartBar {
  action: "added" | "updated" | "removed";
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartRun {
  job: SyncJob;
  bars: ChartBar[];
}

export interface HistoryChart {
  runs: ChartRun[];
  /** The tallest bar's value: the top of the scale. */
  max: number;
}

const CHART_ACTIONS = ["added", "updated", "removed"] as const;

/**
 * Bar geometry for the history chart: the last `limit` real syncs that ended (previews and a
 * running job change nothing yet), oldest on the left, newest at the right edge, three bars
 * each. A run never gets more than 1/`minSlots` of the width, so two runs are two slim groups,
 * not two slabs. A count above zero is never drawn flatter than `minBar`, so one removal
 * stays visible next to thousands of additions.
 */
export function historyChart(
  jobsNewestFirst: readonly SyncJob[],
  {
    width,
    height,
    limit = 20,
    minSlots = 12,
    minBar = 2,
  }: { width: number; height: number; limit?: number; minSlots?: number; minBar?: number },
): HistoryChart {
  const jobs = jobsNewestFirst
    .filter((job) => !job.dry_run && job.status !== "processing")
    .slice(0, limit)
    .reverse();
  const max = Math.max(0, ...jobs.flatMap((job) => CHART_ACTIONS.map((action) => actionCount(job, action))));
  if (jobs.length === 0) return { runs: [], max };
  const slot = width / Math.max(jobs.length, minSlots);
  const offset = width - slot * jobs.length;
  const gap = slot * 0.3;
  const barWidth = (slot - gap) / CHART_ACTIONS.length;
  const runs = jobs.map((job, index) => ({
    job,
    bars: CHART_ACTIONS.map((action, barIndex) => {
      const value = actionCount(job, action);
      const scaled = max === 0 ? 0 : (value / max) * height;
      const barHeight = value > 0 ? Math.max(minBar, scaled) : 0;
      return {
        action,
        value,
        x: offset + index * slot + gap / 2 + barIndex * barWidth,
        y: height - barHeight,
        width: barWidth,
        height: barHeight,
      };
    }),
  }));
  return { runs, max };
}
