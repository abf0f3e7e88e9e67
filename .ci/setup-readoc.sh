#!/usr/bin/env bash
# READoc: poppler-utils (pdftotext, pdftoppm) for the pdftotext/plaintext systems and page images,
# pandoc 2.17.1.1 (the reference's; Debian bookworm's package) for the table columns, and the readoc
# extra (Levenshtein, APTED, lxml, bs4; pypandoc-binary's pandoc 3 is only the fallback). Idempotent.
set -euo pipefail
if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1 \
        || [[ "$(pandoc --version 2>/dev/null | sed -n 1p)" != "pandoc 2.17.1.1" ]]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends poppler-utils pandoc
fi
python - <<'PY' || pip install -q "levenshtein>=0.25" "apted>=1.0.3" "lxml>=5.0" "beautifulsoup4>=4.12" "scipy>=1.11" "pypandoc-binary>=1.13" "pillow>=10.0"
import importlib
for m in ("Levenshtein", "apted", "lxml", "bs4", "scipy", "pypandoc", "PIL"):
    importlib.import_module(m)
PY
python -c "from tasks.readoc.s3 import pandoc; print('pandoc', pandoc.pandoc_version(), pandoc.pandoc_path()); \
w = pandoc.version_warning(); print('warning:', w) if w else None"
pdftotext -v 2>&1 | sed -n 1p
