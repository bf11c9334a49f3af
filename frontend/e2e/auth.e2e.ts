// Sign-in, sign-out and what happens around them.

import { describe, expect, it } from "vitest";

import { screenshots, signIn, visible } from "./browser";
import { setUpSuite } from "./stack";

describe("signing in and out", () => {
  const suite = setUpSuite("auth", { start: "open" });

  it("sends a visitor without a session to the sign-in page", async () => {
    const { page } = suite.browser;
    await page.goto("/");
    await page.waitForURL("**/login");
    await visible(page.getByRole("heading", { name: "Pipedrive → Brevo Sync" }));
    expect(await page.title()).toBe("Sign in · Pipedrive → Brevo Sync");
    // The favicon is a real file under the server's CSP, not a data: URL.
    expect(await page.locator('link[rel="icon"]').getAttribute("href")).toBe("/favicon.svg");
    expect((await page.request.get("/favicon.svg")).headers()["content-type"]).toContain("svg");
    // The stack runs against the upstream sandbox, as ./scripts/run.sh does without credentials.
    const strip = page.getByRole("note", { name: "Sandbox mode" });
    await visible(strip);
    expect(await strip.innerText()).toContain("Sandbox — not connected to your Pipedrive/Brevo");
    await screenshots(page, "01-login");
  });

  it("says so when the password is wrong", async () => {
    const { page } = suite.browser;
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await visible(alert);
    expect(await alert.innerText()).toContain("That password is not correct");
    expect(await page.getByLabel("Password").getAttribute("aria-invalid")).toBe("true");
    await screenshots(page, "02-login-wrong-password");
  });

  it("signs in with the keyboard alone and lands on the filters", async () => {
    const { page } = suite.browser;
    await page.goto("/login");
    await visible(page.getByLabel("Password"));
    // The field has focus on arrival; Enter submits the form.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("password");
    await page.keyboard.type(suite.stack.password);
    await page.keyboard.press("Enter");
    await visible(page.getByRole("heading", { level: 1, name: "Filters" }));
    expect(new URL(page.url()).pathname).toBe("/");
    expect(await page.title()).toBe("Filters · Pipedrive → Brevo Sync");
    await visible(page.getByRole("note", { name: "Sandbox mode" }));
  });

  it("signs out, and the session is gone", async () => {
    const { page } = suite.browser;
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/login");
    await visible(page.getByRole("status").filter({ hasText: "You have signed out." }));
    await screenshots(page, "03-signed-out");
    // The server forgot the session: the dashboard sends us back to sign in.
    expect((await page.request.get("/api/auth/me")).status()).toBe(401);
    await page.goto("/");
    await page.waitForURL("**/login");
  });

  it("returns to the page asked for after signing in", async () => {
    const { page } = suite.browser;
    await page.goto("/filters/42");
    await page.waitForURL("**/login?next=%2Ffilters%2F42");
    await page.getByLabel("Password").fill(suite.stack.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL("**/filters/42");
    // No filters are loaded yet, so this one does not exist.
    await visible(page.getByRole("heading", { level: 1, name: "Filter not found" }));
  });

  it("explains an ended session when an API call is refused", async () => {
    const { page, context } = suite.browser;
    await signIn(page, suite.stack);
    // The filters' first load must be over first: answered 401, it would leave for the
    // sign-in page on its own, and the click below would wait for a button that is gone.
    await visible(page.getByText("No filters yet"));
    // Sign out behind the page's back, then act: the next call answers 401.
    await context.request.post("/api/auth/logout");
    await page.getByRole("button", { name: "Refresh from Pipedrive" }).first().click();
    await page.waitForURL("**/login");
    await visible(page.getByRole("status").filter({ hasText: "Your session has ended" }));
  });
});

describe("sign-in throttling", () => {
  // Its own server: after this test every sign-in from 127.0.0.1 is refused for a while.
  const suite = setUpSuite("throttle", { start: "open" });

  it("tells the operator how long to wait, from Retry-After", async () => {
    const { page } = suite.browser;
    let throttled = false;
    for (let attempt = 0; attempt < 30 && !throttled; attempt++) {
      const response = await page.request.post("/api/auth/login", { data: { password: `wrong-${attempt}` } });
      throttled = response.status() === 429;
    }
    expect(throttled).toBe(true);

    await page.goto("/login");
    await page.getByLabel("Password").fill(suite.stack.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "Sign-in paused" });
    await visible(alert);
    expect(await alert.innerText()).toMatch(/Too many failed sign-ins\. Try again in \d+ (minutes?|seconds?)\./);
    // Trying again before then cannot succeed, so the button waits too.
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
    await screenshots(page, "04-login-throttled");
  });
});
