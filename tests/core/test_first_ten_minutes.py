"""Issue 17's pieces on their own: the terminal capture, --spread, tables that never cut a name,
paired tests in `results compare`, replay by tag (multi-turn), unparsable counts, extras, and
the task-file schema."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from rich.console import Console

from harness import doc_sample, extras
from harness.cli import main
from harness.evaluate import RunConfig, evaluate
from harness.paired import binary_diff_ci, paired_test
from harness.report import summary_table
from harness.results import MetricValue, ModelInfo, Provenance, RunResult, TaskResult, load_results
from harness.store import SampleStore
from harness.task_schema import schema_text
from harness.yaml_task import TaskFile
from tests.conftest import FIXTURES, REPO
from tests.proactivebench.test_through_runner import ACCEPT, FnBackend, agent

ARITH = FIXTURES / "core" / "arith"

NOISY = textwrap.dedent("""
    import logging, os, subprocess, sys, warnings
    sys.path.insert(0, {repo!r})
    early = logging.getLogger("early")  # a library that set up its handler before the run
    early.addHandler(logging.StreamHandler(sys.stderr))
    from harness import terminal
    with terminal.capture({log!r}, verbose={verbose}):
        print("library print")
        warnings.warn("library FutureWarning", FutureWarning)
        early.warning("library log line")
        os.write(2, b"C-level write\\n")
        subprocess.run(["sh", "-c", "echo child process"])
        terminal.echo("our line")
    print("after the run")
""")


@pytest.mark.parametrize("verbose", [False, True])
def test_capture_keeps_the_terminal_for_our_lines_and_the_log_gets_everything(tmp_path, verbose):
    log = tmp_path / "harness.log"
    got = subprocess.run([sys.executable, "-c", NOISY.format(repo=str(REPO), log=str(log), verbose=verbose)],
                         capture_output=True, text=True, timeout=60)
    assert got.returncode == 0, got.stderr
    library = ("library print", "library FutureWarning", "library log line", "C-level write", "child process")
    shown = got.stdout + got.stderr
    assert "our line" in got.stdout and "after the run" in got.stdout
    assert all((line in shown) == verbose for line in library), shown  # only with --verbose
    kept = log.read_text()
    assert all(line in kept for line in library) and "our line" not in kept


def test_spread_covers_every_category_deterministically():
    docs = [("MN", i) for i in range(30)] + [("CR", i) for i in range(30)] + [("CD", i) for i in range(30)] \
        + [("FA", i) for i in range(30)]
    first = doc_sample.select(docs, 10, None)
    assert {c for c, _ in first} == {"MN"}  # the file is sorted by category: --limit alone sees one
    spread = doc_sample.select(docs, 10, lambda d: d[0])
    assert len(spread) == 10 and {c for c, _ in spread} == {"MN", "CR", "CD", "FA"}
    assert spread == doc_sample.select(docs, 10, lambda d: d[0])  # the same sample every time
    assert [c for c, _ in spread].count("MN") == 3 and spread == sorted(spread, key=docs.index)  # file order
    assert doc_sample.select(docs, 500, lambda d: d[0]) == docs


def test_spread_through_the_cli_on_a_sorted_file(tmp_path):
    """proactivebench-judge's file is sorted by category; --limit 8 --spread sees all four."""
    out = tmp_path / "run"
    preds = tmp_path / "p.jsonl"
    from tasks.proactivebench.judge_task import ProactiveBenchJudge

    n = len(ProactiveBenchJudge().load_docs(FIXTURES))
    preds.write_text("".join(json.dumps({"task": "proactivebench-judge", "doc_id": f"rm-{i:03d}", "outputs": [ACCEPT]}) + "\n"
                             for i in range(n)))
    argv = ["run", "--model", f"replay:{preds}", "--tasks", "proactivebench-judge", "--data-dir", str(FIXTURES),
            "--limit", "8", "--spread", "--output", str(out), "--no-progress"]
    assert main(argv) == 0
    tr = load_results(out).tasks["proactivebench-judge"]
    assert set(tr.breakdown["category"]) == {"MN", "CR", "CD", "FA"} and tr.limit_mode == "spread"
    assert tr.metrics["unparsable"].value == 0.0 and tr.metrics["unparsable"].n == 8


