# Sourced by the reliability scripts: starts the upstream sandbox and the server on free
# loopback ports, with a fresh database in a temporary folder, and stops both on exit.
#   stack_start BIN_DIR PASSWORD [sandbox options…]   sets $work, $sandbox, $base, $app_pid
#   stack_sign_in PASSWORD                            prints a session cookie value

work=$(mktemp -d)
pids=()
stack_cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap stack_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() {
    for _ in $(seq 200); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
    echo "no answer from $1" >&2; return 1
}

stack_start() {
    local bin_dir=$1 password=$2
    shift 2
    local sandbox_port app_port
    sandbox_port=$(free_port)
    "$bin_dir/upstream-sandbox" --bind "127.0.0.1:$sandbox_port" "$@" >"$work/sandbox.log" 2>&1 &
    pids+=($!)
    sandbox="http://127.0.0.1:$sandbox_port"
    wait_for "$sandbox/__sandbox/state"

    app_port=$(free_port)
    # A clean environment and working directory: no developer .env leaks in.
    (cd "$work" && exec env -i PATH="$PATH" DATABASE_URL="sqlite:$work/app.db" BIND_ADDR="127.0.0.1:$app_port" \
        ADMIN_PASSWORD="$password" STATIC_DIR=/nonexistent \
        PIPEDRIVE_API_TOKEN=sandbox-pipedrive-token PIPEDRIVE_BASE_URL="$sandbox" \
        BREVO_API_KEY=sandbox-brevo-key BREVO_BASE_URL="$sandbox" RUST_LOG=warn \
        PUBLIC_URL="http://127.0.0.1:$app_port" PIPEDRIVE_WEBHOOKS=true \
        "$bin_dir/pipedrive-brevo-sync" >"$work/app.log" 2>&1) &
    app_pid=$!
    pids+=($app_pid)
    base="http://127.0.0.1:$app_port"
    wait_for "$base/api/health"
}

stack_sign_in() {
    curl -fsS -c "$work/jar" -H 'content-type: application/json' \
        -d "{\"password\":\"$1\"}" "$base/api/auth/login"
    awk '$6 == "pbs_session" { print $7 }' "$work/jar"
}
