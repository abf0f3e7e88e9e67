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
from tasks.cruxeval.task import CruxEvalTask
from tasks.cruxeval_x.data import known_defects, load_problems
from tasks.cruxeval_x.languages import LANGUAGE_CODES, LANGUAGES
from tasks.cruxeval_x.programs import gold_program, reference_program
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
def test_reference_and_gold_programs_pass(fixture_dir, sandbox_pool, lang):
    box = box_for(sandbox_pool, lang)
    problems = clean_problems(fixture_dir, lang)
    programs = [reference_program(p) for p in problems] + [gold_program(p, "input") for p in problems]
    verdicts = box.run_many(programs)
    failed = [(i, v.reason.value, v.detail or v.stderr[-300:]) for i, v in enumerate(verdicts) if not v.passed]
    assert not failed, failed


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_task_scores_gold_wrong_and_spliced_answers(fixture_dir, sandbox_pool, lang):
    box = box_for(sandbox_pool, lang)
    task = CruxEvalXTask(lang, "output")
    docs = [d for d in task.load_docs(fixture_dir) if d.data["reliability"] == "ok"][:2]
    items = []
    for i, doc in enumerate(docs):
        p = next(x for x in load_problems(fixture_dir, lang) if x.id == doc.data["id"])
        gold = p.gold("output")[0]
        other = next(g for g in (x.gold("output")[0] for x in load_problems(fixture_dir, lang)) if g != gold)
        texts = [f"[ANSWER]\n{gold}\n", f"[ANSWER]\n{other}\n"]
        if i == 0:
            texts.append("[ANSWER]\n" + LANGUAGES[lang].call.replace("????", "1") + "\n")
        items.append((doc, DocState(outputs={"main": [Generation(text=t) for t in texts]})))
    assert items
    scores = task.score_all(items, ScoringContext(resources={"sandbox": box}))
    for score in scores:
        samples = score.record["samples"]
        assert samples[0]["passed"], samples[0]
        assert not samples[1]["passed"], samples[1]
        assert score.values["pass@1"] == pytest.approx(1 / len(samples))
    assert scores[0].record["samples"][2]["verdict"] == "rejected"


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
