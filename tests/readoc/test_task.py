"""The readoc tasks: loading (sample and hub layouts), request shapes, scoring, aggregation."""

import shutil
import zipfile

import pytest

from harness.errors import DataMissing, HarnessError
from harness.registry import resolve
from harness.requests import Generation
from harness.results import ModelInfo
from harness.systems import SystemBackend, get_system
from harness.task import DocState, RunSettings, SampleScore, ScoringContext
from tasks.readoc.task import ReadocTask, prediction_of

pytestmark = pytest.mark.needs_shared_data

VLM = ModelInfo(spec="vllm:some-vlm", backend="vllm", name="some-vlm", fingerprint="x")


def test_group_and_tasks_resolve():
    assert [t.name for t in resolve("readoc")] == ["readoc-arxiv", "readoc-github", "readoc-zenodo"]
    with pytest.raises(HarnessError, match="unknown READoc subset 'wiki'"):
        ReadocTask("wiki")


def test_documents_load_from_the_shared_sample(data_dir):
    docs = ReadocTask("arxiv").load_docs(data_dir.parent)
    assert [d.id for d in docs][:2] == ["0709.4466", "1004.3799"] and len(docs) == 10
    assert docs[0].data["pdf_sha256"].startswith("c774be909632fbe6")  # manifest.tsv
    assert docs[0].data["gold"].startswith("#")


def test_document_request_carries_the_pdf_and_the_subset_prompt(data_dir):
    task = ReadocTask("github")
    doc = task.load_docs(data_dir.parent)[0]
    task.bind_backend(ModelInfo(spec="system:pdftotext", backend="system", name="pdftotext", fingerprint="f"))
    (req,) = task.next_requests(doc, DocState(), task.sampling(RunSettings()))
    assert req.media == ((doc.data["pdf"], doc.data["pdf_sha256"]),)
    assert "If it's a blank page" in req.messages[0]["content"]
    assert task.config()["mode"] == "document"
    task.bind_backend(ModelInfo(spec="replay:p.jsonl", backend="replay", name="p", fingerprint="r"))
    assert task.effective_mode == "document"  # replayed predictions are whole documents
    task.bind_backend(VLM)
    assert task.effective_mode == "pages"


def test_page_requests_for_a_vision_model(data_dir):
    task = ReadocTask("arxiv")
    task.bind_backend(VLM)
    doc = next(d for d in task.load_docs(data_dir.parent) if d.id == "0709.4466")  # 4 pages
    reqs = task.next_requests(doc, DocState(), task.sampling(RunSettings()))
    assert [r.tag for r in reqs] == ["page-0001", "page-0002", "page-0003", "page-0004"]
    assert all("isolated math block" in r.messages[0]["content"] for r in reqs)
    from PIL import Image

    with Image.open(reqs[0].media[0][0]) as im:  # US letter at 216 DPI: 1836 x 2376
        assert abs(im.width - 8.5 * 216) < 3 and abs(im.height - 11 * 216) < 3
    assert task.sampling(RunSettings()).temperature == 0.7
    assert task.config()["pages"]["dpi"] == 216


def test_page_outputs_are_stripped_and_joined_by_a_blank_line():
    state = DocState(outputs={
        "page-0002": [Generation(text=" b ", meta={"seconds": 2.0})],
        "page-0001": [Generation(text="a\n", meta={"seconds": 1.0})],
        "page-0003": [Generation(text="")],
    })
    assert prediction_of(state) == ("a\n\nb", 3.0, "3 pages")
    assert prediction_of(DocState()) == ("", None, "missing")


def test_aggregate_uses_per_column_denominators_and_averages_columns():
    task = ReadocTask("github")
    base = {"text_concat": 0.5, "text_vocab": 0.6, "heading_concat": None, "heading_tree": None,
            "order_block": 0.9, "order_token": 1.0}
    scores = [SampleScore("a", dict(base)), SampleScore("b", {**base, "heading_concat": 0.4, "heading_tree": 0.2,
                                                            "text_concat": 0.7})]
    metrics, _ = task.aggregate(scores)
    assert metrics["text_concat"].value == pytest.approx(0.6) and metrics["heading_tree"].n == 1
    assert metrics["average"].value == pytest.approx((0.6 + 0.6 + 0.4 + 0.2 + 0.9 + 1.0) / 6)


