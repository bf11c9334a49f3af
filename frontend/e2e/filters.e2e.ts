// The filters list: loading it from Pipedrive, deleted filters, a filter's (empty) history,
// and the narrow layout. None of this needs the sync endpoint.

import { describe, expect, it } from "vitest";

import { MOBILE, DESKTOP, hidden, refreshFilters, screenshots, visible } from "./browser";
import { setUpSuite } from "./stack";

const SEEDED = [
  "All contacts",
  "Edge cases (sandbox)",
  "Enterprise customers",
  "Newsletter subscribers — EU",
  "Trade show leads 2026",
  "Webinar attendees (changes every 30 s)",
];

describe("filters", () => {
  const suite = setUpSuite("filters", { start: "signed-in" });

  const rowNames = () => suite.browser.page.locator("table.filters-table tbody th[scope=row] a").allInnerTexts();

  it("starts empty and offers to load the filters", async () => {
    const { page } = suite.browser;
    await visible(page.getByText("No filters yet"));
    await screenshots(page, "10-filters-empty");
  });

  it("refreshes from Pipedrive and shows what changed", async () => {
    const { page } = suite.browser;
    await refreshFilters(page);
    const summary = page.getByRole("status").filter({ hasText: "Filters refreshed from Pipedrive" });
    expect(await summary.innerText()).toMatch(/6\s+new/);
    expect((await rowNames()).sort()).toEqual(SEEDED);
    await visible(page.getByRole("heading", { name: "6 filters" }));
    // Never synced yet: no list, no job, and every Sync button ready.
    const row = page.getByRole("row", { name: /Trade show leads 2026/ });
    expect(await row.innerText()).toContain("Never synced");
    expect(await row.innerText()).toContain("Created on first sync");
    expect(await page.getByRole("button", { name: "Sync Trade show leads 2026" }).isEnabled()).toBe(true);
    await screenshots(page, "11-filters-refreshed");

    await page.getByRole("button", { name: "Dismiss" }).click();
    await hidden(summary);
  });

  it("hides filters deleted in Pipedrive until asked to show them", async () => {
    const { page } = suite.browser;
    await suite.stack.sandbox.removeFilter(3);
    await refreshFilters(page);
    expect(await page.getByRole("status").filter({ hasText: "refreshed" }).innerText()).toMatch(/1\s+deleted/);
    expect(await rowNames()).not.toContain("Enterprise customers");

    // The switch is a labelled checkbox: operable from the keyboard.
    const toggle = page.getByRole("switch", { name: "Show deleted filters" });
    await toggle.focus();
    await page.keyboard.press("Space");
    await expect.poll(() => toggle.isChecked()).toBe(true);
    const deletedRow = page.getByRole("row", { name: /Enterprise customers/ });
    await visible(deletedRow);
    expect(await deletedRow.innerText()).toContain("Deleted in Pipedrive");
    // A deleted filter never syncs, so it has no next run, not even "Manual".
    expect(await deletedRow.locator('td[data-label="Next run"]').innerText()).toBe("");
    expect(await page.getByRole("button", { name: "Sync Enterprise customers" }).isDisabled()).toBe(true);
    expect(new URL(page.url()).search).toBe("?deleted=show");
    await screenshots(page, "12-filters-with-deleted");

    await toggle.click();
    await hidden(deletedRow);

    // It comes back when Pipedrive has it again.
    await suite.stack.sandbox.addFilter(3, "Enterprise customers", 80);
    await refreshFilters(page);
    expect(await page.getByRole("status").filter({ hasText: "refreshed" }).innerText()).toMatch(/1\s+restored/);
    expect(await rowNames()).toContain("Enterprise customers");
  });

  it("explains a Pipedrive failure and changes nothing", async () => {
    const { page } = suite.browser;
    await suite.stack.sandbox.fault({
      api: "pipedrive",
      path_prefix: "/api/v1/filters",
      fault: { kind: "status", status: 401, body: '{"success":false,"error":"unauthorized access","errorCode":401}' },
      always: true,
    });
    try {
      await page.getByRole("button", { name: "Refresh from Pipedrive" }).click();
      const alert = page.getByRole("alert").filter({ hasText: "Could not refresh from Pipedrive" });
      await visible(alert);
      expect(await alert.innerText()).toMatch(/Pipedrive/);
      expect((await rowNames()).sort()).toEqual(SEEDED);
      await screenshots(page, "13-refresh-failed");
    } finally {
      await suite.stack.sandbox.clearFaults();
    }
  });

  it("opens a filter with no history yet", async () => {
    const { page } = suite.browser;
    await page.getByRole("link", { name: "Trade show leads 2026" }).click();
    await visible(page.getByRole("heading", { level: 1, name: "Trade show leads 2026" }));
    await visible(page.getByText("No syncs yet"));
    expect(await page.getByText("Its Brevo list is created on the first sync").isVisible()).toBe(true);
    expect(await page.title()).toBe("Trade show leads 2026 · Pipedrive → Brevo Sync");
    await screenshots(page, "14-filter-no-history");

    await page.getByRole("link", { name: "All filters" }).click();
    await visible(page.getByRole("heading", { level: 1, name: "Filters" }));
  });

  it("says when a filter does not exist", async () => {
    const { page } = suite.browser;
    await page.goto("/filters/987654");
    await visible(page.getByRole("heading", { level: 1, name: "Filter not found" }));
    await page.goto("/filters/not-a-number");
    await visible(page.getByRole("heading", { level: 1, name: "Filter not found" }));
    await page.goto("/no/such/page");
    await visible(page.getByRole("heading", { level: 1, name: "Page not found" }));
  });

  it("schedules a filter by preset or in minutes, and shows its next run in the list", async () => {
    const { page } = suite.browser;
    const schedule = page.getByLabel("Schedule", { exact: true });
    const minutes = page.getByLabel("Custom interval in minutes");
    const help = page.locator("#sync-schedule-help");
    const nextRun = page.getByRole("row", { name: /All contacts/ }).locator('td[data-label="Next run"]');
    const chosen = () => schedule.locator("option:checked").innerText();
    const save = async () => {
      await page.getByRole("button", { name: "Save schedule" }).click();
      await visible(page.getByText("Saved", { exact: true }));
    };
    const openFilter = async () => {
      await page.goto("/");
      await page.getByRole("link", { name: "All contacts" }).click();
      await visible(page.getByRole("heading", { level: 1, name: "All contacts" }));
    };
    const openList = async () => {
      await page.getByRole("link", { name: "All filters" }).click();
      await visible(page.getByRole("heading", { level: 1, name: "Filters" }));
    };

    await page.goto("/");
    expect(await nextRun.innerText()).toBe("Manual");

    // A preset, chosen from the keyboard.
    await openFilter();
    expect(await chosen()).toBe("Manual only");
    await schedule.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await chosen()).toBe("Hourly");
    expect(await minutes.count()).toBe(0);
    await save();
    await expect.poll(() => help.innerText()).toBe("Every hour. Next sync in 1 hour.");
    await page.reload();
    await visible(help.getByText("Next sync in 1 hour", { exact: false }));
    expect(await chosen()).toBe("Hourly");
    await screenshots(page, "15-filter-schedule-hourly");

    await openList();
    expect(await nextRun.innerText()).toBe("in 1 hour");
    // The exact time on hover, in the operator's zone (UTC in these tests).
    expect(await nextRun.locator("time").getAttribute("title")).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}$/);
    await screenshots(page, "16-filters-next-run");

    // Any other interval in minutes; the stored one stays Custom.
    await openFilter();
    await schedule.selectOption("Custom");
    expect(await minutes.inputValue()).toBe("60");
    await minutes.fill("30");
    await save();
    await expect
      .poll(() => help.innerText())
      .toBe("Every 30 minutes. Next sync in 30 minutes. A custom interval is 1 to 10,080 minutes (a week).");
    await page.reload();
    await visible(minutes);
    expect(await chosen()).toBe("Custom");
    expect(await minutes.inputValue()).toBe("30");
    await screenshots(page, "17-filter-schedule-custom");
    await openList();
    expect(await nextRun.innerText()).toBe("in 30 minutes");

    // And back to syncing by hand.
    await openFilter();
    await schedule.selectOption("Manual only");
    await hidden(minutes);
    await save();
    await expect.poll(() => help.innerText()).toBe("Syncs only when you press Sync.");
    await page.reload();
    await visible(schedule);
    expect(await chosen()).toBe("Manual only");
    await openList();
    expect(await nextRun.innerText()).toBe("Manual");
  });

  it("fits a 390 px wide phone without sideways scrolling", async () => {
    const { page } = suite.browser;
    await page.setViewportSize(MOBILE);
    try {
      await page.goto("/");
      await visible(page.getByRole("row", { name: /Trade show leads 2026/ }));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      // Rows stack as cards: the column headers give way to per-value labels.
      expect(await page.locator("table.filters-table thead").boundingBox().then((box) => box?.height ?? 0)).toBeLessThanOrEqual(1);
      const button = page.getByRole("button", { name: "Sync Trade show leads 2026" });
      const box = await button.boundingBox();
      expect(box && box.width > 300).toBe(true);
      expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);

      await page.getByRole("link", { name: "Trade show leads 2026" }).click();
      await visible(page.getByText("No syncs yet"));
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});
