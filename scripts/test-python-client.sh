#!/usr/bin/env bash
# Generates a Python client from openapi.yaml with openapi-python-client and runs
# backend/tests/python_client/ with it, unmodified, against the server and the upstream
# sandbox (started by the tests on free loopback ports). Needs the binaries: by default
# target/debug/{pipedrive-brevo-sync,upstream-sandbox} (`cargo build --workspace --bins`);
# SERVER_BIN and SANDBOX_BIN override them.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/py-tools.sh
. scripts/py-tools.sh

target_dir="${CARGO_TARGET_DIR:-target}"
export SERVER_BIN="${SERVER_BIN:-$target_dir/debug/pipedrive-brevo-sync}"
export SANDBOX_BIN="${SANDBOX_BIN:-$target_dir/debug/upstream-sandbox}"
for bin in "$SERVER_BIN" "$SANDBOX_BIN"; do
    [ -x "$bin" ] || { echo "error: $bin is missing; run cargo build --workspace --bins" >&2; exit 1; }
done
SERVER_BIN="$(realpath "$SERVER_BIN")" SANDBOX_BIN="$(realpath "$SANDBOX_BIN")"

out=target/python-client
rm -rf "$out"
mkdir -p "$out"
openapi-python-client generate --path openapi.yaml --output-path "$out/pipedrive-brevo-sync-client" \
    >"$out/generate.log" 2>&1 || { cat "$out/generate.log" >&2; exit 1; }
# Anything beyond the generator's formatting hints would mean parts of the spec were skipped.
if grep -v -e '^Generating ' -e '^$' "$out/generate.log" | grep -qiv 'ruff'; then
    cat "$out/generate.log" >&2
    echo "error: openapi-python-client warned about openapi.yaml" >&2
    exit 1
fi
export PYTHONDONTWRITEBYTECODE=1
export PBS_CLIENT_DIR="$PWD/$out/pipedrive-brevo-sync-client"
exec pytest -p no:cacheprovider -q backend/tests/python_client
