"""Pandoc, as the reference suite uses it: Markdown pipe tables -> HTML during standardization
and LaTeX tables -> HTML before TEDS. Pandoc's readers decide what a cell holds (smart quotes,
escapes, inline math spans), so the same binary must read gold and prediction alike.

The reference ran pandoc 2.17.1.1; with it every column matches the reference cell for cell
(bench/readoc_reference_check.py). Pandoc 3 reads some LaTeX and Markdown tables into other cells,
so Table Tree (and Table Concat, through the pipe tables converted during standardization) can
differ: `version_warning()` says so, and the results record the version. The binary is looked up
as $HARNESS_PANDOC, then `pandoc` on PATH (Debian bookworm's package is 2.17.1.1; .ci/setup-readoc.sh
installs it), then the one bundled in the `pypandoc-binary` wheel (3.x; no release bundles 2.17).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

from harness.errors import HarnessError

TIMEOUT_S = 60
#: the version the reference's numbers were made with
REFERENCE_VERSION = "2.17.1.1"


class PandocFailed(Exception):
    """Pandoc could not convert one input (the reference treats this like a parse error)."""


@lru_cache(maxsize=1)
def pandoc_path() -> str:
    explicit = os.environ.get("HARNESS_PANDOC")
    if explicit:
        return explicit
    found = shutil.which("pandoc")
    if found:
        return found
    try:
        import pypandoc

        bundled = pypandoc.get_pandoc_path()
        if bundled:
            return str(bundled)
    except (ImportError, OSError, RuntimeError):
        pass
    raise HarnessError(
        "READoc scoring needs pandoc and none was found",
        "pip install 'harness[readoc]' (bundles pandoc via pypandoc-binary), or apt-get install pandoc",
    )


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    out = subprocess.run([pandoc_path(), "--version"], capture_output=True, text=True, timeout=TIMEOUT_S,
                         check=False)
    first = out.stdout.splitlines()[0] if out.stdout else ""
    return first.replace("pandoc", "").strip() or "unknown"


def version_warning() -> str | None:
    """One line when the pandoc in use is not the reference's (None when it is)."""
    version = pandoc_version()
    if version == REFERENCE_VERSION:
        return None
    return (f"pandoc {version} is not the reference's {REFERENCE_VERSION}: Table Tree and Table Concat may differ from "
            "the reference's (other table cells); install pandoc 2.17.1.1 (Debian bookworm: apt-get install pandoc, "
            "or .ci/setup-readoc.sh) or point $HARNESS_PANDOC at it")


@lru_cache(maxsize=4096)
def convert(text: str, source: str, target: str = "html") -> str:
    """`pandoc -f source -t target` on text (cached: scoring is pure, inputs repeat)."""
    proc = subprocess.run(
        [pandoc_path(), "-f", source, "-t", target],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise PandocFailed(proc.stderr.decode("utf-8", "replace").strip()[:300])
    return proc.stdout.decode("utf-8")
