#!/usr/bin/env bash
# The README's second command: install the test dependencies, run the whole suite.
# Idempotent; CI (.ci/run) runs exactly this on a clean clone.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
# What could not be installed here (no apt-get, or no root): the tests that drive it skip and print why.
CCUS_KG_UNINSTALLABLE="$(bash scripts/system-deps.sh)"
export CCUS_KG_UNINSTALLABLE
.venv/bin/ruff check .
.venv/bin/python -m pytest -n 2 -q -rs "$@"
