#!/usr/bin/env bash
# Lint, type-check and run the whole test suite (starts real servers; needs scripts/setup.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
.venv/bin/ruff check src tests
.venv/bin/ruff format --check src tests
.venv/bin/mypy
.venv/bin/python -m pytest "$@"
