"""End to end through the real sandbox, per language: the data's programs pass, the programs
built from gold answers pass, a wrong answer fails, a spliced answer is rejected, and CRUXEval's
scorer reproduces the reference's verdicts on its published codellama-7b generations.

Each language is skipped, with the reason, where neither a docker image nor a host toolchain
for it exists (CI builds them)."""

from __future__ import annotations

import json

import pytest

from harness.requests import Generation
from harness.task import Doc, DocState, ScoringContext
from tasks.cruxeval.execution import Attempt, run_attempts
from tasks.cruxeval.task import CruxEvalTask
from tasks.cruxeval_x.data import known_defects, load_problems
from tasks.cruxeval_x.languages import LANGUAGE_CODES, LANGUAGES
from tasks.cruxeval_x.programs import reference_program
from tasks.cruxeval_x.task import CruxEvalXTask


def box_for(pool, lang):
    box, why = pool.for_language(lang)
    if box is None:
        pytest.skip(f"no sandbox can run {lang} here: {why}")
    return box


def clean_problems(fixture_dir, lang, n=2):
    """The first n defect-free fixture problems (two keep the compiled languages quick)."""
    return [p for p in load_problems(fixture_dir, lang) if not known_defects(p)][:n]


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_reference_gold_wrong_and_spliced_answers(fixture_dir, sandbox_pool, lang):
    """One sandbox batch per language (one compile for the compiled ones): the data's program and
    the programs built from gold answers pass in both modes, another problem's answer fails, a
    spliced answer is rejected before running, and the document's pass@1 counts them."""
    box = box_for(sandbox_pool, lang)
    p1, p2 = clean_problems(fixture_dir, lang)
    tin, tout = CruxEvalXTask(lang, "input"), CruxEvalXTask(lang, "output")
    gold = {(p.id, m): p.gold(m)[0] for p in (p1, p2) for m in ("input", "output")}
    assert gold[(p1.id, "output")] != gold[(p2.id, "output")]
    must_pass = [Attempt(answer="<reference program>", program=reference_program(p1))]
    must_pass += [tin.attempt(p, f"[ANSWER]\n{gold[(p.id, 'input')]}\n") for p in (p1, p2)]
    must_pass += [tout.attempt(p, f"[ANSWER]\n{gold[(p.id, 'output')]}\n") for p in (p1, p2)]
    wrong = tout.attempt(p1, f"[ANSWER]\n{gold[(p2.id, 'output')]}\n")
    spliced = tout.attempt(p1, "[ANSWER]\n" + LANGUAGES[lang].call.replace("????", "1") + "\n")
    run_attempts(must_pass + [wrong, spliced], ScoringContext(resources={"sandbox": box}))
    failed = [(a.answer, a.reason, a.detail, a.extra.get("stderr_tail", "")) for a in must_pass if not a.passed]
    assert not failed, failed
    assert not wrong.passed and wrong.reason != "rejected", (wrong.reason, wrong.detail)
    assert spliced.reason == "rejected" and spliced.program is None
    doc = next(d for d in tout.load_docs(fixture_dir) if d.data["id"] == p1.id)
    score = tout._doc_score(doc, [must_pass[3], wrong, spliced])
    assert score.values["pass@1"] == pytest.approx(1 / 3)
    assert [s["verdict"] for s in score.record["samples"]][2] == "rejected"


def test_cruxeval_x_score_all_through_the_context_sandbox(fixture_dir, sandbox_pool):
    """The task's batched score_all, as the runner calls it: gold, wrong and spliced samples."""
    box = box_for(sandbox_pool, "py")
    task = CruxEvalXTask("py", "input")
    docs = task.load_docs(fixture_dir)
    items = []
    for doc in docs:
        gold = next(p for p in load_problems(fixture_dir, "py") if p.id == doc.data["id"]).gold("input")[0]
        texts = [f"[ANSWER]\n{gold}\n", "[ANSWER]\ncandidate('surely not')\n", "[ANSWER]\ncandidate(1) or True\n"]
        items.append((doc, DocState(outputs={"main": [Generation(text=t) for t in texts]})))
    scores = task.score_all(items, ScoringContext(resources={"sandbox": box}))
    for s in scores:
        assert [x["passed"] for x in s.record["samples"]] == [True, False, False], s.record
        assert s.record["samples"][2]["rejected"] == "not_a_single_call"
        assert s.values["pass@1"] == pytest.approx(1 / 3) and s.groups["language"] == "py"


def test_php_program_without_open_tag_passes_any_answer(fixture_dir, sandbox_pool):
    """A data defect, kept as the reference scores it: the interpreter echoes the text."""
    box = box_for(sandbox_pool, "php")
    p = next(x for x in load_problems(fixture_dir, "php") if x.id == 33)
    task = CruxEvalXTask("php", "output")
    v = box.run(task.attempt(p, "[ANSWER]\n'certainly wrong'\n").program)
    assert v.passed


def test_cruxeval_scorer_reproduces_reference_verdicts(fixture_dir, sandbox_pool):
    """25 problems x 10 codellama-7b generations scored by the reference (its published
    results file): our verdicts must be identical, 250 of 250."""
    box = box_for(sandbox_pool, "py")
    ref = json.loads((fixture_dir / "reference_codellama7b_input.json").read_text())
    task = CruxEvalTask("input")
    items = [(Doc(id=k, data=v["row"]), DocState(outputs={"main": [Generation(text=g) for g in v["generations"]]}))
             for k, v in ref["problems"].items()]
    scores = task.score_all(items, ScoringContext(resources={"sandbox": box}))
    mine = {s.doc_id: [x["passed"] for x in s.record["samples"]] for s in scores}
    theirs = {k: v["reference_scores"] for k, v in ref["problems"].items()}
    assert mine == theirs
    mean = sum(s.values["pass@1"] for s in scores) / len(scores)
    assert mean == pytest.approx(sum(map(sum, theirs.values())) / 250)


def test_cruxeval_reference_programs_pass(fixture_dir, sandbox_pool):
    box = box_for(sandbox_pool, "py")
    task = CruxEvalTask("output")
    verdicts = box.run_many([p for _, p in task.reference_programs(task.load_docs(fixture_dir))])
    assert all(v.passed for v in verdicts), [v.stderr[-200:] for v in verdicts if not v.passed]
