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

source scripts/reliability/stack.sh
stack_start "$bin_dir" wrk-password --latency-ms 250
curl -fsS -o /dev/null -H 'content-type: application/json' \
    -d '{"id":42,"name":"Load","count":60000}' "$sandbox/__sandbox/filters"
export PBS_SESSION=$(stack_sign_in wrk-password)
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
