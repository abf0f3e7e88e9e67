#!/usr/bin/env bash
# Leaderboard tests: headless Debian chromium + its driver (selenium drives it), git for publish.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v git >/dev/null 2>&1 || need+=(git)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi
# the packages of setup.cfg's "leaderboard" extra (kept in step with it)
python -m pip install -q "matplotlib>=3.8" "scipy>=1.11" "tabulate>=0.9" "selenium>=4.20"
chromium --version
chromedriver --version
