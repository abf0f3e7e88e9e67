"""Pandoc, as the reference suite uses it: Markdown pipe tables -> HTML during standardization
and LaTeX tables -> HTML before TEDS. Pandoc's readers decide what a cell holds (smart quotes,
escapes, inline math spans), so the same binary must read gold and prediction alike.

The binary is looked up as $HARNESS_PANDOC, then `pandoc` on PATH, then the one bundled in the
`pypandoc-binary` wheel (the `readoc` extra installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache

from harness.errors import HarnessError

TIMEOUT_S = 60


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
