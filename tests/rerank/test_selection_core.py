"""Selection and voting on a small real subset shipped with the tests (runs anywhere), and the
step splitter and spec parser."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from harness.errors import HarnessError
from harness.rerank.answers import MathVerifyChecker, last_boxed
from harness.rerank.candidates import from_bon_file
from harness.rerank.pipeline import doc_votes
from harness.rerank.selection import best_of_n_metrics, sigmoid
from harness.rerank.spec import parse_spec
from harness.rerank.steps import split_steps

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "rerank" / "qwen25math_bon_8rows.jsonl"


def _rows():
    return [json.loads(line) for line in FIXTURE.read_text().splitlines()]


def _by_hand(k):
    """First-k selections written out from the raw fields."""
    maj = rm = wv = 0.0
    for r in _rows():
        preds, ok, rew = r["pred"][:k], r["score"][:k], [s[0] for s in r["pred_score"][:k]]
        maj += ok[preds.index(Counter(preds).most_common(1)[0][0])]
        rm += ok[rew.index(max(rew))]
        weight = {}
        for p, s in zip(preds, rew):
            weight[p] = weight.get(p, 0.0) + 1 / (1 + np.exp(-s))
        best = max(weight, key=lambda p: (weight[p], -preds.index(p)))
        wv += ok[preds.index(best)]
    n = len(_rows())
    return maj / n, rm / n, wv / n


@pytest.mark.parametrize("k", [1, 2, 4, 8])
def test_first_k_selection_matches_a_hand_computation(k):
    docs, rewards = from_bon_file(FIXTURE)
    m = best_of_n_metrics(doc_votes(docs, str.__eq__, 8), [np.array(r) for r in rewards], draws=20)
    maj, rm, wv = _by_hand(k)
    assert m["maj"][k].value == pytest.approx(maj)
    assert m["bon_first"][k].value == pytest.approx(rm)
    assert m["weighted_vote"][k].value == pytest.approx(wv)
    assert m["pass"][8].value == pytest.approx(np.mean([any(r["score"]) for r in _rows()]))


def test_vote_and_reward_selection_disagree_on_this_subset():
    docs, rewards = from_bon_file(FIXTURE)
    m = best_of_n_metrics(doc_votes(docs, str.__eq__, 8), [np.array(r) for r in rewards], draws=20)
    assert m["maj"][8].value != m["bon_first"][8].value


def test_math_equivalence_merges_differently_written_answers():
    docs, _ = from_bon_file(FIXTURE)
    checker = MathVerifyChecker()
    doc72 = next(d for d in docs if d.doc_id == "72")
    exact = doc_votes([doc72], str.__eq__, 8)[0].classes
    math = doc_votes([doc72], checker.answers_equivalent, 8)[0].classes
    assert len(math) == len(exact) - 1
    assert checker.extract_answer("so $x = \\boxed{\\frac{1}{2}}$.") == "\\frac{1}{2}"
    assert last_boxed("\\boxed{a} then \\boxed{\\{1, 2\\}}") == "\\{1, 2\\}"


def test_sigmoid_weights():
    assert sigmoid(np.array([0.0]))[0] == 0.5


def test_step_splitting():
    text = "Plan.\n\nStep 1: a\nb\n\nStep 2: c\n\nSo \\boxed{3}."
    assert split_steps(text) == ["Plan.\n\n", "Step 1: a\nb\n\n", "Step 2: c\n\nSo \\boxed{3}."]
    assert split_steps(text, "blank") == ["Plan.\n\n", "Step 1: a\nb\n\n", "Step 2: c\n\n", "So \\boxed{3}."]
    assert "".join(split_steps(text, "newline")) == text
    assert split_steps("one step") == ["one step"]
    with pytest.raises(HarnessError):
        split_steps(text, "sentences")


def test_spec_parsing():
    s = parse_spec("implicit-prm:policy=/m/p,ref=/m/r,beta=0.05,agg=sum,engine=hf")
    assert (s.kind, s.params["policy"], s.params["beta"], s.agg) == ("implicit-prm", "/m/p", "0.05", "sum")
    assert parse_spec("orm:/m/orm").params == {"path": "/m/orm"}
    assert parse_spec("prm:/m/prm,tag=<s>").params == {"path": "/m/prm", "tag": "<s>"}
    assert parse_spec("implicit-prm:policy=a,ref=b").agg == "min"
