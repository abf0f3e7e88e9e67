"""READoc with a vision model that thinks (a small function backend standing for the VLM, so the
task asks page by page): each page's answer after its thinking is the Markdown joined into the
prediction, the thinking never is, a page whose thought max_tokens cut off is reported and adds
nothing, and `harness score --reasoning off` gives the old numbers (the raw page outputs joined)."""

from __future__ import annotations

import pytest

from harness.backends.base import Backend
from harness.cli import main
from harness.evaluate import RunConfig, evaluate
from harness.requests import Generation
from harness.results import ModelInfo, load_results, load_samples
from harness.task import DocState, ScoringContext
from tasks.readoc.task import ReadocTask

pytestmark = pytest.mark.needs_shared_data


class ThinkingVLM(Backend):
    """Answers page 1 with the gold Markdown after a thought, the last page with a thought that
    runs out of tokens, the others with a thought and nothing."""

    kind = "vllm"

    def __init__(self, gold: str):
        self.gold = gold
        self._info = ModelInfo(spec="vllm:thinking-vlm", backend="vllm", name="thinking-vlm", fingerprint="fp-vlm")

    def info(self):
        return self._info

    def generate(self, requests, on_result, on_error):
        last = max(r.tag for r in requests)
        for i, r in enumerate(requests):
            if r.tag == "page-0001":
                out = Generation("<think>A title, then text. # Not The Title\n\nscratch notes</think>\n\n" + self.gold, 99, "stop")
            elif r.tag == last:
                out = Generation("<think>This page has a long table: | a | b |", 99, "length")
            else:
                out = Generation("<think>Only a figure on this page.</think>\n\n", 9, "stop")
            on_result(i, [out])


def test_thinking_vlm_pages(data_dir, tmp_path):
    task = ReadocTask("github")
    doc = task.load_docs(data_dir.parent)[0]
    cfg = RunConfig(model="vllm:thinking-vlm", tasks="readoc-github", limit=1, data_dir=str(data_dir.parent))
    run = evaluate(cfg, tmp_path, backends={"model": ThinkingVLM(doc.data["gold"])}, progress=False)
    (rec,) = load_samples(tmp_path, "readoc-github")
    assert rec.record["input"].endswith("pages")
    pages = sorted(rec.extra_outputs)
    assert len(pages) >= 3 and rec.extra_outputs[pages[0]] == [doc.data["gold"]]
    assert all(rec.extra_outputs[p] == [""] for p in pages[1:])
    assert rec.extra_reasoning[pages[-1]] == ["This page has a long table: | a | b |"]
    assert all(v == pytest.approx(1.0) for v in rec.values.values() if v is not None)  # the gold, nothing else
    r = run.tasks["readoc-github"].reasoning
    assert r.verdicts == {"no_reasoning": 0, "complete": len(pages) - 1, "reasoning_truncated": 1,
                          "reasoning_unterminated": 0}

    assert main(["score", str(tmp_path), "--reasoning", "off"]) == 0
    (old,) = load_samples(tmp_path, "readoc-github")
    vlm = ThinkingVLM(doc.data["gold"])
    raw: dict[str, list[Generation]] = {}
    vlm.generate([type("R", (), {"tag": p})() for p in pages], lambda i, g: raw.setdefault(pages[i], g), None)
    task.bind_backend(vlm.info())
    direct = task.score(doc, DocState(outputs=raw), ScoringContext())
    assert old.values == direct.values and old.values["text_concat"] < 1.0  # the thoughts were part of it
    assert load_results(tmp_path).tasks["readoc-github"].reasoning is None
