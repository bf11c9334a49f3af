#!/usr/bin/env bash
# RELIABILITY.md item 32 with wrk, for the figures in docs/RELIABILITY.md: 50 connections of
# GET /api/sync-jobs and GET /api/filters against the release binary, first alone, then
# while a sync of a 60,000-person filter runs (sandbox latency 250 ms a request), after a
# warm-up sync of the same size.
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
for filter in 42 43; do
    curl -fsS -o /dev/null -H 'content-type: application/json' \
        -d "{\"id\":$filter,\"name\":\"Load $filter\",\"count\":60000}" "$sandbox/__sandbox/filters"
done
export PBS_SESSION=$(stack_sign_in wrk-password)
curl -fsS -o /dev/null -b "pbs_session=$PBS_SESSION" -X POST "$base/api/filters/refresh"
rss() { awk '/VmRSS/ { print $2 }' "/proc/$app_pid/status"; }
run_wrk() { wrk -t2 -c50 -d"$1"s --latency -s scripts/reliability/wrk-reads.lua "$base"; }
start_sync() {
    curl -fsS -b "pbs_session=$PBS_SESSION" -X POST "$base/api/filters/$1/sync" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
job_status() { curl -fsS -b "pbs_session=$PBS_SESSION" "$base/api/sync-jobs/$1"; }
wait_for_job() {
    local status
    for _ in $(seq 600); do
        status=$(job_status "$1")
        case "$status" in *'"processing"'*) sleep 1 ;; *) break ;; esac
    done
    echo "$status"
}

# Warm-up, as in the fault test: a sync of the same size under load, so that the baseline
# holds what a first sync sets up for good (HTTP connections, SQLite page caches).
echo "== warm-up: a sync of 60,000 persons under load"
warm_up=$(start_sync 43)
run_wrk $((secs / 2)) >/dev/null
echo "warm-up job: $(wait_for_job "$warm_up")"
echo "== no sync ($((secs / 2)) s)"
run_wrk $((secs / 2))
before=$(rss)
echo "== sync of 60,000 persons running ($secs s)"
job_id=$(start_sync 42)
run_wrk "$secs"
during=$(rss)
echo "job at the end of the load: $(job_status "$job_id")"
echo "job: $(wait_for_job "$job_id")"
run_wrk $((secs / 4)) >/dev/null
after=$(rss)
list=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["brevo_list_id"])' \
    "$(curl -fsS -b "pbs_session=$PBS_SESSION" "$base/api/filters/42")")
members=$(curl -fsS "$sandbox/__sandbox/lists/$list/members" | python3 -c 'import json,sys; e=json.load(sys.stdin)["emails"]; print(len(e), len(set(e)))')
echo "RSS KiB: before $before, end of load with the sync running $during, after the sync $after"
echo "Brevo list members (all, unique): $members; source: 60000 generated persons (about 3 % without an email)"
