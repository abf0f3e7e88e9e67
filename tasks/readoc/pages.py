"""Page images for vision-language models, as the paper made them: every page rendered at a
zoom of 3.0 (216 DPI) and saved as JPEG, quality 95 (src/pdf_to_markdown/vlm_gpt-4o-mini.py).

PyMuPDF renders when it is installed (the reference used it); otherwise poppler's pdftoppm.
Images are cached under the harness cache, keyed by the PDF's sha256, the renderer and the DPI.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from harness.errors import HarnessError
from harness.hashing import sha256_file
from harness.paths import cache_dir

DPI = 216
JPEG_QUALITY = 95


@lru_cache(maxsize=1)
def renderer() -> str:
    try:
        import pymupdf

        return f"pymupdf-{pymupdf.__version__}"
    except ImportError:
        pass
    if shutil.which("pdftoppm"):
        return "pdftoppm"
    raise HarnessError("rendering PDF pages needs PyMuPDF or poppler's pdftoppm",
                       "apt-get install poppler-utils, or pip install pymupdf")


def render_pages(pdf: Path, pdf_sha256: str) -> list[tuple[str, str]]:
    """(image path, sha256) for each page, in page order."""
    out_dir = cache_dir() / "readoc" / "pages" / f"{pdf_sha256[:24]}-{renderer()}-{DPI}"
    done = out_dir / ".complete"
    if not done.exists():
        out_dir.mkdir(parents=True, exist_ok=True)
        if renderer().startswith("pymupdf"):
            _render_pymupdf(pdf, out_dir)
        else:
            _render_pdftoppm(pdf, out_dir)
        done.write_text("ok\n")
    images = sorted(out_dir.glob("page-*.jpg"))
    if not images:
        raise HarnessError(f"{pdf.name} rendered to no pages", "check that the PDF is valid")
    return [(str(p), sha256_file(p)) for p in images]


def _render_pymupdf(pdf: Path, out_dir: Path) -> None:
    import pymupdf
    from PIL import Image

    zoom = DPI / 72
    with pymupdf.open(str(pdf)) as doc:
        for i, page in enumerate(doc):
            pm = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            img = Image.frombytes("RGB", (pm.width, pm.height), pm.samples)
            img.save(out_dir / f"page-{i + 1:04d}.jpg", "JPEG", quality=JPEG_QUALITY)


def _render_pdftoppm(pdf: Path, out_dir: Path) -> None:
    proc = subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-jpeg", "-jpegopt", f"quality={JPEG_QUALITY}", str(pdf),
         str(out_dir / "raw")],
        capture_output=True, timeout=600, check=False,
    )
    if proc.returncode != 0:
        raise HarnessError(f"pdftoppm could not render {pdf.name}", proc.stderr.decode("utf-8", "replace")[-200:])
    for p in sorted(out_dir.glob("raw-*.jpg")):
        n = int(p.stem.rsplit("-", 1)[1])
        p.replace(out_dir / f"page-{n:04d}.jpg")
