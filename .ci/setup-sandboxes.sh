#!/usr/bin/env bash
# Sandboxes (issue 3): bubblewrap + host toolchains for the 17 Debian languages, Docker Engine
# (docker.io; overlay2 storage, vfs where overlayfs fails) and the sandbox images built offline
# from a debootstrap base.
# Idempotent: installed packages, a running dockerd and up-to-date images are left alone.
# Env: SANDBOX_LANGUAGES=cpp,java,... (default: all Debian ones), SKIP_DOCKER=1 (bwrap only),
#      HARNESS_DOCKER_STORAGE=vfs (storage drivers to try, in order; default: overlay2 vfs).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
log() { echo "[setup-sandboxes +$(( $(date +%s) - start ))s] $*"; }
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends)

missing() { for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done; }

# 1. the sandbox tools (small, first: dockerd and debootstrap can start early)
BASE_PKGS=(bubblewrap debootstrap util-linux)
[[ "${SKIP_DOCKER:-0}" == 1 ]] || BASE_PKGS+=(docker.io)
need=$(missing "${BASE_PKGS[@]}")
if [[ -n "$need" ]]; then
  log "apt-get install $need"; apt-get update -qq; "${APT[@]}" $need >/dev/null
fi

# 2. dockerd
build_pid=""
if [[ "${SKIP_DOCKER:-0}" != 1 ]]; then
  if ! docker info >/dev/null 2>&1; then
    # overlay2 shares image layers; vfs copies the whole image per layer and per container
    # (tens of GB for these images), so it is only the fallback where overlayfs does not work.
    drivers=${HARNESS_DOCKER_STORAGE:-overlay2 vfs}
    for driver in $drivers; do
      log "starting dockerd --storage-driver=$driver"
      nohup dockerd --storage-driver="$driver" >/var/log/harness-dockerd.log 2>&1 &
      dockerd_pid=$!
      for _ in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        kill -0 "$dockerd_pid" 2>/dev/null || break
        sleep 1
      done
      docker info >/dev/null 2>&1 && break
      log "dockerd with $driver did not start: $(tail -1 /var/log/harness-dockerd.log)"
      kill "$dockerd_pid" 2>/dev/null || true; wait "$dockerd_pid" 2>/dev/null || true
    done
    docker info >/dev/null 2>&1 || { echo "dockerd did not start: see /var/log/harness-dockerd.log"; exit 1; }
  fi
  log "docker storage driver: $(docker info --format '{{.Driver}}')"
  # 3. images, in the background while the host toolchains install
  log "building images (log: /tmp/harness-sandbox-build.log)"
  python3 -m sandboxes.build ${SANDBOX_LANGUAGES:+--languages "$SANDBOX_LANGUAGES"} \
    >/tmp/harness-sandbox-build.log 2>&1 &
  build_pid=$!
fi

# 4. host toolchains for the bwrap sandbox: the Debian packages of the language table
mapfile -t TOOLCHAIN_PKGS < <(python3 -c "
from sandboxes.languages import LANGUAGES, parse_languages
import os
keys = parse_languages(os.environ.get('SANDBOX_LANGUAGES'))
print('\n'.join(sorted({p for k in keys for p in LANGUAGES[k].debian_packages})))")
need=$(missing "${TOOLCHAIN_PKGS[@]}")
if [[ -n "$need" ]]; then
  log "apt-get install toolchains: $(echo $need | tr '\n' ' ')"
  apt-get update -qq; "${APT[@]}" $need >/dev/null
fi
# warm caches the bwrap sandbox shares read-only (C++ PCH, Go build cache seed)
python3 -c "from sandboxes.bwrap import BwrapSandbox; BwrapSandbox(cache=False).start(['cpp', 'go'])"
log "host toolchains ready"

if [[ -n "$build_pid" ]]; then
  if ! wait "$build_pid"; then cat /tmp/harness-sandbox-build.log; exit 1; fi
  grep -E "cannot be built here|images ready|built in" /tmp/harness-sandbox-build.log || true
fi
log "done in $(( $(date +%s) - start )) s"
