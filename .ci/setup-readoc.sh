#!/usr/bin/env bash
# READoc: poppler-utils (pdftotext, pdftoppm) for the pdftotext/plaintext systems and page images,
# and the readoc extra (Levenshtein, APTED, lxml, bs4, pandoc via pypandoc-binary). Idempotent.
set -euo pipefail
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends poppler-utils
fi
python - <<'PY' || pip install -q "levenshtein>=0.25" "apted>=1.0.3" "lxml>=5.0" "beautifulsoup4>=4.12" "scipy>=1.11" "pypandoc-binary>=1.13" "pillow>=10.0"
import importlib
for m in ("Levenshtein", "apted", "lxml", "bs4", "scipy", "pypandoc", "PIL"):
    importlib.import_module(m)
PY
python -c "import pypandoc, shutil; print('pandoc', shutil.which('pandoc') or pypandoc.get_pandoc_path())"
pdftotext -v 2>&1 | sed -n 1p
