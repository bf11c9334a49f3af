// Runs once per `npm run e2e`: builds the dashboard when its sources are newer than dist/,
// checks that the two binaries exist, and afterwards kills every child process a test file
// may have left behind (a crashed worker cannot clean up after itself).

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

export interface E2eContext {
  serverBin: string;
  sandboxBin: string;
  distDir: string;
  runDir: string;
  logDir: string;
  screenshotDir: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    e2e: E2eContext;
  }
}

const root = fileURLToPath(new URL("..", import.meta.url));

export default function setup(project: TestProject) {
  const targetDir = process.env.CARGO_TARGET_DIR
    ? resolve(process.env.CARGO_TARGET_DIR)
    : resolve(root, "../target");
  const serverBin = resolve(process.env.SERVER_BIN ?? join(targetDir, "debug/pipedrive-brevo-sync"));
  const sandboxBin = resolve(process.env.SANDBOX_BIN ?? join(targetDir, "debug/upstream-sandbox"));
  for (const [name, bin, envVar] of [
    ["server", serverBin, "SERVER_BIN"],
    ["upstream sandbox", sandboxBin, "SANDBOX_BIN"],
  ] as const) {
    if (!existsSync(bin)) {
      throw new Error(`The ${name} binary is missing at ${bin}. Run \`cargo build --bins\` in the repository root, or set ${envVar}.`);
    }
  }

  const distDir = resolve(root, "dist");
  buildIfStale(distDir);

  const results = resolve(root, "test-results");
  const logDir = join(results, "logs");
  const screenshotDir = join(results, "screenshots");
  rmSync(logDir, { recursive: true, force: true });
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  mkdirSync(screenshotDir, { recursive: true });
  const runDir = mkdtempSync(join(tmpdir(), "pbs-e2e-"));

  project.provide("e2e", { serverBin, sandboxBin, distDir, runDir, logDir, screenshotDir });

  return () => {
    killLeftovers(join(runDir, "pids"));
    rmSync(runDir, { recursive: true, force: true });
  };
}

function buildIfStale(distDir: string) {
  const index = join(distDir, "index.html");
  const builtAt = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = ["src", "public", "index.html", "vite.config.ts", "package-lock.json"].map((p) => resolve(root, p));
  if (builtAt > 0 && newestMtime(sources) <= builtAt) return;
  console.log("[e2e] building the dashboard (dist/ is missing or older than its sources)…");
  const build = spawnSync(process.execPath, [resolve(root, "node_modules/vite/bin/vite.js"), "build"], {
    cwd: root,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("vite build failed");
}

function newestMtime(paths: string[]): number {
  let newest = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) {
      newest = Math.max(newest, newestMtime(readdirSync(path).map((entry) => join(path, entry))));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  }
  return newest;
}

function killLeftovers(pidDir: string) {
  if (!existsSync(pidDir)) return;
  for (const entry of readdirSync(pidDir)) {
    const pid = Number(entry);
    try {
      process.kill(pid, "SIGKILL");
      console.warn(`[e2e] killed leftover process ${pid}`);
    } catch {
      // Already gone.
    }
  }
}
