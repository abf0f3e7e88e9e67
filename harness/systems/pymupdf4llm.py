"""PyMuPDF4LLM, the paper's baseline converter. AGPL-licensed: an optional extra
(`pip install 'harness[readoc-agpl]'`), imported only when this system is used.

`layout=False` (default) runs the classic rule-based converter the paper measured (2024);
`layout=True` uses pymupdf4llm >= 1.27's layout model when pymupdf-layout is installed.
"""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.systems.base import System


def _import():
    try:
        import pymupdf
        import pymupdf4llm
    except ImportError as e:
        raise HarnessError(f"the pymupdf4llm system needs the pymupdf4llm package ({e.name} is missing)",
                           "pip install 'harness[readoc-agpl]' (AGPL-licensed)") from None
    return pymupdf, pymupdf4llm


class PyMuPDF4LLM(System):
    name = "pymupdf4llm"
    install_hint = "pip install 'harness[readoc-agpl]'"

    def __init__(self, layout: bool = False):
        super().__init__(layout=layout)

    def version(self) -> str:
        pymupdf, p4l = _import()
        return f"pymupdf4llm {getattr(p4l, '__version__', '?')} (PyMuPDF {pymupdf.__version__})"

    def convert(self, pdf_path: Path) -> str:
        _, p4l = _import()
        if hasattr(p4l, "use_layout"):  # >= 1.27 switches globally; set it on every call
            try:
                p4l.use_layout(bool(self.settings["layout"]))
            except ImportError:
                if self.settings["layout"]:
                    raise HarnessError("pymupdf4llm layout mode needs pymupdf-layout",
                                       "pip install pymupdf-layout, or use the default layout=False") from None
        elif self.settings["layout"]:
            raise HarnessError("this pymupdf4llm has no layout mode", "upgrade pymupdf4llm to >= 1.27")
        return p4l.to_markdown(str(pdf_path), show_progress=False)
