#!/usr/bin/env bash
# The whole test suite: formatting, lints, the OpenAPI and client-type drift checks, unit,
# integration and browser tests. Installs what it needs on a fresh machine; safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# A fresh clone gains nothing from incremental builds but 3 GB of their caches.
if [ "${CI:-}" = true ]; then
    export CARGO_INCREMENTAL=0
fi

step "Rust: formatting and lints (warnings are errors)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Dashboard: generated types up to date, tsc, eslint, unit tests, build"
npm --prefix frontend ci --no-audit --no-fund
npm --prefix frontend run check
npm --prefix frontend run build

step "Container files: hadolint, Compose schema, paths and commands"
python3 -c 'import ensurepip' 2>/dev/null || { apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null; }
./scripts/check-container.sh

step "Browser tests against the real server and the upstream sandbox"
if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
cargo build --workspace --bins --locked
npm --prefix frontend run e2e

step "Python client generated from openapi.yaml, against the server and the sandbox"
./scripts/test-python-client.sh

step "Reliability: schemathesis against the running server (docs/RELIABILITY.md item 29)"
./scripts/reliability/schemathesis.sh

step "Benchmark smoke run (the full benchmark: bench/sync_bench.py all)"
python3 bench/sync_bench.py sync --debug-build --sizes 2000 --latency-ms 5 --baseline-persons 20 --check

step "Scheduler soak, short: 100 one-minute schedules for a minute (the full runs: bench/schedule_bench.py due, soak)"
if ! command -v wrk >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
python3 bench/schedule_bench.py soak --short --debug-build --check

step "Rust: doc tests, then unit, integration and fault tests"
# The fault tests drive the sqlite3 shell (a second process holding the write lock).
if ! command -v sqlite3 >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq sqlite3 >/dev/null
fi
cargo test --workspace --doc --locked
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install cargo-nextest --locked
fi
cargo nextest run --workspace --locked --no-fail-fast
