#!/usr/bin/env bash
# RELIABILITY.md item 29: schemathesis (--checks all, 100 examples per operation) against
# the running server's /api/openapi.json, signed in with a session cookie, the server
# pointed at the upstream sandbox. Installs schemathesis into target/reliability-venv
# (git-ignored); builds the binaries into $CARGO_TARGET_DIR (default target/).
# Usage: scripts/reliability/schemathesis.sh [extra `st run` options]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target_dir="${CARGO_TARGET_DIR:-$root/target}"
venv="$root/target/reliability-venv"
schemathesis_version=4.32.5
examples="${SCHEMATHESIS_EXAMPLES:-100}"

if [ "$("$venv/bin/st" --version 2>/dev/null)" != "st, version $schemathesis_version" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$schemathesis_version"
fi
cargo build --quiet --locked --workspace --bins

source scripts/reliability/stack.sh
password=schemathesis-password
stack_start "$target_dir/debug" "$password"
sign_in() { stack_sign_in "$password"; }
# Two sessions now: the fuzzed sign-ins soon throttle signing in (429).
cookie=$(sign_in)
logout_cookie=$(sign_in)
export PBS_WEBHOOK_SECRET
PBS_WEBHOOK_SECRET=$(cat "$work/webhook-secret")
# Filters to sync, so that the sync routes see existing ids too.
curl -fsS -o /dev/null -b "pbs_session=$cookie" -X POST "$base/api/filters/refresh"

st() {
    "$venv/bin/st" --config-file scripts/reliability/schemathesis.toml \
        run "$base/api/openapi.json" --checks all --max-examples "$examples" \
        --seed 29 --no-color --request-timeout 30 "$@"
}
status=0
# Every operation but sign-out, which would end the session the rest runs with...
PBS_SESSION=$cookie st --exclude-operation-id auth.logout "$@" 2>&1 | tee "$work/st.log" || status=1
# ...which runs on a session of its own.
PBS_SESSION=$logout_cookie st --include-operation-id auth.logout "$@" 2>&1 | tee -a "$work/st.log" || status=1
if grep -qiE 'missing_auth|authentication failed|missing authentication' "$work/st.log"; then
    echo "schemathesis warns about authentication" >&2
    status=1
fi
if grep -q 'panicked' "$work/app.log"; then
    echo "the server panicked:" >&2
    grep -A5 panicked "$work/app.log" >&2
    status=1
fi
exit $status
