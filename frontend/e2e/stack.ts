// Starts the real server and the upstream sandbox as child processes, each test file its own
// pair: a fresh database and fresh upstream data keep the files independent (and let one file
// throttle sign-ins without locking the others out).

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, inject } from "vitest";

import { openBrowser, refreshFilters, signIn, type Browser } from "./browser";

export const ADMIN_PASSWORD = "e2e-operator-password";
const PIPEDRIVE_TOKEN = "sandbox-pipedrive-token";
const BREVO_KEY = "sandbox-brevo-key";

export interface Stack {
  /** The dashboard and API, e.g. http://127.0.0.1:41234 */
  baseUrl: string;
  /** The sandbox's origin; its control API is under /__sandbox/. */
  sandboxUrl: string;
  password: string;
  sandbox: SandboxControl;
  stop(): Promise<void>;
}

/** A test suite's own stack and browser, to read in its tests (see `setUpSuite`). */
export interface Suite {
  readonly stack: Stack;
  readonly browser: Browser;
}

export interface SuiteOptions {
  /** How far the browser gets before the first test: opened, signed in, or with the filters loaded. */
  start: "open" | "signed-in" | "filters-loaded";
  /** Prepares the sandbox (or the server, through the API) before the browser opens. */
  seed?: (stack: Stack) => Promise<void>;
  /**
   * More environment for the server, e.g. ALERT_WEBHOOK_URL. A function, read in `beforeAll`,
   * so that it can name what the suite's earlier `beforeAll` started (a receiver's port).
   */
  env?: () => Record<string, string>;
}

/**
 * Starts the suite's stack and browser in `beforeAll` and stops them in `afterAll`: the
 * browser first (its page errors fail the suite), then the stack even when that throws.
 * Call it inside `describe`; `name` names the logs in test-results/logs/.
 */
export function setUpSuite(name: string, { start, seed, env }: SuiteOptions): Suite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = await startStack(name, env?.());
    await seed?.(stack);
    browser = await openBrowser(stack);
    if (start === "open") return;
    await signIn(browser.page, stack);
    if (start === "filters-loaded") await refreshFilters(browser.page);
  });
  afterAll(async () => {
    try {
      await browser?.close();
    } finally {
      await stack?.stop();
    }
  });
  // Read in a test, never at collection time: beforeAll has set both by then, or failed the suite.
  const ready = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error(`the ${name} suite is not set up`);
    return value;
  };
  return {
    get stack() {
      return ready(stack);
    },
    get browser() {
      return ready(browser);
    },
  };
}

