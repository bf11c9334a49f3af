#!/usr/bin/env bash
# RELIABILITY.md item 32 with wrk, for the figures in docs/RELIABILITY.md: 50 connections of
# GET /api/sync-jobs and GET /api/filters against the release binary, first alone, then
# while a sync of a 60,000-person filter runs (sandbox latency 250 ms a request).
# Usage: scripts/reliability/wrk.sh [seconds, default 60]   (needs wrk: apt-get install wrk)
# BIN_DIR=dir uses the binaries there instead of building them.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs="${1:-60}"
bin_dir="${BIN_DIR:-${CARGO_TARGET_DIR:-$PWD/target}/release}"
if [ -z "${BIN_DIR:-}" ]; then
    cargo build --quiet --locked --release --workspace --bins
fi

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
    for _ in $(seq 200); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "no answer from $1" >&2; return 1
}

sandbox_port=$(free_port)
"$bin_dir/upstream-sandbox" --bind "127.0.0.1:$sandbox_port" --latency-ms 250 >"$work/sandbox.log" 2>&1 &
pids+=($!)
sandbox="http://127.0.0.1:$sandbox_port"
wait_for "$sandbox/__sandbox/state"
curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d '{"id":42,"name":"Load","count":60000}' "$sandbox/__sandbox/filters"

app_port=$(free_port)
(cd "$work" && exec env -i PATH="$PATH" DATABASE_URL="sqlite:$work/app.db" BIND_ADDR="127.0.0.1:$app_port" \
    ADMIN_PASSWORD=wrk-password STATIC_DIR=/nonexistent \
    PIPEDRIVE_API_TOKEN=sandbox-pipedrive-token PIPEDRIVE_BASE_URL="$sandbox" \
    BREVO_API_KEY=sandbox-brevo-key BREVO_BASE_URL="$sandbox" RUST_LOG=warn \
    "$bin_dir/pipedrive-brevo-sync" >"$work/app.log" 2>&1) &
app_pid=$!
pids+=($app_pid)
base="http://127.0.0.1:$app_port"
wait_for "$base/api/health"
curl -fsS -c "$work/jar" -H 'content-type: application/json' -d '{"password":"wrk-password"}' "$base/api/auth/login"
export PBS_SESSION=$(awk '$6 == "pbs_session" { print $7 }' "$work/jar")
curl -fsS -o /dev/null -b "pbs_session=$PBS_SESSION" -X POST "$base/api/filters/refresh"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$app_pid/status"; }
run_wrk() { wrk -t2 -c50 -d"$1"s --latency -s scripts/reliability/wrk-reads.lua "$base"; }

echo "== warm-up and no sync ($((secs / 2)) s)"
run_wrk $((secs / 2))
before=$(rss)
echo "== sync of 60,000 persons running ($secs s)"
job=$(curl -fsS -b "pbs_session=$PBS_SESSION" -X POST "$base/api/filters/42/sync")
job_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$job")
run_wrk "$secs"
during=$(rss)
status=$(curl -fsS -b "pbs_session=$PBS_SESSION" "$base/api/sync-jobs/$job_id")
echo "job at the end of the load: $status"
for _ in $(seq 600); do
    status=$(curl -fsS -b "pbs_session=$PBS_SESSION" "$base/api/sync-jobs/$job_id")
    case "$status" in *'"processing"'*) sleep 1 ;; *) break ;; esac
done
echo "job: $status"
run_wrk $((secs / 4)) >/dev/null
after=$(rss)
list=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["brevo_list_id"])' \
    "$(curl -fsS -b "pbs_session=$PBS_SESSION" "$base/api/filters/42")")
members=$(curl -fsS "$sandbox/__sandbox/lists/$list/members" | python3 -c 'import json,sys; e=json.load(sys.stdin)["emails"]; print(len(e), len(set(e)))')
echo "RSS KiB: before $before, end of load with the sync running $during, after the sync $after"
echo "Brevo list members (all, unique): $members; source: 60000 generated persons (about 3 % without an email)"
