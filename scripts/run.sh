#!/usr/bin/env bash
# Builds everything and runs the service with its defaults (SQLite in data/app.db, the
# dashboard on http://127.0.0.1:8080/). Configuration: environment variables or .env.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --bin pipedrive-brevo-sync
exec ./target/release/pipedrive-brevo-sync
