import { defineConfig } from "vitest/config";

// Browser tests against the real server: see e2e/global-setup.ts and e2e/stack.ts.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/global-setup.ts"],
    environment: "node",
    // One file at a time: each starts its own server, sandbox and Chromium, and a 2-core CI
    // machine is slower at three of each than at one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 90_000,
    // A test that fails on a slow machine must fail for a reason, not be retried into passing.
    retry: 0,
  },
});
