#!/usr/bin/env bash
# Sourced by the scripts that need Python tools: makes the virtualenv target/py-tools from
# scripts/py-requirements.txt (again when that file changes) and puts its bin/ first on PATH.
# Needs python3 with venv (Debian: apt-get install python3-venv).
py_tools_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py_tools_venv="$py_tools_root/target/py-tools"
py_tools_stamp="$py_tools_venv/.requirements"
if ! cmp -s "$py_tools_root/scripts/py-requirements.txt" "$py_tools_stamp" 2>/dev/null; then
    rm -rf "$py_tools_venv"
    python3 -m venv "$py_tools_venv"
    "$py_tools_venv/bin/pip" install --quiet --disable-pip-version-check \
        -r "$py_tools_root/scripts/py-requirements.txt"
    cp "$py_tools_root/scripts/py-requirements.txt" "$py_tools_stamp"
fi
export PATH="$py_tools_venv/bin:$PATH"
