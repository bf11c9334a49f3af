#!/usr/bin/env bash
# Builds the dashboard and the release binaries, then runs the service with its defaults
# (SQLite in data/app.db, http://127.0.0.1:8080/). Configure with environment variables or .env.
#
# Without PIPEDRIVE_API_TOKEN and BREVO_API_KEY (in the environment or .env) it runs in
# sandbox mode: it starts the upstream sandbox (a fake Pipedrive and Brevo with demo data) on
# a free loopback port (from SANDBOX_PORT, default 8090), points the service at it with
# SANDBOX_MODE=true (the dashboard then says it is not connected to real accounts), keeps the
# sandbox's database apart in data/sandbox/, and stops the sandbox when the service exits.
set -euo pipefail
cd "$(dirname "$0")/.."

npm --prefix frontend ci --no-audit --no-fund
npm --prefix frontend run build
cargo build --release --locked --bin pipedrive-brevo-sync --bin upstream-sandbox

server=./target/release/pipedrive-brevo-sync

# Set in the environment, or as a non-empty line of .env (the service reads .env too).
configured() {
    [ -n "${!1:-}" ] && return 0
    [ -f .env ] && grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1[[:space:]]*=[[:space:]]*[^[:space:]#]" .env
}

if configured PIPEDRIVE_API_TOKEN || configured BREVO_API_KEY; then
    exec "$server"
fi

# Something listens on the port (bash's /dev/tcp: no curl or nc needed).
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port=${SANDBOX_PORT:-8090}
for _ in $(seq 1 50); do
    listening "$port" || break
    port=$((port + 1))
done
if listening "$port"; then
    echo "error: no free port for the upstream sandbox from ${SANDBOX_PORT:-8090} on" >&2
    exit 1
fi

mkdir -p data/sandbox
sandbox_log=data/sandbox/upstream-sandbox.log
./target/release/upstream-sandbox --bind "127.0.0.1:$port" >"$sandbox_log" 2>&1 &
sandbox_pid=$!
server_pid=
stop_all() {
    if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; fi
    kill -TERM "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
}
trap stop_all EXIT

for _ in $(seq 1 100); do
    listening "$port" && break
    if ! kill -0 "$sandbox_pid" 2>/dev/null; then
        echo "error: the upstream sandbox did not start; see $sandbox_log" >&2
        exit 1
    fi
    sleep 0.1
done

cat <<EOF

  SANDBOX MODE: PIPEDRIVE_API_TOKEN and BREVO_API_KEY are not set, so the service runs
  against the upstream sandbox (demo data) at http://127.0.0.1:$port, not your accounts.
  Its log: $sandbox_log. Set both variables (or put them in .env) to connect for real.

EOF

export SANDBOX_MODE=true
export PIPEDRIVE_BASE_URL="http://127.0.0.1:$port" PIPEDRIVE_API_TOKEN=sandbox-pipedrive-token
export BREVO_BASE_URL="http://127.0.0.1:$port" BREVO_API_KEY=sandbox-brevo-key
# Demo filters and lists never mix with a real account's: their own database.
export DATABASE_URL="${DATABASE_URL:-sqlite:data/sandbox/app.db}"

# In the background, so that this script can forward Ctrl-C and SIGTERM and then stop the
# sandbox (a non-interactive shell's background jobs ignore SIGINT themselves).
"$server" &
server_pid=$!
trap 'kill -TERM "$server_pid" 2>/dev/null || true' INT TERM
status=0
while kill -0 "$server_pid" 2>/dev/null; do
    wait "$server_pid" && status=0 || status=$?
done
server_pid=
exit "$status"
