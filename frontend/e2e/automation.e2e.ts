// Running unattended (DESIGN §9): the Pipedrive usage and the alerts beside the filters, a
// test alert to a receiver this file starts, and a scheduled sync held by the daily budget.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MOBILE, DESKTOP, screenshots, visible } from "./browser";
import { apiSession, setUpSuite } from "./stack";

/** Pipedrive tokens counted today, read from the usage line. */
const tokensIn = (line: string) => Number(/^([\d,]+) /.exec(line)?.[1]?.replace(/,/g, "") ?? NaN);

describe("usage and alerts, as the server starts by default", () => {
  // Refreshing the filters is the first Pipedrive call: today's count is above zero.
  const suite = setUpSuite("automation", { start: "filters-loaded" });

  it("shows today's Pipedrive tokens without a budget, and alerts off", async () => {
    const { page } = suite.browser;
    const usage = page.getByRole("region", { name: "Pipedrive API use" });
    const line = usage.locator(".usage-line");
    // The page may first show the count from before the refresh; the refresh then updates it.
    await expect.poll(async () => tokensIn(await line.innerText())).toBeGreaterThan(0);
    expect(await line.innerText()).toMatch(/^[\d,]+ tokens today · no budget set$/);
    expect(await usage.getByRole("img").getAttribute("aria-label")).toMatch(
      /^Pipedrive tokens per UTC day, last 30 days: [\d,]+ in all, .*; today [\d,]+\.$/,
    );

    const alerts = page.getByRole("region", { name: "Alerts" });
    expect(await alerts.locator(".alerts-line").innerText()).toBe("Alerts are off: set ALERT_WEBHOOK_URL");
    expect(await alerts.getByRole("button", { name: "Send test alert" }).isDisabled()).toBe(true);
    await screenshots(page, "60-automation-defaults");
  });

  it("stacks the panels on a 390 px wide phone without sideways scrolling", async () => {
    const { page } = suite.browser;
    await page.setViewportSize(MOBILE);
    try {
      const usage = await page.getByRole("region", { name: "Pipedrive API use" }).boundingBox();
      const alerts = await page.getByRole("region", { name: "Alerts" }).boundingBox();
      expect(usage && alerts && alerts.y >= usage.y + usage.height).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});

describe("alerts to a receiver, under a Pipedrive budget", () => {
  let receiver: AlertReceiver | undefined;
  beforeAll(async () => {
    receiver = await AlertReceiver.start();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  const hook = () => {
    if (!receiver) throw new Error("the alert receiver did not start");
    return receiver;
  };

  const ids = { fits: 0, held: 0 };
  const suite = setUpSuite("automation-alerts", {
    start: "signed-in",
    // The refresh costs 20 tokens and a first sync is estimated at 20: with 40 a day, the first
    // scheduled filter fits and runs, and once it has spent some, the second one cannot.
    env: () => ({ ALERT_WEBHOOK_URL: hook().url, PIPEDRIVE_DAILY_TOKEN_BUDGET: "40" }),
    // Through the API before the browser opens: the minute until the schedules are due starts now.
    seed: async (stack) => {
      const api = await apiSession(stack);
      const refreshed = await api("/api/filters/refresh", { method: "POST" });
      const { filters } = (await refreshed.json()) as { filters: { id: number; name: string }[] };
      const idOf = (name: string) => filters.find((filter) => filter.name === name)?.id ?? 0;
      ids.fits = idOf(SCHEDULED);
      ids.held = idOf(HELD);
      const everyMinute = async (id: number) => {
        const patched = await api(`/api/filters/${id}`, {
          method: "PATCH",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ schedule_minutes: 1 }),
        });
        if (!patched.ok) throw new Error(`scheduling filter ${id}: HTTP ${patched.status}`);
      };
      await everyMinute(ids.fits);
      // Due a few ticks later, so the first one has spent its first page by then.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      await everyMinute(ids.held);
    },
  });

  it("names the receiver by its host only, and today's tokens against the budget", async () => {
    const { page } = suite.browser;
    const alerts = page.getByRole("region", { name: "Alerts" });
    await visible(alerts.getByText("Alerts go to 127.0.0.1"));
    // The URL's path carries the webhook's token, as Slack's does: the dashboard never shows it.
    expect(await page.locator("body").innerText()).not.toContain(SECRET_PATH);

    const line = page.getByRole("region", { name: "Pipedrive API use" }).locator(".usage-line");
    await expect.poll(() => line.innerText()).toMatch(/^[\d,]+ of 40 tokens today$/);
    expect(tokensIn(await line.innerText())).toBeGreaterThan(0);
  });

  it("sends a test alert and says it arrived", async () => {
    const { page } = suite.browser;
    const alerts = page.getByRole("region", { name: "Alerts" });
    await alerts.getByRole("button", { name: "Send test alert" }).click();
    await visible(alerts.getByRole("status").filter({ hasText: "Test alert sent to 127.0.0.1" }));
    expect(hook().received).toEqual([
      expect.objectContaining({ event: "test", text: expect.stringMatching(/^Test alert from Pipedrive → Brevo Sync/) }),
    ]);
    expect(hook().paths).toEqual([SECRET_PATH]);
    await screenshots(page, "61-alert-test-sent");
  });

  it("shows the receiver's refusal in its own words", async () => {
    const { page } = suite.browser;
    hook().answer = { status: 404, body: "no_service" };
    try {
      const alerts = page.getByRole("region", { name: "Alerts" });
      await alerts.getByRole("button", { name: "Send test alert" }).click();
      const refusal = alerts.getByRole("alert");
      await visible(refusal);
      expect(await refusal.innerText()).toMatch(/127\.0\.0\.1 answered HTTP 404: no_service/);
      await screenshots(page, "62-alert-test-refused");
    } finally {
      hook().answer = OK;
    }
  });

  it("runs one scheduled sync, holds the next until tomorrow's budget, and says why", { timeout: 120_000 }, async () => {
    const { page } = suite.browser;
    const api = await apiSession(suite.stack);
    const filter = async (id: number) =>
      (await (await api(`/api/filters/${id}`)).json()) as { schedule_hold: unknown; last_job: { trigger: string } | null };
    // Due a minute after the seed scheduled them; the scheduler ticks every second.
    await expect.poll(async () => (await filter(ids.held)).schedule_hold, { timeout: 90_000, interval: 1000 }).toBeTruthy();
    expect((await filter(ids.fits)).last_job?.trigger).toBe("schedule");
    expect((await filter(ids.held)).last_job).toBeNull();

    await page.goto("/");
    const row = (name: string) => page.getByRole("row", { name: new RegExp(name) });
    await expect.poll(() => row(SCHEDULED).locator('td[data-label="Last sync"]').innerText()).toMatch(/Scheduled/);
    const nextRun = row(HELD).locator('td[data-label="Next run"]');
    expect(await nextRun.innerText()).toBe("held until 00:00 UTC");
    const reason = await nextRun.locator("time").getAttribute("title");
    expect(reason).toMatch(/^Pipedrive budget: \d+ of today's 40 tokens are spent/);
    await screenshots(page, "63-filters-schedule-held");

    await page.getByRole("link", { name: HELD }).click();
    const notice = page.getByRole("status").filter({ hasText: "Waiting for tomorrow’s Pipedrive budget" });
    await visible(notice);
    expect(await notice.innerText()).toContain("The scheduled sync runs at 00:00 UTC");
    expect(await notice.innerText()).toContain(reason ?? "a reason");
    await screenshots(page, "64-filter-schedule-held");
  });
});

const SCHEDULED = "Trade show leads 2026";
const HELD = "Enterprise customers";
const SECRET_PATH = "/services/T0000/B0000/e2e-webhook-token";
const OK = { status: 200, body: "ok" };

/** A stand-in for a chat's incoming webhook, like svix's TestReceiver: it records and answers. */
class AlertReceiver {
  /** Each POSTed body, parsed as JSON, in order. */
  readonly received: unknown[] = [];
  readonly paths: string[] = [];
  /** What it answers next; Slack answers 200 "ok". */
  answer = OK;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<AlertReceiver> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const receiver = new AlertReceiver(server, `http://127.0.0.1:${port}${SECRET_PATH}`);
    server.on("request", (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        receiver.paths.push(request.url ?? "");
        receiver.received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        response.writeHead(receiver.answer.status, { "Content-Type": "text/plain" }).end(receiver.answer.body);
      });
    });
    return receiver;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
