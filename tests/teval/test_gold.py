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
def test_plan_gold_is_perfect(teval_data, ctx, task_name, render):
    task, scores = _score_file(task_name, render, ctx, sample=True)
    assert len(scores) == (553 if FULL else 69)  # 56 tenth rows + 13 more with repeated steps
    below = [(s.doc_id, s.values["f1_score"], s.record.get("matching")) for s in scores if s.values["f1_score"] < 1 - 1e-9]
    assert below == []
    metrics, _ = task.aggregate(scores)
    for m in ("precision", "recall", "f1_score", "parse_rate"):
        assert metrics[m].value == pytest.approx(1.0)
