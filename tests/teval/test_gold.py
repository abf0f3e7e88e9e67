"""The gold answers of the shared files, scored as predictions, get the maximum score."""

import json
import os

import pytest

from harness.requests import Generation
from harness.task import DocState, ScoringContext
from tasks.teval import files
from tasks.teval.task import TEvalTask


#: PLAN rows scored: every 10th row, plus every row whose gold plan repeats a step (the cases where
#: equal weights leave the matching a choice); HARNESS_TEVAL_FULL_GOLD=1 scores the whole files.
FULL = os.environ.get("HARNESS_TEVAL_FULL_GOLD") == "1"


def _sample(docs):
    if FULL:
        return docs

    def repeats(doc):
        core = [(s["name"], str(s["args"])) for s in doc.data["ground_truth"] if s["name"] != "FinishAction"]
        return len(set(core)) < len(core)

    return [d for i, d in enumerate(docs) if i % 10 == 0 or repeats(d)]


def _score_file(task_name, render, ctx, sample=False):
    """Scored in the batched mode (several times faster; the properties below hold in both modes,
    test_plan_modes.py checks the reference mode on the tied rows)."""
    ctx = ScoringContext(options={"teval_matching": "batched"}, resources=ctx.resources)
    task = TEvalTask(files.SPECS[task_name])
    docs = task.load_docs(None)
    docs = _sample(docs) if sample else docs
    items = [(d, DocState(outputs={"main": [Generation(text=render(d.data))]})) for d in docs]
    scores = task.score_all(items, ctx)
    return task, scores


def gold_json(row):
    """The gold plan as a model would write it: a JSON list, args as a Python-dict string."""
    return json.dumps([{"id": s["id"], "name": s["name"], "args": str(s["args"])} for s in row["ground_truth"]])


def gold_str(row):
    """One line per gold step, naming the API and its arguments (FinishAction is not an API)."""
    return "\n".join(f"Use {s['name']} with {s['args']}" for s in row["ground_truth"] if s["name"] != "FinishAction")


def test_review_gold_is_perfect(teval_data):
    task, scores = _score_file("teval-review", lambda r: "Answer: " + r["ground_truth"]["answer"], ScoringContext())
    metrics, breakdown = task.aggregate(scores)
    assert len(scores) == 487
    assert metrics["review_quality"].value == 1.0 and metrics["parse_rate"].value == 1.0
    assert {k: v["review_quality"].n for k, v in breakdown["gold_answer"].items()} == {"A": 207, "B": 37, "C": 86, "D": 25, "E": 132}


@pytest.mark.parametrize("task_name,render", [("teval-plan-json", gold_json), ("teval-plan-str", gold_str)])
def test_plan_gold_gets_the_maximum(teval_data, ctx, task_name, render):
    """Gold plans find every gold step. F1 is 1 on every row whose steps are all different; where
    steps repeat (json: same name and args; str: same name), equal weights let networkx's
    matching cross two of them, and the LIS then counts one step fewer, exactly as upstream
    (README quirk 5; whole files in the reference mode: bench/teval_plan_modes.py)."""
    task, scores = _score_file(task_name, render, ctx, sample=True)
    assert len(scores) == (553 if FULL else 69)  # 56 tenth rows + 13 more with repeated steps
    docs = {d.id: d for d in task.load_docs(None)}
    json_fmt = task_name.endswith("json")
    for s in scores:
        gold = [g for g in docs[s.doc_id].data["ground_truth"] if g["name"] != "FinishAction"]
        key = (lambda g: (g["name"], str(g["args"]))) if json_fmt else (lambda g: g["name"])
        assert s.values["parse_rate"] == 1.0
        assert sorted(s.record["matching"]) == list(range(len(gold))), s.doc_id  # every gold step matched once
        for i, j in enumerate(s.record["matching"]):
            assert key(gold[j]) == key(gold[i]), s.doc_id                        # to an equal step
        if len({key(g) for g in gold}) == len(gold):
            assert s.values["f1_score"] == pytest.approx(1.0), s.doc_id
    metrics, _ = task.aggregate(scores)
    assert metrics["parse_rate"].value == 1.0
