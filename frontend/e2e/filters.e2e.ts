// The filters list: loading it from Pipedrive, deleted filters, a filter's (empty) history,
// and the narrow layout. None of this needs the sync endpoint.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MOBILE, DESKTOP, hidden, openBrowser, refreshFilters, screenshots, signIn, visible, type Browser } from "./browser";
import { startStack, type Stack } from "./stack";

const SEEDED = [
  "All contacts",
  "Edge cases (sandbox)",
  "Enterprise customers",
  "Newsletter subscribers — EU",
  "Trade show leads 2026",
  "Webinar attendees (changes every 30 s)",
];

describe("filters", () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack("filters");
    browser = await openBrowser(stack);
    await signIn(browser.page, stack);
  });

  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await stack?.stop();
    }
  });

  const rowNames = () => browser.page.locator("table.filters-table tbody th[scope=row] a").allInnerTexts();

  it("starts empty and offers to load the filters", async () => {
    const { page } = browser;
    await visible(page.getByText("No filters yet"));
    await screenshots(page, "10-filters-empty");
  });

  it("refreshes from Pipedrive and shows what changed", async () => {
    const { page } = browser;
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
    const { page } = browser;
    await stack.sandbox.removeFilter(3);
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
    expect(await page.getByRole("button", { name: "Sync Enterprise customers" }).isDisabled()).toBe(true);
    expect(new URL(page.url()).search).toBe("?deleted=show");
    await screenshots(page, "12-filters-with-deleted");

    await toggle.click();
    await hidden(deletedRow);

    // It comes back when Pipedrive has it again.
    await stack.sandbox.addFilter(3, "Enterprise customers", 80);
    await refreshFilters(page);
    expect(await page.getByRole("status").filter({ hasText: "refreshed" }).innerText()).toMatch(/1\s+restored/);
    expect(await rowNames()).toContain("Enterprise customers");
  });

  it("explains a Pipedrive failure and changes nothing", async () => {
    const { page } = browser;
    await stack.sandbox.fault({
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
      await stack.sandbox.clearFaults();
    }
  });

  it("opens a filter with no history yet", async () => {
    const { page } = browser;
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
    const { page } = browser;
    await page.goto("/filters/987654");
    await visible(page.getByRole("heading", { level: 1, name: "Filter not found" }));
    await page.goto("/filters/not-a-number");
    await visible(page.getByRole("heading", { level: 1, name: "Filter not found" }));
    await page.goto("/no/such/page");
    await visible(page.getByRole("heading", { level: 1, name: "Page not found" }));
  });

  it("fits a 390 px wide phone without sideways scrolling", async () => {
    const { page } = browser;
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