def _run(tasks: dict[str, dict[str, float]], n: int = 10) -> RunResult:
    return RunResult(run_id="r", model=ModelInfo(spec="m", backend="vllm", name="some-model", fingerprint="f"),
                     provenance=Provenance(harness_version="0"),
                     tasks={name: TaskResult(task=name, version="1", prompt_hash="p", n_docs=n, sampling={},
                                             metrics={k: MetricValue(value=v, stderr=0.01, ci_low=v - 0.1,
                                                                     ci_high=v + 0.1, n=n) for k, v in ms.items()})
                            for name, ms in tasks.items()})


def test_tables_never_cut_names_at_80_columns():
    langs = "cpp cs d go java jl js lua php pl py r rb rkt rs scala sh swift ts".split()
    tasks = {f"cruxeval-x-{m}-{lang}": {"pass@1": 0.5} for m in ("input", "output") for lang in langs}
    tasks["proactivebench-judge"] = {"agreement": 1.0, "unparsable": 0.3}
    console = Console(file=io.StringIO(), width=80)
    console.print(summary_table(_run(tasks)))
    text = console.file.getvalue()
    assert "…" not in text and max(map(len, text.splitlines())) <= 80
    assert "cruxeval-x-input-* (19)" in text and "cruxeval-x-output-* (19)" in text
    cells = [line.split("│")[1].strip() for line in text.splitlines() if line.startswith("│")]
    assert all(lang in cells for lang in langs)  # each member by what tells it apart
    assert "proactivebench-judge" in text
    assert "3 of 10 (30.0%)" in text  # a judge's unreadable replies, as a count


def test_mcnemar_interval_is_the_paired_bootstrap():
    rng = np.random.default_rng(3)
    a, b = rng.random(400) < 0.55, rng.random(400) < 0.45
    a_only, b_only = int((a & ~b).sum()), int((~a & b).sum())
    lo, hi = binary_diff_ci(a_only, b_only, 400, seed=0)
    idx = np.random.default_rng(1).integers(0, 400, size=(10_000, 400))
    boots = (a.astype(float) - b.astype(float))[idx].mean(axis=1)
    ref_lo, ref_hi = np.percentile(boots, [2.5, 97.5])
    assert abs(lo - ref_lo) < 0.01 and abs(hi - ref_hi) < 0.01 and lo < (a_only - b_only) / 400 < hi


def test_results_compare_runs_the_paired_tests(tmp_path, capsys):
    rows = [f"x{i}" for i in range(40)]
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps({"id": r, "q": r, "answer": "yes"}) + "\n" for r in rows))
    (tmp_path / "t.yaml").write_text('name: yn\ndata: rows.jsonl\nprompt: "{{ q }}?"\nscorer: exact_match\n')
    runs = []
    for name, right in (("a", 10), ("b", 30)):  # B gets 20 more right, A none that B misses
        preds = tmp_path / f"{name}.jsonl"
        preds.write_text("".join(json.dumps({"task": "yn", "doc_id": r, "outputs": ["yes" if i < right else "no"]}) + "\n"
                                 for i, r in enumerate(rows)))
        assert main(["run", "--model", f"replay:{preds}", "--tasks", str(tmp_path / "t.yaml"), "--output",
                     str(tmp_path / name), "--no-progress"]) == 0
        runs.append(tmp_path / name)
    capsys.readouterr()
    assert main(["results", "compare", str(runs[0]), str(runs[1])]) == 0
    shown = capsys.readouterr().out
    expected = paired_test(*[_records(r) for r in runs], "accuracy")
    assert expected.method == "mcnemar-exact" and expected.b_only == 20 and expected.a_only == 0
    assert expected.p_value < 0.001 and "+50.00" in shown and "<0.001* McNemar" in shown
    assert f"[{-expected.ci_high * 100:+.1f}, {-expected.ci_low * 100:+.1f}]" in shown
    assert "†" not in shown
    # the same outputs graded by a newer scorer: compare says so beside the task
    res = load_results(runs[1])
    assert res.tasks["yn"].scorer_version == "1"
    res.tasks["yn"].scorer_version = "2"
    (runs[1] / "results.json").write_text(res.model_dump_json())
    assert main(["results", "compare", str(runs[0]), str(runs[1])]) == 0
    assert "† yn: A and B differ in scorer version 1 / 2 (A / B): not directly comparable" in capsys.readouterr().out


