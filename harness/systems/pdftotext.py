"""poppler's pdftotext (Debian: poppler-utils). `layout=False` keeps poppler's reading order;
`raw=True` keeps content-stream order (the plain-text floor uses that)."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from harness.errors import HarnessError
from harness.systems.base import System

TIMEOUT_S = 300


@lru_cache(maxsize=1)
def poppler_version() -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        raise HarnessError("pdftotext is not installed", "apt-get install poppler-utils (see .ci/setup-readoc.sh)")
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=30, check=False)
    m = re.search(r"version\s+([\w.]+)", out.stderr + out.stdout)
    return m.group(1) if m else "unknown"


def run_pdftotext(pdf_path: Path, *flags: str) -> str:
    poppler_version()
    proc = subprocess.run(["pdftotext", "-enc", "UTF-8", *flags, str(pdf_path), "-"],
                          capture_output=True, timeout=TIMEOUT_S, check=False)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HarnessError(f"pdftotext could not read {pdf_path.name}: {msg[-1] if msg else proc.returncode}",
                           "check that the file is a valid PDF")
    # pages are separated by form feeds; a blank line keeps paragraphs apart
    return proc.stdout.decode("utf-8", "replace").replace("\f", "\n\n")


class PdfToText(System):
    name = "pdftotext"
    install_hint = "apt-get install poppler-utils"

    def __init__(self, layout: bool = False):
        super().__init__(layout=layout)

    def version(self) -> str:
        return f"poppler {poppler_version()}"

    def convert(self, pdf_path: Path) -> str:
        return run_pdftotext(pdf_path, *(["-layout"] if self.settings["layout"] else []))
