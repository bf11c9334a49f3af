#!/usr/bin/env bash
# Refreshes .sqlx/, the offline query data the build checks every sqlx::query! against.
# Run after changing a query or a migration. Needs sqlite3 (apt-get install sqlite3).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for migration in migrations/*.sql; do
    sqlite3 "$work/prepare.db" < "$migration"
done

rm -rf .sqlx
mkdir .sqlx
# The macros only write their data when they run, so make cargo expand them again.
touch backend/src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="sqlite:$work/prepare.db" \
    cargo check --quiet -p pipedrive-brevo-sync --all-targets
echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