def _records(run_dir):
    from harness.results import load_samples

    return load_samples(run_dir, "yn")


def test_multi_turn_replay_by_tag_gives_the_same_scores(tmp_path):
    """ProactiveBench's agent turns and judge calls, made elsewhere, scored from two replay files."""
    def judge(req):  # unreadable on the first try of every third event: retries (judge-006.2) too
        event = int(req.tag.split("-")[1].split(".")[0])
        return "no verdict" if event % 3 == 0 and "." not in req.tag else ACCEPT

    cfg = RunConfig(model="fake-agent", judge="fake-judge", tasks="proactivebench", data_dir=str(FIXTURES))
    first = evaluate(cfg, tmp_path / "made-elsewhere", backends={"model": FnBackend("agent", agent),
                                                                  "judge": FnBackend("judge", judge)}, progress=False)
    files = {"model": tmp_path / "preds.jsonl", "judge": tmp_path / "judge.jsonl"}
    with SampleStore(tmp_path / "made-elsewhere" / "store") as store:
        lines = {role: [] for role in files}
        for rec in store.records("generation"):
            m = rec["meta"]
            lines[m["role"]].append({"task": m["task"], "doc_id": m["doc_id"], "tag": m["tag"], "role": m["role"],
                                     "outputs": [rec["generation"]["text"]]})
    assert any("." in line["tag"] for line in lines["judge"])  # retries are tagged too
    for role, path in files.items():
        path.write_text("".join(json.dumps(line) + "\n" for line in lines[role]))
    out = tmp_path / "replayed"
    assert main(["run", "--model", f"replay:{files['model']}", "--judge", f"replay:{files['judge']}", "--tasks",
                 "proactivebench", "--data-dir", str(FIXTURES), "--output", str(out), "--no-progress"]) == 0
    again = load_results(out).tasks["proactivebench"]
    want = first.tasks["proactivebench"]
    assert again.failed_docs == 0 and {k: v.value for k, v in again.metrics.items()} == {k: v.value for k, v in want.metrics.items()}
    assert again.breakdown["counts"] == want.breakdown["counts"] and again.metrics["judge_unparsable"].value == 0


def test_extras_name_the_install_line():
    assert extras.extra_for("json5") == "proactivebench"
    assert extras.extra_for("bs4") == "readoc" and extras.extra_for("scipy", prefer="teval") == "teval"
    assert extras.install_line("ray").endswith("[ray]'")
    err = extras.missing(ModuleNotFoundError("No module named 'Levenshtein'", name="Levenshtein"), "task readoc-arxiv")
    assert str(err) == f"task readoc-arxiv: the Python package levenshtein is not installed ({extras.install_line('readoc')})"


def test_schema_describes_every_key_and_its_example_loads(tmp_path, capsys):
    assert main(["tasks", "schema"]) == 0
    text = capsys.readouterr().out
    assert text == schema_text() + "\n"
    assert all(f"\n  {key} " in text for key in TaskFile.model_fields)
    example = "\n".join(line[2:] for line in text.split("example:\n", 1)[1].splitlines())
    (tmp_path / "capitals.yaml").write_text(example)
    (tmp_path / "capitals.jsonl").write_text('{"id": "fr", "country": "France", "target": "Paris", "region": "Europe"}\n')
    preds = tmp_path / "p.jsonl"
    preds.write_text('{"task": "capitals", "doc_id": "fr", "outputs": [" PARIS!\\n"]}\n')
    assert main(["run", "--model", f"replay:{preds}", "--tasks", str(tmp_path / "capitals.yaml"), "--output",
                 str(tmp_path / "run"), "--no-progress"]) == 0
    assert load_results(tmp_path / "run").tasks["capitals"].metrics["accuracy"].value == 1.0
    with pytest.raises(SystemExit):  # argparse exits after --help
        main(["tasks", "--help"])
    assert "harness tasks schema" in capsys.readouterr().out
