"""READoc-Zenodo (the third subset), the page limits for vision models (--image-dpi, --max-pixels,
--max-pages), and the pandoc version the table columns depend on."""

from __future__ import annotations

import argparse
import json
import shutil

import pytest

from harness.results import ModelInfo
from harness.task import DocState, RunSettings, ScoringContext
from tasks.readoc import pages
from tasks.readoc.s3 import SUBSET_COLUMNS, pandoc
from tasks.readoc.task import ReadocTask

pytestmark = pytest.mark.needs_shared_data

VLM = ModelInfo(spec="vllm:some-vlm", backend="vllm", name="some-vlm", fingerprint="x")
SPARX = "1aebdd6634d13516c7c8c5d3da75e4ad-Annex Sparx Model Report"  # 26 pages


def test_zenodo_loads_the_ten_shared_documents_with_their_names(data_dir):
    task = ReadocTask("zenodo")
    docs = task.load_docs(data_dir.parent)
    assert len(docs) == 10 and docs[0].id == SPARX
    assert "eebd38cbf4355626465dd403a34ca9df-1 - PJSE v.9 n.4 (1-8) , 2023 Darbar" in [d.id for d in docs]
    assert docs[0].data["pdf_sha256"].startswith("c4c21bc8c43408c4")  # manifest.tsv, checked on load
    cfg = task.config()
    assert list(cfg["columns"]) == SUBSET_COLUMNS["zenodo"] and len(cfg["columns"]) == 8
    # the reference's script gives every subset but arXiv the second prompt
    assert task.prompt() == ReadocTask("github").prompt() != ReadocTask("arxiv").prompt()


def test_readoc_score_zenodo_on_the_gold_itself(data_dir, tmp_path, capsys):
    from tasks.readoc.cli import register_cli

    parser = argparse.ArgumentParser()
    register_cli(parser.add_subparsers())
    preds = tmp_path / "preds"
    shutil.copytree(data_dir / "zenodo" / "markdown", preds)
    args = parser.parse_args(["readoc-score", "--subset", "zenodo", "--pred-dir", str(preds),
                              "--data-dir", str(data_dir.parent), "--json", str(tmp_path / "s.json")])
    assert args.func(args) == 0
    assert "Table Tree" in capsys.readouterr().out
    saved = json.loads((tmp_path / "s.json").read_text())
    assert saved["pandoc"] == pandoc.pandoc_version() and set(saved["means"]) == set(SUBSET_COLUMNS["zenodo"])
    assert all(saved["means"][c] == pytest.approx(1.0) for c in SUBSET_COLUMNS["zenodo"] if c != "table_tree")
    # as in the reference: pandoc reads the `%` of a few gold cells as a LaTeX comment, so those
    # tables never become tables and score 0 even against themselves (2 of the 7 documents with tables)
    imperfect = {d: v["table_tree"] for d, v in saved["documents"].items() if v["table_tree"] not in (None, 1.0)}
    assert sorted(imperfect) == [SPARX, "c4a15f2650511e09b5f603efb2913f3d-index"]
    assert sum(v["table_tree"] is not None for v in saved["documents"].values()) == 7


def test_pages_at_a_lower_dpi_under_a_pixel_cap_and_only_the_first_n(data_dir, monkeypatch):
    from PIL import Image

    pdf = data_dir / "github" / "pdf" / "108110.pdf"  # 3 A4 pages (595 x 842 points)
    sha = "f" * 64
    at72 = pages.render_pages(pdf, sha, pages.PageSettings(dpi=72))
    capped = pages.render_pages(pdf, sha, pages.PageSettings(max_pixels=100_000, max_pages=2))
    assert len(at72) == 3 and len(capped) == 2 and pages.page_count(pdf) == 3
    with Image.open(at72[0][0]) as im:
        assert abs(im.width - 595.3) <= 1 and abs(im.height - 841.9) <= 1
    with Image.open(capped[0][0]) as im:
        assert 95_000 < im.width * im.height <= 100_000 and abs(im.width / im.height - 595.3 / 841.9) < 0.01
    # poppler's pdftoppm, where PyMuPDF is missing, keeps the same limits
    pages.renderer.cache_clear()
    monkeypatch.setattr(pages, "renderer", lambda: "pdftoppm")
    (poppler,) = pages.render_pages(pdf, sha, pages.PageSettings(max_pixels=100_000, max_pages=1))
    with Image.open(poppler[0]) as im:
        assert 95_000 < im.width * im.height <= 100_000


def test_max_pages_sends_the_first_pages_and_reports_the_rest(data_dir):
    task = ReadocTask("zenodo")
    task.configure(RunSettings(max_pages=2, image_dpi=36))
    task.bind_backend(VLM)
    doc = task.load_docs(data_dir.parent)[0]
    reqs = task.next_requests(doc, DocState(), task.sampling(RunSettings()))
    assert [r.tag for r in reqs] == ["page-0001", "page-0002"]
    from harness.requests import Generation

    state = DocState(outputs={r.tag: [Generation(text="x")] for r in reqs})
    score = task.score(doc, state, ScoringContext())
    assert score.record["pages"] == {"total": 26, "sent": 2, "not_sent": 24}
    cfg = task.config()
    assert cfg["pages"]["dpi"] == 36 and cfg["pages"]["not_sent"] == {"documents": 1, "pages": 24}
    assert any("24 pages of 1 documents were not sent (--max-pages 2)" in n for n in cfg["notes"])
    assert "dpi=36" in task.prompt_sources()  # a new resolution is a new prompt: new store keys


def test_a_failed_page_costs_only_itself(data_dir):
    from harness.requests import Generation

    task = ReadocTask("github")
    task.bind_backend(VLM)
    assert task.partial_failures  # the runner keeps scoring the document
    doc = task.load_docs(data_dir.parent)[0]
    state = DocState(outputs={"page-0002": [Generation(text="# Title\n\ntext")]},
                     failed={"page-0001": "page d/page-0001 is 2000 tokens with its images, over the model's context"})
    s = task.score(doc, state, ScoringContext())
    assert s.record["failed"] == state.failed and s.record["input"] == "1 pages"
    assert s.values["text_concat"] is not None


@pytest.fixture
def other_pandoc(monkeypatch):
    """The pandoc bundled in pypandoc-binary (3.x) in place of the reference's 2.17."""
    pypandoc = pytest.importorskip("pypandoc", reason="the readoc extra installs pypandoc-binary")
    bundled = pypandoc.get_pandoc_path()
    monkeypatch.setenv("HARNESS_PANDOC", str(bundled))
    for fn in (pandoc.pandoc_path, pandoc.pandoc_version, pandoc.convert):
        fn.cache_clear()
    yield bundled
    monkeypatch.delenv("HARNESS_PANDOC")
    for fn in (pandoc.pandoc_path, pandoc.pandoc_version, pandoc.convert):
        fn.cache_clear()


def test_another_pandoc_version_is_recorded_and_warned(data_dir, other_pandoc):
    version = pandoc.pandoc_version()
    assert version != pandoc.REFERENCE_VERSION
    task = ReadocTask("zenodo")
    cfg = task.config()
    assert cfg["scorer"]["pandoc"] == version
    assert any(f"pandoc {version} is not the reference's 2.17.1.1" in n for n in cfg["notes"])
    assert "notes" not in ReadocTask("github").config()  # no table columns there
