import { describe, expect, it } from "vitest";

import type { SyncJob } from "../api/client";
import {
  changeCounts,
  explainFetched,
  explainLeavers,
  filterJobsNewestFirst,
  formatChangeCounts,
  heldRemovals,
  historyChart,
  isBrakeHeld,
  pendingBrake,
  signedCount,
  totalChanges,
} from "./jobs";

const en = { locale: "en-US" };

function job(overrides: Partial<SyncJob> = {}): SyncJob {
  return {
    id: 1,
    filter_id: 7,
    status: "completed",
    created_at: "2026-03-10T12:00:00Z",
    completed_at: "2026-03-10T12:01:00Z",
    dry_run: false,
    trigger: "manual",
    total_fetched: 0,
    total_added: 0,
    total_updated: 0,
    total_removed: 0,
    total_skipped: 0,
    total_held: 0,
    total_unchanged: 0,
    error_message: null,
    ...overrides,
  };
}

const brake = (id: number, held = 45) =>
  job({ id, status: "failed", total_held: held, error_message: `removal brake: ${held} of 94 members…` });

describe("change counts", () => {
  it("signs what joins, changes and leaves the list; skips have no sign", () => {
    expect(signedCount("added", 9698, en)).toBe("+9,698");
    expect(signedCount("updated", 0, en)).toBe("~0");
    expect(signedCount("removed", 12, en)).toBe("−12");
    expect(signedCount("skipped", 302, en)).toBe("302");
  });

  it("lists added, updated, removed and skipped in one line", () => {
    const counts = job({ total_added: 8, total_skipped: 3 });
    expect(formatChangeCounts(counts, en)).toBe("+8 added / ~0 updated / −0 removed / 3 skipped");
  });

  it("adds the held removals only when the brake held some", () => {
    expect(changeCounts(job(), en).map((count) => count.action)).toEqual(["added", "updated", "removed", "skipped"]);
    expect(changeCounts(brake(3), en).at(-1)).toEqual({ action: "held", count: 45, text: "45 held" });
  });

  it("totals every change row of the job", () => {
    expect(totalChanges(job({ total_added: 2, total_updated: 1, total_removed: 2, total_skipped: 2, total_held: 4 }))).toBe(11);
  });
});

describe("explainFetched", () => {
  it("accounts for every fetched person", () => {
    const counts = job({ total_fetched: 10_000, total_added: 9_698, total_skipped: 302 });
    expect(explainFetched(counts, en)).toBe(
      "10,000 fetched: 9,698 added, 0 updated, 0 unchanged, 302 skipped (no valid address, a duplicate address or blocklisted in Brevo)",
    );
  });

  it("needs no reason when nothing was skipped", () => {
    const counts = job({ total_fetched: 40, total_updated: 1, total_unchanged: 39 });
    expect(explainFetched(counts, en)).toBe("40 fetched: 0 added, 1 updated, 39 unchanged, 0 skipped");
  });
});

describe("explainLeavers", () => {
  it("is silent when no member left", () => {
    expect(explainLeavers(job())).toBeNull();
  });

  it("says what happened to the members who left, or would happen in a preview", () => {
    expect(explainLeavers(job({ total_removed: 1 }))).toBe("1 member who left the filter was removed from the list.");
    expect(explainLeavers(job({ total_removed: 2, dry_run: true }))).toBe(
      "2 members who left the filter would be removed from the list.",
    );
    expect(explainLeavers(brake(3, 45))).toBe("45 removals were held back by the removal brake.");
  });
});

describe("the removal brake", () => {
  it("holds a failed job's removals", () => {
    expect(isBrakeHeld(brake(3))).toBe(true);
    expect(isBrakeHeld(job({ status: "failed", error_message: "Pipedrive answered HTTP 403" }))).toBe(false);
    expect(isBrakeHeld(job({ total_held: 0 }))).toBe(false);
  });

  it("waits while the newest real sync is the held one, even behind a preview", () => {
    const held = brake(3);
    expect(pendingBrake([held, job({ id: 2 })], "mirror")).toBe(held);
    expect(pendingBrake([job({ id: 4, dry_run: true }), held], "mirror")).toBe(held);
  });

  it("is settled by any later sync, and moot in additive mode", () => {
    expect(pendingBrake([job({ id: 4, status: "processing" }), brake(3)], "mirror")).toBeNull();
    expect(pendingBrake([job({ id: 4 }), brake(3)], "mirror")).toBeNull();
    expect(pendingBrake([brake(3)], "additive")).toBeNull();
    expect(pendingBrake([], "mirror")).toBeNull();
  });
});

