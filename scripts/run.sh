#!/usr/bin/env bash
# Builds the dashboard and the release binary, then runs the service with its defaults
# (SQLite in data/app.db, http://127.0.0.1:8080/). Configure with environment variables or .env.
set -euo pipefail
cd "$(dirname "$0")/.."

npm --prefix frontend ci --no-audit --no-fund
npm --prefix frontend run build
cargo build --release --locked --bin pipedrive-brevo-sync
exec ./target/release/pipedrive-brevo-sync
