// Syncing: a job followed live to its end, a failure explained, and a second start refused.

import { describe, expect, it } from "vitest";

import { screenshots, visible } from "./browser";
import { apiSession, setUpSuite } from "./stack";

/** Long enough for 1,200 persons through the sandbox with added latency. */
const JOB_TIMEOUT = 45_000;

describe("syncing a filter", () => {
  const suite = setUpSuite("sync", { start: "filters-loaded" });

  it("syncs a filter and follows it live until it completes", async () => {
    const { page } = suite.browser;
    // Slow upstream answers make the running state long enough to watch.
    await suite.stack.sandbox.latency(300);
    try {
      await page.getByRole("button", { name: "Sync Newsletter subscribers — EU" }).click();
      const running = page.getByRole("button", { name: "Syncing… Newsletter subscribers — EU" });
      await visible(running);
      expect(await running.isDisabled()).toBe(true);
      expect(await page.getByRole("row", { name: /Newsletter subscribers — EU/ }).innerText()).toContain("Syncing");

      await page.getByRole("link", { name: "Newsletter subscribers — EU" }).click();
      const live = page.getByRole("region", { name: "Sync in progress" });
      await visible(live);
      await screenshots(page, "20-sync-running");

      // The panel goes once the job ends; the history then shows the outcome and the counts.
      await live.waitFor({ state: "detached", timeout: JOB_TIMEOUT });
      const newest = page.locator("table.jobs-table tbody tr").first();
      expect(await newest.innerText()).toContain("Completed");
      expect(await newest.innerText()).toContain("1,200");
      // Named as the service created it in Brevo.
      await visible(page.getByText(/^Syncs into Brevo list “Newsletter subscribers — EU” \(\d+\)$/));
      await screenshots(page, "21-sync-completed");

      await page.getByRole("link", { name: "All filters" }).click();
      const row = page.getByRole("row", { name: /Newsletter subscribers — EU/ });
      await expect.poll(() => row.innerText()).toContain("Completed");
      // The list by its Brevo name, its id beneath.
      expect(await row.locator('td[data-label="Brevo list"]').innerText()).toMatch(
        /^Newsletter subscribers — EU\s+List \d+$/,
      );
      await screenshots(page, "22-filters-after-sync");
    } finally {
      await suite.stack.sandbox.latency(0);
    }
  });

  it("shows why a sync failed, in full", async () => {
    const { page } = suite.browser;
    await suite.stack.sandbox.fault({
      api: "pipedrive",
      path_prefix: "/api/v2/persons",
      fault: {
        kind: "status",
        status: 403,
        body: '{"success":false,"error":"You do not have permission to view these persons","errorCode":403}',
      },
      always: true,
    });
    try {
      await page.goto("/");
      await page.getByRole("link", { name: "Trade show leads 2026" }).click();
      await visible(page.getByText("No syncs yet"));
      await page.getByRole("button", { name: "Sync Trade show leads 2026" }).click();

      const reason = page.getByText(/^Why job #\d+ failed$/);
      await visible(reason, JOB_TIMEOUT);
      const text = await page.locator(".job-error-text").first().innerText();
      // The server's message names the API and the status; the page shows all of it.
      expect(text).toMatch(/Pipedrive/i);
      expect(text).toContain("403");
      expect(await page.locator("table.jobs-table tbody tr").first().innerText()).toContain("Failed");
      await screenshots(page, "23-sync-failed");

      await page.getByRole("link", { name: "All filters" }).click();
      const row = page.getByRole("row", { name: /Trade show leads 2026/ });
      await expect.poll(() => row.innerText()).toContain("Failed");
    } finally {
      await suite.stack.sandbox.clearFaults();
    }
  });

  it("refuses a second sync while one runs, and names the running job", async () => {
    const { page } = suite.browser;
    const api = await apiSession(suite.stack);
    await suite.stack.sandbox.latency(1500);
    try {
      await page.goto("/");
      const button = page.getByRole("button", { name: "Sync Enterprise customers" });
      await visible(button);
      expect(await button.isEnabled()).toBe(true);

      // Another operator (or a script) starts the same filter; this page has not seen it yet.
      const started = await api("/api/filters/3/sync", { method: "POST" });
      expect(started.status).toBe(202);
      const job = (await started.json()) as { id: number; status: string };
      expect(job.status).toBe("processing");
      expect(started.headers.get("Location")).toBe(`/api/sync-jobs/${job.id}`);

      // The API refuses a double start outright…
      const again = await api("/api/filters/3/sync", { method: "POST" });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { job_id?: number }).job_id).toBe(job.id);

      // …and the dashboard explains it and catches up.
      await button.click();
      const alert = page.getByRole("alert").filter({ hasText: "Could not start a sync of “Enterprise customers”" });
      await visible(alert);
      expect(await alert.innerText()).toContain(`already running (job #${job.id})`);
      await visible(alert.getByRole("link", { name: "Follow its progress" }));
      await visible(page.getByRole("button", { name: "Syncing… Enterprise customers" }));
      await screenshots(page, "24-sync-conflict");

      await suite.stack.sandbox.latency(0);
      await expect
        .poll(async () => ((await (await api(`/api/sync-jobs/${job.id}`)).json()) as { status: string }).status, {
          timeout: JOB_TIMEOUT,
        })
        .not.toBe("processing");
    } finally {
      await suite.stack.sandbox.latency(0);
    }
  });
});
