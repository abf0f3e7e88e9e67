#!/usr/bin/env bash
# The README's first command, exactly as written, as on a fresh machine: in a new virtual
# environment with only the core install. .ci/run runs it before the full install, which would
# hide a dependency the core forgot. The command is read from README.md, so the two cannot drift.
set -euo pipefail
cd "$(dirname "$0")/.."
first=$(grep -m1 '^bash \.ci/install\.sh && harness run ' README.md || true)
if [[ -z "$first" ]]; then
  echo "README.md has no first command (a line starting 'bash .ci/install.sh && harness run ')"; exit 1
fi
venv=$(mktemp -d /tmp/harness-core-venv.XXXXXX)
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
echo "== in a clean virtual environment: $first"
( . "$venv/bin/activate" && eval "$first" ) 2>&1 | tee "$venv/first-command.log"
# what a new user must see: the loading line and the results table (the test suite checks the rest)
if ! grep -q '^loading model ' "$venv/first-command.log" || ! grep -q 'math500 .*accuracy' "$venv/first-command.log"; then
  echo "the first command printed no loading line or no results table"; exit 1
fi
