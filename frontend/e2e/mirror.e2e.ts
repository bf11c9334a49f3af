// Mirror sync in the dashboard: a preview, the sync after it, a job's change log and its CSV,
// the filter's settings, and removals held by the brake until an operator confirms them.

import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";

import { hidden, screenshots, visible } from "./browser";
import { apiSession, setUpSuite } from "./stack";

const JOB_TIMEOUT = 45_000;

/** The seeded filter of awkward persons: 11 persons, 8 valid and distinct addresses. */
const EDGE = { id: 5, name: "Edge cases (sandbox)" };
/** A generated filter of 100 persons, created by the test; 6 of them have no valid address. */
const BRAKE = { id: 70, name: "Brake test", persons: 100 };

interface Job {
  id: number;
  status: string;
  dry_run: boolean;
  total_fetched: number;
  total_added: number;
  total_removed: number;
  total_skipped: number;
  total_held: number;
  error_message: string | null;
}

describe("mirror sync in the dashboard", () => {
  let api: Awaited<ReturnType<typeof apiSession>>;
  const suite = setUpSuite("mirror", {
    start: "filters-loaded",
    seed: async (stack) => {
      api = await apiSession(stack);
      await stack.sandbox.addFilter(BRAKE.id, BRAKE.name, BRAKE.persons);
    },
  });

  /** The filter's newest job once it has ended, newer than `afterId`. */
  async function jobEnded(filterId: number, afterId = 0): Promise<Job> {
    let job: Job | undefined;
    await expect
      .poll(
        async () => {
          const page = (await (await api(`/api/filters/${filterId}/sync-jobs?limit=1`)).json()) as { items: Job[] };
          job = page.items[0];
          return job !== undefined && job.id > afterId && job.status !== "processing";
        },
        { timeout: JOB_TIMEOUT, interval: 200 },
      )
      .toBe(true);
    return job as Job;
  }

  /** The filter's newest brake-held job before `beforeId`. */
  async function olderBrakeHeld(filterId: number, beforeId: number): Promise<Job> {
    const page = (await (await api(`/api/filters/${filterId}/sync-jobs?before=${beforeId}`)).json()) as { items: Job[] };
    const job = page.items.find((item) => item.status === "failed" && item.total_held > 0);
    if (!job) throw new Error(`filter ${filterId} has no brake-held job before job #${beforeId}`);
    return job;
  }

  /** Waits until the history table's newest row is `job` in its final state. */
  async function newestRowShows(page: Page, job: Job, status: string): Promise<string> {
    const newest = page.locator("table.jobs-table tbody tr").first();
    await expect.poll(() => newest.innerText(), { timeout: JOB_TIMEOUT }).toMatch(new RegExp(`Job #${job.id}\\b[\\s\\S]*${status}`));
    return newest.innerText();
  }

  const changeRows = (page: Page, region = page.getByRole("region", { name: "Change log" })) =>
    region.locator("table.changes-table tbody tr");

  it("previews a filter's first sync without writing to Brevo", async () => {
    const { page } = suite.browser;
    await page.getByRole("link", { name: EDGE.name }).click();
    await visible(page.getByRole("heading", { level: 1, name: EDGE.name }));
    // Slow upstream answers make the running preview long enough to watch.
    await suite.stack.sandbox.latency(400);
    try {
      await page.getByRole("button", { name: "Preview changes" }).click();
      await visible(page.getByRole("region", { name: "Preview in progress" }));
      await visible(page.getByRole("button", { name: "Previewing…" }));
      // One job per filter: the sync waits, and does not claim to be syncing.
      expect(await page.getByRole("button", { name: `Sync ${EDGE.name}` }).isDisabled()).toBe(true);
    } finally {
      await suite.stack.sandbox.latency(0);
    }

    const preview = page.getByRole("region", { name: "Preview: what a sync would change now" });
    await visible(preview, JOB_TIMEOUT);
    const counts = await preview.locator(".change-count").allInnerTexts();
    expect(counts.map((text) => text.replace(/\s+/g, " ").trim())).toEqual([
      "Added +8",
      "Updated ~0",
      "Removed −0",
      "Skipped 3",
    ]);
    // Why 11 persons make 8 contacts.
    await visible(
      preview.getByText(
        "11 fetched: 8 added, 0 updated, 0 unchanged, 3 skipped (no valid address, a duplicate address or blocklisted in Brevo).",
      ),
    );
    const log = page.getByRole("region", { name: "Changes a sync would make" });
    await expect.poll(() => changeRows(page, log).count()).toBe(11);
    await log.getByLabel("Action").selectOption("skipped");
    await expect.poll(() => changeRows(page, log).count()).toBe(3);
    expect(await changeRows(page, log).allInnerTexts()).toEqual(
      expect.arrayContaining([expect.stringContaining("no email address in Pipedrive")]),
    );
    await log.getByLabel("Action").selectOption("");

    // The history marks it as a preview; Brevo has no list for the filter yet.
    const newest = page.locator("table.jobs-table tbody tr").first();
    expect(await newest.innerText()).toContain("Preview");
    await visible(page.getByText("Its Brevo list is created on the first sync"));
    const state = (await (await fetch(`${suite.stack.sandboxUrl}/__sandbox/state`)).json()) as {
      brevo: { lists: { name: string }[] };
    };
    expect(state.brevo.lists.map((list) => list.name)).not.toContain(EDGE.name);
    await screenshots(page, "30-preview");

    // On its own page the preview says that nothing was written.
    await preview.getByRole("link", { name: "Open on its own page" }).click();
    await visible(page.getByRole("heading", { level: 1, name: /^Preview #\d+$/ }));
    await visible(page.getByText(/Nothing was written to Brevo\./));
    await page.getByRole("link", { name: EDGE.name }).click();
    await visible(preview);
  });

  it("syncs after the preview, and the preview gives way to the result", async () => {
    const { page } = suite.browser;
    const before = await jobEnded(EDGE.id);
    await page.getByRole("button", { name: `Sync ${EDGE.name}` }).click();
    const job = await jobEnded(EDGE.id, before.id);
    expect(job).toMatchObject({ status: "completed", dry_run: false, total_added: 8, total_skipped: 3 });

    const row = await newestRowShows(page, job, "Completed");
    expect(row).not.toContain("Preview");
    await hidden(page.getByRole("region", { name: "Preview: what a sync would change now" }));
    await visible(page.getByText(new RegExp(`^Syncs into Brevo list “${literal(EDGE.name)}” \\(\\d+\\)$`)));
    await visible(page.getByRole("img", { name: /Added, updated and removed contacts of the last sync/ }));
    await screenshots(page, "31-synced-after-preview");
  });

  it("opens a job's change log: filter, search and CSV download", async () => {
    const { page } = suite.browser;
    const job = await jobEnded(EDGE.id);
    await page.getByRole("link", { name: `Job #${job.id}` }).click();
    await visible(page.getByRole("heading", { level: 1, name: `Sync job #${job.id}` }));
    expect(await page.title()).toBe(`Sync job #${job.id} · Pipedrive → Brevo Sync`);
    await visible(
      page.getByText(
        "11 fetched: 8 added, 0 updated, 0 unchanged, 3 skipped (no valid address, a duplicate address or blocklisted in Brevo).",
      ),
    );
    await expect.poll(() => changeRows(page).count()).toBe(11);

    // The search goes to the server once typing pauses; it ignores case.
    const search = page.getByRole("searchbox", { name: "Search addresses" });
    await search.fill("SHARED.inbox");
    await expect.poll(() => changeRows(page).count()).toBe(2);
    await page.getByLabel("Action").selectOption("skipped");
    await expect.poll(() => changeRows(page).count()).toBe(1);
    expect(await changeRows(page).first().innerText()).toContain("the address is on another person of the filter");
    await search.fill("nobody-has-this");
    await visible(page.getByText("No changes match"));
    await search.fill("");
    await page.getByLabel("Action").selectOption("");
    await expect.poll(() => changeRows(page).count()).toBe(11);
    await screenshots(page, "32-job-change-log");

    // The CSV: a plain same-origin link, fetched here as the browser would.
    const link = page.getByRole("link", { name: "Download CSV" });
    const href = await link.getAttribute("href");
    expect(href).toBe(`/api/sync-jobs/${job.id}/changes.csv`);
    expect(await link.getAttribute("download")).not.toBeNull();
    const csv = await page.evaluate(async (url) => {
      const response = await fetch(url);
      return {
        status: response.status,
        type: response.headers.get("Content-Type"),
        disposition: response.headers.get("Content-Disposition"),
        text: await response.text(),
      };
    }, href as string);
    expect(csv.status).toBe(200);
    expect(csv.type).toContain("text/csv");
    expect(csv.disposition).toContain("attachment");
    const lines = csv.text.trimEnd().split(/\r?\n/);
    expect(lines[0]).toBe("action,email,person_id,reason");
    expect(lines).toHaveLength(12);
    expect(lines).toContain("added,paul.primary@example.com,5000002,");
    expect(lines).toContain("skipped,,5000001,no email address in Pipedrive");
    expect(lines.filter((line) => line.startsWith("added,"))).toHaveLength(8);

    // And a click downloads the same file.
    const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const saved = await download.path();
    expect(readFileSync(saved, "utf8")).toBe(csv.text);
  });

  it("pages through a long change log", async () => {
    const { page } = suite.browser;
    await page.goto(`/filters/${BRAKE.id}`);
    await visible(page.getByRole("heading", { level: 1, name: BRAKE.name }));
    await page.getByRole("button", { name: `Sync ${BRAKE.name}` }).click();
    const job = await jobEnded(BRAKE.id);
    expect(job.status).toBe("completed");
    const changes = job.total_added + job.total_skipped;
    expect(changes).toBe(BRAKE.persons);

    await page.goto(`/jobs/${job.id}`);
    await expect.poll(() => changeRows(page).count()).toBe(50);
    await visible(page.getByText(`Showing 50 of ${changes}`));
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => changeRows(page).count()).toBe(changes);
    await hidden(page.getByRole("button", { name: "Load more" }));
  });

  it("changes the mode and the schedule, and shows a refused value in place", async () => {
    const { page } = suite.browser;
    await page.goto(`/filters/${BRAKE.id}`);
    const modeSelect = page.getByLabel("Sync mode");
    await modeSelect.selectOption("additive");
    await visible(page.getByText("A sync adds and updates members, and never removes anyone from the list."));
    await expect.poll(async () => ((await (await api(`/api/filters/${BRAKE.id}`)).json()) as { mode: string }).mode).toBe(
      "additive",
    );

    const schedule = page.getByLabel("Schedule", { exact: true });
    const save = () => page.getByRole("button", { name: "Save schedule" }).click();
    await schedule.selectOption("Custom");
    const minutes = page.getByLabel("Custom interval in minutes");
    await minutes.fill("0");
    await save();
    const error = page.locator("#sync-schedule-error");
    await visible(error);
    expect(await error.innerText()).toContain("schedule_minutes must be between 1 and 10080");
    expect(await minutes.getAttribute("aria-invalid")).toBe("true");
    await screenshots(page, "33-settings-refused");

    await minutes.fill("60");
    await save();
    await visible(page.getByText(/Every hour\. Next sync in 1 hour\./));
    await hidden(error);
    // A custom 60 is the Hourly preset once saved.
    await expect.poll(() => schedule.inputValue()).toBe("hourly");

    // Back to what the brake test below needs: mirror mode, manual syncs only.
    await schedule.selectOption("Manual only");
    await save();
    await visible(page.getByText(/^Syncs only when you press Sync\.$/));
    await modeSelect.selectOption("mirror");
    await expect
      .poll(async () => (await (await api(`/api/filters/${BRAKE.id}`)).json()) as { mode: string; schedule_minutes: number | null })
      .toMatchObject({ mode: "mirror", schedule_minutes: null });
  });

  it("holds mass removals until they are confirmed", async () => {
    const { page } = suite.browser;
    const synced = await jobEnded(BRAKE.id);
    // Half the filter leaves it, half as many new persons join: far past the brake.
    await suite.stack.sandbox.shiftFilter(BRAKE.id, BRAKE.persons / 2);
    await page.goto(`/filters/${BRAKE.id}`);
    await page.getByRole("button", { name: `Sync ${BRAKE.name}` }).click();
    const braked = await jobEnded(BRAKE.id, synced.id);
    expect(braked.status).toBe("failed");
    expect(braked.error_message).toMatch(/^removal brake:/);
    expect(braked.total_held).toBeGreaterThan(20);
    const held = braked.total_held;

    const notice = page.getByRole("status").filter({ hasText: `${held} removals are waiting` });
    await visible(notice, JOB_TIMEOUT);
    const row = await newestRowShows(page, braked, "Failed");
    expect(row).toContain(`${held} held`);
    await screenshots(page, "34-brake-held");

    // The held removals can be looked at first.
    await notice.getByRole("link", { name: "Review them" }).click();
    await visible(page.getByRole("heading", { level: 1, name: `Sync job #${braked.id}` }));
    expect(await page.getByLabel("Action").inputValue()).toBe("held");
    await expect.poll(() => changeRows(page).count()).toBe(Math.min(held, 50));
    await page.goBack();

    // Cancel first: Escape closes the dialog and nothing starts.
    await notice.getByRole("button", { name: "Confirm removals" }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${held} contacts from the list?` });
    await visible(dialog);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await screenshots(page, "35-confirm-removals");
    await page.keyboard.press("Escape");
    await hidden(dialog);
    expect((await jobEnded(BRAKE.id)).id).toBe(braked.id);

    await notice.getByRole("button", { name: "Confirm removals" }).click();
    await dialog.getByRole("button", { name: "Remove them" }).click();
    await hidden(dialog);
    const confirmed = await jobEnded(BRAKE.id, braked.id);
    expect(confirmed).toMatchObject({ status: "completed", total_removed: held, total_held: 0 });
    await newestRowShows(page, confirmed, "Completed");
    const removed = page.locator("table.jobs-table tbody tr").first().locator('td[data-label="Removed"]');
    expect(await removed.innerText()).toBe(String(held));
    await hidden(notice);
    await screenshots(page, "36-removals-confirmed");
  });

  it("confirms held removals on the job's page, but only those of the newest sync", async () => {
    const { page } = suite.browser;
    const synced = await jobEnded(BRAKE.id);
    const older = await olderBrakeHeld(BRAKE.id, synced.id);
    await suite.stack.sandbox.shiftFilter(BRAKE.id, BRAKE.persons / 2);
    await page.goto(`/filters/${BRAKE.id}`);
    await page.getByRole("button", { name: `Sync ${BRAKE.name}` }).click();
    const braked = await jobEnded(BRAKE.id, synced.id);
    expect(braked).toMatchObject({ status: "failed", total_removed: 0 });
    expect(braked.total_held).toBeGreaterThan(20);
    const held = braked.total_held;
    const waiting = `${held} removals are waiting`;

    // The older brake-held job was worked out afresh since: its page offers no sync past the brake.
    await page.goto(`/jobs/${older.id}`);
    await visible(page.getByRole("heading", { level: 1, name: `Sync job #${older.id}` }));
    const settled = page.getByRole("status").filter({ hasText: "These removals no longer wait" });
    await visible(settled);
    await visible(settled.getByRole("link", { name: `Sync job #${braked.id}` }));
    expect(await page.getByRole("button", { name: "Confirm removals" }).count()).toBe(0);
    await screenshots(page, "37-job-brake-settled");

    // The newest one's page has the filter page's notice, without a link to itself.
    await page.goto(`/jobs/${braked.id}`);
    await visible(page.getByRole("heading", { level: 1, name: `Sync job #${braked.id}` }));
    const notice = page.getByRole("status").filter({ hasText: waiting });
    await visible(notice);
    expect(await notice.getByRole("link", { name: "Review them" }).count()).toBe(0);
    await page.getByLabel("Action").selectOption("held");
    await expect.poll(() => changeRows(page).count()).toBe(Math.min(held, 50));
    await screenshots(page, "38-job-brake-held");

    await notice.getByRole("button", { name: "Confirm removals" }).click();
    const dialog = page.getByRole("dialog", { name: `Remove ${held} contacts from the list?` });
    await visible(dialog);
    await dialog.getByRole("button", { name: "Remove them" }).click();
    // The page follows the sync it started, as the filter's page shows it in place.
    await page.waitForURL((url) => /^\/jobs\/\d+$/.test(url.pathname) && url.pathname !== `/jobs/${braked.id}`);
    const confirmed = await jobEnded(BRAKE.id, braked.id);
    expect(new URL(page.url()).pathname).toBe(`/jobs/${confirmed.id}`);
    expect(confirmed).toMatchObject({ status: "completed", total_removed: held, total_held: 0 });
    await visible(page.getByRole("heading", { level: 1, name: `Sync job #${confirmed.id}` }));
    await visible(page.getByText(`${held} members who left the filter were removed from the list.`), JOB_TIMEOUT);
    await hidden(page.getByRole("status").filter({ hasText: waiting }));
    await screenshots(page, "39-job-removals-confirmed");
  });
});

/** A filter name as a literal inside a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