def test_pdftotext_end_to_end_on_github(data_dir, needs_pdftotext):
    task = ReadocTask("github")
    backend = SystemBackend(get_system("pdftotext"))
    task.bind_backend(backend.info())
    docs = task.load_docs(data_dir.parent)
    reqs = [task.next_requests(d, DocState(), task.sampling(RunSettings()))[0] for d in docs]
    out = {}
    backend.generate(reqs, lambda i, g: out.__setitem__(i, g), lambda i, e: pytest.fail(e))
    scores = [task.score(d, DocState(outputs={"main": out[i]}), ScoringContext()) for i, d in enumerate(docs)]
    assert all(s.record["seconds"] is not None and s.record["input"] == "document" for s in scores)
    metrics, _ = task.aggregate(scores)
    # plain text without '#' headings: text is close, headings are lost
    assert metrics["text_concat"].value > 0.6 and metrics["heading_tree"].value < 0.2
    assert 0.2 < metrics["average"].value < 0.8


@pytest.mark.parametrize("subset,ids", [
    ("github", ["108110", "24053"]),
    # Zenodo ids are upload names: spaces, commas, parentheses, dots
    ("zenodo", ["1aebdd6634d13516c7c8c5d3da75e4ad-Annex Sparx Model Report",
                "eebd38cbf4355626465dd403a34ca9df-1 - PJSE v.9 n.4 (1-8) , 2023 Darbar"]),
])
def test_hub_layout_from_a_local_copy(data_dir, tmp_path, subset, ids):
    (tmp_path / f"{subset}_ground_truth").mkdir()
    with zipfile.ZipFile(tmp_path / f"{subset}.zip", "w") as z:
        for i in ids:
            shutil.copy(data_dir / subset / "markdown" / f"{i}.md", tmp_path / f"{subset}_ground_truth")
            z.write(data_dir / subset / "pdf" / f"{i}.pdf", f"{subset}/{i}.pdf")
    docs = ReadocTask(subset).load_docs(tmp_path)
    assert sorted(d.id for d in docs) == sorted(ids)
    assert all(d.data["pdf"].endswith(".pdf") and "readoc/hub" in d.data["pdf"] for d in docs)


def test_missing_data_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HARNESS_DATA_DIR", str(tmp_path))
    with pytest.raises(DataMissing, match="no READoc arxiv documents"):
        ReadocTask("arxiv").load_docs(tmp_path)


def test_damaged_copy_is_detected(data_dir, tmp_path):
    copy = tmp_path / "readoc"
    shutil.copytree(data_dir / "github", copy / "github")
    shutil.copy(data_dir / "manifest.tsv", copy / "manifest.tsv")
    (copy / "github" / "markdown" / "108110.md").write_text("tampered")
    with pytest.raises(HarnessError, match="does not match manifest.tsv"):
        ReadocTask("github").load_docs(tmp_path)


def test_readoc_score_cli_on_a_prediction_folder(data_dir, tmp_path, capsys):
    import argparse

    from tasks.readoc.cli import register_cli

    parser = argparse.ArgumentParser()
    register_cli(parser.add_subparsers())
    preds = tmp_path / "preds"
    preds.mkdir()
    for md in sorted((data_dir / "github" / "markdown").glob("*.md"))[:9]:  # one left missing
        shutil.copy(md, preds / md.name)
    args = parser.parse_args(["readoc-score", "--subset", "github", "--pred-dir", str(preds),
                              "--data-dir", str(data_dir.parent), "--json", str(tmp_path / "s.json")])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "Text Concat" in out and "1 of 10 predictions missing" in out
    import json

    saved = json.loads((tmp_path / "s.json").read_text())
    # nine perfect documents and one empty prediction (0 on every defined column)
    assert saved["means"]["text_concat"] == pytest.approx(0.9)
    with pytest.raises(HarnessError, match="does not exist"):
        args.func(parser.parse_args(["readoc-score", "--subset", "github", "--pred-dir", str(tmp_path / "nope")]))


def test_page_answers_are_scored_as_one_document(data_dir):
    task = ReadocTask("github", mode="pages")
    doc = task.load_docs(data_dir.parent)[0]
    gold = doc.data["gold"]
    half = len(gold) // 2
    cut = gold.rfind("\n\n", 0, half) + 2  # split the gold at a paragraph break into two "pages"
    state = DocState(outputs={"page-0001": [Generation(text=gold[:cut], meta={"seconds": 1.5})],
                              "page-0002": [Generation(text=gold[cut:], meta={"seconds": 2.0})]})
    s = task.score(doc, state, ScoringContext())
    assert s.record["prediction"] == gold.strip() and s.record["seconds"] == 3.5
    assert s.values["text_concat"] == pytest.approx(1.0) and s.values["heading_tree"] == pytest.approx(1.0)
