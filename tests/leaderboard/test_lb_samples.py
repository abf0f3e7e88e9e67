"""The sample browser's pieces without a browser: how records read (CRUXEval-X verdicts and
tracebacks, ProactiveBench's agent loop with the judge's calls, chat prompts, reasoning), the
paged data files, the static first page, symlinked runs, and `harness view`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

import lb_synth as synth
from harness.results import SampleRecord, load_samples
from leaderboard.browser import CHUNK_BYTES, PAGE_SIZE, Fragments, write_browser_data
from leaderboard.collect import collect
from leaderboard.samples import sample_view
from leaderboard.site import _env, build_site
from leaderboard.views import COUNT, PERCENT

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures" / "leaderboard"
CRUX = FIXTURES / "cruxeval-x"
PROACTIVE = FIXTURES / "proactivebench"


@pytest.fixture(scope="module")
def fragments() -> Fragments:
    return Fragments(_env())


def test_cruxeval_x_records_read_as_answers_verdicts_and_collapsed_tracebacks(fragments):
    records = load_samples(CRUX / "crux-sloppy", "cruxeval-x-input-py")
    rec = next(r for r in records if r.doc_id == "1")  # one output raised, one passed
    view = sample_view(rec, "pass@1", {"pass@1": PERCENT})
    assert (view["verdict"], view["verdict_class"]) == ("partial", "partial")
    first, second = view["outputs"]
    samples = rec.record["samples"]
    assert first["answer"] == samples[0]["answer"] and first["passed"] is False
    assert ("verdict", "runtime_error") in first["reasons"]
    assert first["streams"][0]["name"] == "stderr_tail" and "ZeroDivisionError" in first["streams"][0]["text"]
    assert second["passed"] is True and second["reasons"] == [] and second["streams"] == []
    assert "samples" not in view["record"]  # lifted into the outputs
    html = "".join(fragments.render(view))
    # the traceback is pre-formatted inside a collapsed panel; no Python repr of the record
    stream = re.search(r'<details class="stream"><summary>stderr_tail.*?</summary><pre>(.*?)</pre></details>', html, re.S)
    assert stream and "ZeroDivisionError: division by zero" in stream.group(1)
    assert "{&#39;" not in html and "{'" not in html and "[{" not in html


def test_proactivebench_agent_loop_and_judge_calls_as_a_conversation(fragments):
    rec = load_samples(PROACTIVE / "eager-agent", "proactivebench")[0]
    events = rec.record["events"]
    view = sample_view(rec, "f1", {"f1": PERCENT, "tp": COUNT})
    assert view["verdict"] == "pooled"  # f1 is pooled over events: no per-document value
    steps = view["conversation"]
    assert [s["n"] for s in steps] == [e["event"] for e in events]
    for step, event in zip(steps, events):
        assert [t["tag"] for t in step["turns"]] == [f"event-{event['event']:03d}", f"judge-{event['event']:03d}"]
        assert step["turns"][0]["texts"][0]["text"] == rec.extra_outputs[f"event-{event['event']:03d}"][0]
        assert step["entry"]["outcome"] == event["outcome"] and step["entry"]["proposal"] == event["proposal"]
    assert view["calls"] == len(rec.extra_outputs) and "events" not in view["record"]
    assert [m["role"] for m in view["prompt"]["chat"]] == ["system", "user"]
    html = "".join(fragments.render(view))
    assert html.count('class="turn turn-judge"') == len(events) and "outcome" in html


def test_chat_prompts_and_reasoning_apart_from_the_answer(tmp_path, fragments):
    run = synth.teval_chat_run(tmp_path)
    rec = load_samples(run, "teval-reason-str")[0]
    view = sample_view(rec, "score", {"score": PERCENT})
    assert [m["role"] for m in view["prompt"]["chat"]] == ["system", "user", "assistant", "function"]
    out = view["outputs"][0]
    assert out["text"] == rec.outputs[0] and out["reasoning"] == rec.reasoning[0]
    assert out["thinking"]["verdict"] == "complete" and out["answer"] == rec.record["scored_output"]
    html = "".join(fragments.render(view))
    assert '<details class="reasoning">' in html and "thinking: complete · 14 + 6 tokens" in html
    # an old record (no reasoning fields) reads the same, without them
    old = SampleRecord(task="t", doc_id="d", prompt="p", outputs=["x"], values={"score": 1.0})
    assert sample_view(old, "score", {"score": PERCENT})["outputs"][0]["reasoning"] is None


def test_data_files_are_pages_of_fragments_and_an_index(tmp_path, fragments):
    records = [SampleRecord(task="math", doc_id=f"test/{i}.json", prompt="Q" * 300,
                            outputs=[f"answer {i}.{k} " + "y" * 1500 for k in range(8)],
                            values={"accuracy": (i % 3) / 2 if i % 3 < 3 else 0.0}, groups={"level": f"Level {1 + i % 5}"},
                            record={"extracted": [str(k) for k in range(8)], "correct": [k < i % 3 for k in range(8)]})
               for i in range(300)]
    data = write_browser_data(tmp_path, "samples/run/math-v1", records, "accuracy", {"accuracy": PERCENT}, fragments)

    def read(name):
        text = (tmp_path / "samples/run/math-v1" / name).read_text()
        ident, payload = re.fullmatch(r'LB\.put\((".*?"),(.*)\);\n', text, re.S).groups()
        return json.loads(ident), json.loads(payload)

    ident, index = read("index.js")
    assert ident == "samples/run/math-v1/index" and len(index["docs"]) == data.n == 300
    assert index["groups"]["level"] == [f"Level {k}" for k in range(1, 6)]  # natural order
    assert index["verdicts"] == {"wrong": 100, "partial": 100, "correct": 100}
    seen = []
    for c in range(data.chunks):
        ident, chunk = read(f"c{c}.js")
        assert ident == f"samples/run/math-v1/c{c}"
        sizes = [sum(len(f) for f in frags[:3]) for frags in chunk["docs"].values()]
        assert sum(sizes) - sizes[-1] < CHUNK_BYTES  # a chunk closes once it reaches the budget
        seen += [d for d in chunk["docs"]]
        for doc in chunk["docs"]:
            assert index["docs"][[d[0] for d in index["docs"]].index(doc)][1] == c
    assert sorted(seen) == sorted(r.doc_id for r in records) and data.chunks > 10
    assert len(data.first_page) == PAGE_SIZE


def test_a_browser_page_reads_without_javascript(tmp_path):
    root = tmp_path / "results"
    shutil.copytree(CRUX / "crux-sloppy", root / "crux-sloppy")
    build_site(root, tmp_path / "site")
    run = collect(root).entries[0].runs[0]
    page = (tmp_path / "site" / "samples" / "crux-sloppy-66e4d760" / "cruxeval-x-output-py-v1.html").read_text()
    assert run.result.run_id == "crux-sloppy-66e4d760"
    records = load_samples(root / "crux-sloppy", "cruxeval-x-output-py")
    assert page.count('<article class="sample') == len(records)  # fewer than a page: all of them
    assert "<noscript>" in page and "ZeroDivisionError" in page


def test_symlinked_run_directories_are_followed(tmp_path):
    elsewhere = tmp_path / "kept" / "crux-careful"
    shutil.copytree(CRUX / "crux-careful", elsewhere)
    root = tmp_path / "results"
    root.mkdir()
    (root / "careful").symlink_to(elsewhere, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)  # a cycle ends
    board = collect(root)
    assert [r.result.run_id for e in board.entries for r in e.runs] == ["crux-careful-aa587099"]
    assert not board.left_out


def test_harness_view_serves_one_run_without_a_build_step(tmp_path, capsys):
    from harness.cli import build_parser
    from leaderboard.cli import cmd_view, main

    assert build_parser().parse_args(["view", "RUN", "--no-open"]).func is cmd_view  # `harness view`
    run = tmp_path / "crux-careful"
    shutil.copytree(CRUX / "crux-careful", run)
    env = {**os.environ, "PYTHONPATH": str(HERE.parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "leaderboard.cli", "view", str(run), "--no-open"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/\S+", line).group(0)
        assert url.endswith("/samples/crux-careful-aa587099/index.html")
        with urllib.request.urlopen(url, timeout=10) as resp:
            page = resp.read().decode()
        assert "cruxeval-x-output-py" in page and 'href="cruxeval-x-output-py-v1.html"' in page
        with urllib.request.urlopen(url.replace("index.html", "cruxeval-x-output-py-v1/index.js"), timeout=10) as resp:
            assert resp.read().startswith(b'LB.put("samples/crux-careful-aa587099/cruxeval-x-output-py-v1/index"')
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert main(["view", str(tmp_path / "nothing"), "--no-open"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "no run at" in err
