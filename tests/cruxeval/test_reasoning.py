"""CRUXEval and CRUXEval-X on a thinking model's outputs (a replay file): the answer is extracted
from the text after the thinking, an [ANSWER] quoted inside the thinking is not graded, a thought
cut off by max_tokens is reported, and `harness score --reasoning off` gives the old verdicts
(each stored raw output judged on its own by the task and the same sandbox)."""

from __future__ import annotations

import json

from harness.cli import main
from harness.results import load_results, load_samples
from harness.task import ScoringContext
from tasks.cruxeval.execution import run_attempts
from tasks.cruxeval.task import CruxEvalTask
from tasks.cruxeval_x.data import load_problems
from tasks.cruxeval_x.task import CruxEvalXTask

from .test_sandbox_e2e import box_for

GOLD_0 = "[(4, 1), (4, 1), (4, 1), (4, 1), (2, 3), (2, 3)]"
OUTPUTS = {
    ("cruxeval-output", "sample_0"): (f"<think>Sorted, maybe == [(1, 3)] first.</think>\n"
                                      f"assert f([1, 1, 3, 1, 3, 1]) == {GOLD_0}\n[/ANSWER]", "stop"),
    # cut off while thinking, with the right assertion inside: the old scoring graded it
    ("cruxeval-output", "sample_1"): ("<think>Tracing dict.fromkeys:\nassert f((1, ), (1, ), (1, 2)) == {1: None, 2: None}",
                                      "length"),
    ("cruxeval-x-output-py", "2"): ("<think>First guess [ANSWER]'wrong'[/ANSWER], let me recheck.</think>\n"
                                    "'hbtofdeiequ'\n[/ANSWER]", "stop"),
    ("cruxeval-x-output-py", "3"): ("<think>It returns 'bcksrutq' I think, but the loop", "length"),
}


def test_thinking_outputs_on_cruxeval_and_x(fixture_dir, sandbox_pool, tmp_path):
    box = box_for(sandbox_pool, "py")
    replay = tmp_path / "thinker.jsonl"
    replay.write_text("".join(json.dumps({"task": t, "doc_id": d, "outputs": [o], "finish_reasons": [f]}) + "\n"
                              for (t, d), (o, f) in OUTPUTS.items()))
    run_dir = tmp_path / "run"
    assert main(["run", "--model", f"replay:{replay}", "--tasks", "cruxeval-output,cruxeval-x-output-py",
                 "--limit", "2", "--samples", "1", "--data-dir", str(fixture_dir), "--score-option",
                 f"sandbox={box.describe()['kind']}", "--output", str(run_dir), "--no-progress"]) == 0

    def records():
        return {(t, r.doc_id): r for t in ("cruxeval-output", "cruxeval-x-output-py") for r in load_samples(run_dir, t)}

    recs = records()
    verdicts = {k: r.reasoning_info[0]["verdict"] for k, r in recs.items()}
    assert verdicts == {("cruxeval-output", "sample_0"): "complete", ("cruxeval-output", "sample_1"): "reasoning_truncated",
                        ("cruxeval-x-output-py", "2"): "complete", ("cruxeval-x-output-py", "3"): "reasoning_truncated"}
    answers = {k: r.record["samples"][0]["answer"] for k, r in recs.items()}
    assert answers[("cruxeval-output", "sample_0")] == GOLD_0 and answers[("cruxeval-x-output-py", "2")] == "'hbtofdeiequ'"
    assert answers[("cruxeval-output", "sample_1")] == "" and answers[("cruxeval-x-output-py", "3")] == ""
    assert {k: r.values["pass@1"] for k, r in recs.items()} == {k: float(v == "complete") for k, v in verdicts.items()}
    results = load_results(run_dir)
    assert all(results.tasks[t].reasoning.verdicts["reasoning_truncated"] == 1 for t in ("cruxeval-output", "cruxeval-x-output-py"))

    assert main(["score", str(run_dir), "--reasoning", "off"]) == 0
    old = records()
    rows = {d.id: d.data for d in CruxEvalTask("output").load_docs(fixture_dir)}
    problems = {str(p.id): p for p in load_problems(fixture_dir, "py")}
    attempts = {k: (CruxEvalTask("output").attempt(rows[k[1]], text) if k[0] == "cruxeval-output"
                    else CruxEvalXTask("py", "output").attempt(problems[k[1]], text))
                for k, (text, _) in OUTPUTS.items()}
    run_attempts(list(attempts.values()), ScoringContext(resources={"sandbox": box}))
    for k, (text, _) in OUTPUTS.items():
        assert old[k].outputs == [text] and old[k].reasoning_info == []
        assert old[k].values["pass@1"] == float(attempts[k].passed), k
    assert old[("cruxeval-output", "sample_1")].values["pass@1"] == 1.0  # the old number graded the thought
