// Debian's Chromium driven by playwright-core (which ships no browser of its own).

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Locator, type Page } from "playwright-core";
import { inject } from "vitest";

import type { Stack } from "./stack";

export const DESKTOP = { width: 1280, height: 800 };
export const MOBILE = { width: 390, height: 844 };

export interface Browser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(stack: Stack): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), "pbs-chromium-"));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
    baseURL: stack.baseUrl,
    viewport: DESKTOP,
    locale: "en-GB",
    timezoneId: "UTC",
  });
  context.setDefaultTimeout(15_000);
  const page = context.pages()[0] ?? (await context.newPage());
  // A page error is a bug even when the test would pass.
  const pageErrors: string[] = [];
  page.on("pageerror", (error) => pageErrors.push(error.message));
  page.on("console", (message) => {
    // CSP violations surface as console errors. Chromium also logs every non-2xx fetch;
    // those are the API answering as the tests intend, and the tests check their display.
    if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
      pageErrors.push(message.text());
    }
  });
  return {
    context,
    page,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
      if (pageErrors.length > 0) throw new Error(`errors in the page:\n${pageErrors.join("\n")}`);
    },
  };
}

/** Saves the page at both widths into test-results/screenshots/NAME-{1280,390}.png. */
export async function screenshots(page: Page, name: string): Promise<void> {
  const dir = inject("e2e").screenshotDir;
  const original = page.viewportSize() ?? DESKTOP;
  for (const size of [DESKTOP, MOBILE]) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(dir, `${name}-${size.width}.png`), fullPage: true, animations: "disabled" });
  }
  await page.setViewportSize(original);
}

export async function signIn(page: Page, stack: Stack): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Password").fill(stack.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await visible(page.getByRole("heading", { level: 1, name: "Filters" }));
}

/** Loads the filters from the sandbox through the UI, as an operator would. */
export async function refreshFilters(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Refresh from Pipedrive" }).first().click();
  await visible(page.getByRole("status").filter({ hasText: "Filters refreshed from Pipedrive" }));
}

/** playwright-core has no `expect`; waiting for a state is the part of it these tests need. */
export const visible = (locator: Locator, timeout?: number) => locator.waitFor({ state: "visible", timeout });
export const hidden = (locator: Locator, timeout?: number) => locator.waitFor({ state: "hidden", timeout });
