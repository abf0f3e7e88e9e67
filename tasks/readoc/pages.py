"""Page images for vision-language models, as the paper made them: every page rendered at a
zoom of 3.0 (216 DPI) and saved as JPEG, quality 95 (src/pdf_to_markdown/vlm_gpt-4o-mini.py).

`--image-dpi` changes the resolution and `--max-pixels` caps width x height (the page is rendered
smaller, aspect kept); `--max-pages N` renders only the first N pages. PyMuPDF renders when it is
installed (the reference used it); otherwise poppler's pdftoppm. Images are cached under the
harness cache, keyed by the PDF's sha256, the renderer and the settings; each page file is written
whole (a temporary name, then renamed), so a killed run never leaves half an image behind.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.errors import HarnessError
from harness.hashing import sha256_file
from harness.paths import cache_dir

DPI = 216
JPEG_QUALITY = 95


@dataclass(frozen=True)
class PageSettings:
    dpi: int = DPI
    max_pixels: int | None = None  # width x height cap per image
    max_pages: int | None = None  # only the first N pages

    def key(self) -> str:
        return f"{self.dpi}" + (f"-max{self.max_pixels}" if self.max_pixels else "")

    def describe(self) -> dict:
        return {"dpi": self.dpi, "max_pixels": self.max_pixels, "max_pages": self.max_pages,
                "jpeg_quality": JPEG_QUALITY}


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


def page_count(pdf: Path) -> int:
    if renderer().startswith("pymupdf"):
        import pymupdf

        with pymupdf.open(str(pdf)) as doc:
            return doc.page_count
    proc = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=120, check=False)
    m = re.search(r"^Pages:\s+(\d+)", proc.stdout, re.M)
    if not m:
        raise HarnessError(f"cannot count the pages of {pdf.name}", "check that the PDF is valid")
    return int(m.group(1))


def render_pages(pdf: Path, pdf_sha256: str, settings: PageSettings = PageSettings()) -> list[tuple[str, str]]:
    """(image path, sha256) for each page sent, in page order: all pages, or the first max_pages."""
    total = page_count(pdf)
    if total == 0:
        raise HarnessError(f"{pdf.name} has no pages", "check that the PDF is valid")
    n = min(total, settings.max_pages or total)
    out_dir = cache_dir() / "readoc" / "pages" / f"{pdf_sha256[:24]}-{renderer()}-{settings.key()}"
    paths = [out_dir / f"page-{i:04d}.jpg" for i in range(1, n + 1)]
    missing = [i for i, p in enumerate(paths, 1) if not p.exists()]
    if missing:
        out_dir.mkdir(parents=True, exist_ok=True)
        render = _render_pymupdf if renderer().startswith("pymupdf") else _render_pdftoppm
        render(pdf, out_dir, missing, settings)
    return [(str(p), sha256_file(p)) for p in paths]


def zoom_for(width_pt: float, height_pt: float, settings: PageSettings) -> float:
    """Pixels per PDF point: the DPI's, lowered until the image fits max_pixels."""
    zoom = settings.dpi / 72
    if settings.max_pixels:
        zoom = min(zoom, math.sqrt(settings.max_pixels / (width_pt * height_pt)))
        while math.ceil(width_pt * zoom) * math.ceil(height_pt * zoom) > settings.max_pixels:
            zoom *= 0.999  # the renderer rounds the pixel size up
    return zoom


def _save(img, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    img.save(tmp, "JPEG", quality=JPEG_QUALITY)
    tmp.replace(target)


def _render_pymupdf(pdf: Path, out_dir: Path, pages: list[int], settings: PageSettings) -> None:
    import pymupdf
    from PIL import Image

    with pymupdf.open(str(pdf)) as doc:
        for n in pages:
            page = doc[n - 1]
            zoom = zoom_for(page.rect.width, page.rect.height, settings)
            pm = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False)
            _save(Image.frombytes("RGB", (pm.width, pm.height), pm.samples), out_dir / f"page-{n:04d}.jpg")


def _render_pdftoppm(pdf: Path, out_dir: Path, pages: list[int], settings: PageSettings) -> None:
    from PIL import Image

    for n in pages:
        raw = out_dir / f".raw-{n:04d}-{os.getpid()}"
        proc = subprocess.run(
            ["pdftoppm", "-r", str(settings.dpi), "-f", str(n), "-l", str(n), "-singlefile", "-png", str(pdf), str(raw)],
            capture_output=True, timeout=600, check=False,
        )
        if proc.returncode != 0:
            raise HarnessError(f"pdftoppm could not render {pdf.name}", proc.stderr.decode("utf-8", "replace")[-200:])
        png = raw.with_name(raw.name + ".png")
        with Image.open(png) as im:
            img = im.convert("RGB")
        png.unlink()
        if settings.max_pixels and img.width * img.height > settings.max_pixels:
            scale = math.sqrt(settings.max_pixels / (img.width * img.height))
            img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.LANCZOS)
        _save(img, out_dir / f"page-{n:04d}.jpg")
