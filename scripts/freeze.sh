#!/usr/bin/env bash
# Rewrite constraints.txt from the current .venv, after a deliberate upgrade.
set -euo pipefail
cd "$(dirname "$0")/.."
{
  echo "# Exact versions openlive is tested with (pip install -c constraints.txt ...). Regenerate with scripts/freeze.sh."
  .venv/bin/pip freeze --exclude-editable | grep -v '^openlive' | sed 's/^\([A-Za-z0-9_.-]*\) @ file:.*-\([0-9][0-9.]*\)-cp.*/\1==\2/' | sed 's/^torch==\([0-9.]*\)+cpu$/torch==\1/'
} > constraints.txt