/** `env` is added to (and may override) the server's test settings. */
export async function startStack(name: string, env: Record<string, string> = {}): Promise<Stack> {
  const { serverBin, sandboxBin, distDir, runDir, logDir } = inject("e2e");
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopChild));
  };
  try {
    const sandboxPort = await freePort();
    const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    children.push(
      launch(sandboxBin, ["--bind", `127.0.0.1:${sandboxPort}`], {}, join(logDir, `${name}-sandbox.log`), runDir),
    );
    await waitForOk(`${sandboxUrl}/__sandbox/state`, "the upstream sandbox");

    const serverPort = await freePort();
    const baseUrl = `http://127.0.0.1:${serverPort}`;
    const dataDir = mkdtempSync(join(runDir, `${name}-data-`));
    children.push(
      launch(
        serverBin,
        [],
        {
          DATABASE_URL: `sqlite:${join(dataDir, "app.db")}`,
          BIND_ADDR: `127.0.0.1:${serverPort}`,
          ADMIN_PASSWORD,
          STATIC_DIR: distDir,
          PIPEDRIVE_BASE_URL: sandboxUrl,
          PIPEDRIVE_API_TOKEN: PIPEDRIVE_TOKEN,
          BREVO_BASE_URL: sandboxUrl,
          BREVO_API_KEY: BREVO_KEY,
          // What ./scripts/run.sh sets when it starts the sandbox: the dashboard says so.
          SANDBOX_MODE: "true",
          ...env,
        },
        join(logDir, `${name}-server.log`),
        runDir,
        // Its own working directory, so a developer's .env cannot leak into the test.
        dataDir,
      ),
    );
    await waitForOk(`${baseUrl}/api/health`, "the server");
    return { baseUrl, sandboxUrl, password: ADMIN_PASSWORD, sandbox: new SandboxControl(sandboxUrl), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function launch(
  bin: string,
  args: string[],
  env: Record<string, string>,
  logFile: string,
  runDir: string,
  cwd?: string,
): ChildProcess {
  const log = openSync(logFile, "w");
  const child = spawn(bin, args, {
    cwd,
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "info", ...env },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  if (child.pid !== undefined) {
    // The global teardown kills whatever is still listed here, even if this worker crashed.
    const pids = join(runDir, "pids");
    mkdirSync(pids, { recursive: true });
    writeFileSync(join(pids, String(child.pid)), bin);
    child.once("exit", () => rmSync(join(pids, String(child.pid)), { force: true }));
  }
  child.once("error", (error) => console.error(`could not start ${bin}: ${error.message}`));
  // If the worker itself exits, take the children along.
  process.once("exit", () => child.kill("SIGKILL"));
  return child;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

/** Asks the OS for a free port; the tiny race until the binary binds it is acceptable here. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForOk(url: string, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not become ready at ${url} within ${timeoutMs} ms (${last}); see test-results/logs/`);
}

export interface FaultSpec {
  api: "pipedrive" | "brevo";
  path_prefix: string;
  fault: Record<string, unknown>;
  times?: number;
  always?: boolean;
}

/** The sandbox's control API (see backend/upstream-sandbox/README.md). */
export class SandboxControl {
  constructor(private readonly origin: string) {}

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await fetch(`${this.origin}/__sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`sandbox ${method} ${path}: HTTP ${response.status} ${await response.text()}`);
    return response;
  }

  reset = () => this.call("POST", "/reset");
  addFilter = (id: number, name: string, count: number) => this.call("POST", "/filters", { id, name, count });
  /** A generated filter's first `persons` leave it and as many new ones join. */
  shiftFilter = (id: number, persons: number) => this.call("POST", `/filters/${id}/shift`, { persons });
  removeFilter = (id: number) => this.call("DELETE", `/filters/${id}`);
  fault = (spec: FaultSpec) => this.call("POST", "/faults", spec);
  clearFaults = () => this.call("DELETE", "/faults");
  latency = (ms: number) => this.call("POST", "/latency", { ms });
  /** Changes a person wherever it appears; `custom_fields` by key, in Pipedrive's v2 shape. */
  editPerson = (id: number, patch: Record<string, unknown>) => this.call("PATCH", `/persons/${id}`, patch);
  /** Deletes a custom person field, as an admin could in Pipedrive. */
  deletePersonField = (key: string) => this.call("DELETE", `/person-fields/${encodeURIComponent(key)}`);

  /**
   * A Brevo list's contacts with their attributes. The control API lists members' emails
   * only, so this asks the sandbox's Brevo API (getContactsFromList) with the test's key.
   */
  async listContacts(listId: number): Promise<BrevoContact[]> {
    const response = await fetch(`${this.origin}/v3/contacts/lists/${listId}/contacts?limit=500`, {
      headers: { "api-key": BREVO_KEY, Accept: "application/json" },
    });
    if (!response.ok) throw new Error(`sandbox Brevo list ${listId}: HTTP ${response.status} ${await response.text()}`);
    return ((await response.json()) as { contacts: BrevoContact[] }).contacts;
  }
}

export interface BrevoContact {
  email: string;
  listIds: number[];
  attributes: Record<string, unknown>;
}

/** A session for calling the API from the test itself (outside the browser). */
export async function apiSession(stack: Stack): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const login = await fetch(`${stack.baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ password: stack.password }),
  });
  if (login.status !== 204) throw new Error(`sign-in for the test failed: HTTP ${login.status}`);
  const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return (path, init = {}) =>
    fetch(`${stack.baseUrl}${path}`, { ...init, headers: { ...(init.headers ?? {}), Cookie: cookie } });
}
