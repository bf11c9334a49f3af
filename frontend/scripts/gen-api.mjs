#!/usr/bin/env node
// Generates src/api/schema.d.ts from ../openapi.yaml (the contract the backend generates from
// its code). With --check it writes to a temporary file instead and fails when the committed
// file differs, so stale client types cannot reach main.
//
//   npm run gen:api     regenerate (commit the result)
//   npm run check:api   compare only (CI)

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const spec = resolve(root, "../openapi.yaml");
const committed = resolve(root, "src/api/schema.d.ts");
const cli = resolve(root, "node_modules/openapi-typescript/bin/cli.js");
const check = process.argv.includes("--check");

const tempDir = check ? mkdtempSync(join(tmpdir(), "schema-check-")) : null;
const output = tempDir ? join(tempDir, "schema.d.ts") : committed;

try {
  const run = spawnSync(process.execPath, [cli, spec, "--output", output], {
    cwd: root,
    encoding: "utf8",
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    console.error(`openapi-typescript failed on ${relative(root, spec)}`);
    process.exit(1);
  }
  if (!check) {
    console.log(`wrote ${relative(root, committed)} from ${relative(root, spec)}`);
    process.exit(0);
  }

  const fresh = readFileSync(output, "utf8");
  let current;
  try {
    current = readFileSync(committed, "utf8");
  } catch {
    current = "";
  }
  if (fresh === current) {
    console.log(`${relative(root, committed)} is up to date with ${relative(root, spec)}`);
    process.exit(0);
  }
  console.error(`${relative(root, committed)} is stale: openapi.yaml changed. Run \`npm run gen:api\` and commit it.\n`);
  printDiff(current.split("\n"), fresh.split("\n"));
  process.exit(1);
} finally {
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}

/** The differing region (common prefix and suffix trimmed), enough to see what changed. */
function printDiff(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endBefore = before.length;
  let endAfter = after.length;
  while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
    endBefore--;
    endAfter--;
  }
  const limit = 40;
  console.error(`@@ line ${start + 1} @@`);
  before.slice(start, Math.min(endBefore, start + limit)).forEach((line) => console.error(`- ${line}`));
  after.slice(start, Math.min(endAfter, start + limit)).forEach((line) => console.error(`+ ${line}`));
  if (endBefore - start > limit || endAfter - start > limit) console.error("… (more)");
}
