"""The floor: raw text without any structure (no headings, tables or formulas).
PyMuPDF's page text when PyMuPDF is installed, otherwise `pdftotext -raw`."""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.systems.base import System
from harness.systems.pdftotext import poppler_version, run_pdftotext


def _pymupdf():
    try:
        import pymupdf
    except ImportError:
        return None
    return pymupdf


class PlainText(System):
    name = "plaintext"
    install_hint = "apt-get install poppler-utils (or pip install pymupdf)"

    def __init__(self, engine: str = "auto"):
        if engine not in ("auto", "pymupdf", "pdftotext"):
            raise HarnessError(f"unknown plaintext engine '{engine}'", "use auto, pymupdf or pdftotext")
        if engine == "auto":
            engine = "pymupdf" if _pymupdf() is not None else "pdftotext"
        super().__init__(engine=engine)

    def version(self) -> str:
        if self.settings["engine"] == "pymupdf":
            mod = _pymupdf()
            if mod is None:
                raise HarnessError("the plaintext system's pymupdf engine needs PyMuPDF", "pip install pymupdf")
            return f"PyMuPDF {mod.__version__}"
        return f"poppler {poppler_version()} (-raw)"

    def convert(self, pdf_path: Path) -> str:
        if self.settings["engine"] == "pdftotext":
            return run_pdftotext(pdf_path, "-raw")
        mod = _pymupdf()
        with mod.open(str(pdf_path)) as doc:
            return "\n\n".join(page.get_text("text") for page in doc)