describe("filterJobsNewestFirst", () => {
  const history = [brake(3), job({ id: 2 })];

  it("puts the filter's last job in front while the jobs list has not caught up", () => {
    const started = job({ id: 4, status: "processing" });
    expect(filterJobsNewestFirst(history, started)).toEqual([started, ...history]);
    expect(filterJobsNewestFirst([], started)).toEqual([started]);
  });

  it("keeps the list when it has the newest job, or the filter has none", () => {
    expect(filterJobsNewestFirst(history, job({ id: 3, status: "processing" }))).toBe(history);
    expect(filterJobsNewestFirst(history, job({ id: 2 }))).toBe(history);
    expect(filterJobsNewestFirst(history, null)).toBe(history);
    expect(filterJobsNewestFirst([], undefined)).toEqual([]);
  });
});

describe("heldRemovals", () => {
  it("waits on the job the filter's page offers to confirm, even behind a preview", () => {
    const held = brake(3);
    expect(heldRemovals(held, [held, job({ id: 2 })], "mirror")).toEqual({ state: "waiting" });
    expect(heldRemovals(held, [job({ id: 4, dry_run: true }), held], "mirror")).toEqual({ state: "waiting" });
  });

  it("never waits on an older brake-held job: a later sync, held too or not, worked it out afresh", () => {
    const older = brake(3);
    const later = brake(5, 30);
    expect(heldRemovals(older, [later, job({ id: 4 }), older], "mirror")).toEqual({ state: "superseded", by: later });
    const running = job({ id: 4, status: "processing" });
    expect(heldRemovals(older, [job({ id: 5, dry_run: true }), running, older], "mirror")).toEqual({
      state: "superseded",
      by: running,
    });
  });

  it("waits on nothing in additive mode", () => {
    const held = brake(3);
    expect(heldRemovals(held, [held], "additive")).toEqual({ state: "additive" });
  });

  it("says nothing for a job that held nothing, or a jobs list that has not caught up", () => {
    expect(heldRemovals(job({ id: 3 }), [job({ id: 3 })], "mirror")).toBeNull();
    expect(heldRemovals(brake(3), [job({ id: 2 })], "mirror")).toBeNull();
    expect(heldRemovals(brake(3), [], "mirror")).toBeNull();
  });
});

describe("historyChart", () => {
  const size = { width: 120, height: 100, minSlots: 4 };

  it("draws the ended real syncs, oldest first, and leaves out previews and a running job", () => {
    const jobs = [
      job({ id: 5, status: "processing" }),
      job({ id: 4, dry_run: true, total_added: 99 }),
      job({ id: 3, total_removed: 10 }),
      brake(2),
      job({ id: 1, total_added: 50 }),
    ];
    const chart = historyChart(jobs, size);
    expect(chart.runs.map((run) => run.job.id)).toEqual([1, 2, 3]);
    expect(chart.max).toBe(50);
  });

  it("scales to the tallest bar and keeps small counts visible", () => {
    const chart = historyChart([job({ id: 2, total_added: 1, total_removed: 100 }), job({ id: 1 })], size);
    const [first, second] = chart.runs;
    expect(first?.bars.every((bar) => bar.height === 0)).toBe(true);
    const [added, updated, removed] = second?.bars ?? [];
    expect(removed).toMatchObject({ action: "removed", height: 100, y: 0 });
    expect(added).toMatchObject({ action: "added", value: 1, height: 2, y: 98 });
    expect(updated?.height).toBe(0);
  });

  it("puts the newest run at the right edge and never widens a run past its slot", () => {
    const chart = historyChart([job({ id: 2, total_added: 5 }), job({ id: 1, total_added: 5 })], size);
    // Four slots of 30 units: two empty ones on the left, then the runs.
    const bars = chart.runs.flatMap((run) => run.bars);
    expect(bars[0]?.x).toBeCloseTo(60 + 4.5);
    const last = bars.at(-1);
    expect((last?.x ?? 0) + (last?.width ?? 0)).toBeCloseTo(120 - 4.5);
  });

  it("draws nothing without an ended sync", () => {
    expect(historyChart([job({ dry_run: true })], size)).toEqual({ runs: [], max: 0 });
  });
});
