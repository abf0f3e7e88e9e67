"""proactivebench-judge: agreement with the people on the reward model's test items."""

import json

import pytest

from harness.task import DocState

from tasks.proactivebench.judge_task import ProactiveBenchJudge

from .conftest import FIXTURES, drive

ACCEPT = '{"thought": "I want this.", "judgement": "accepted"}'
REJECT = '{"thought": "Leave me alone.", "judgement": "rejected"}'


def run(task, docs, judge):
    scores = []
    for doc in docs:
        state, rounds = drive(task, doc, judge)
        assert len(rounds) == 1 and rounds[0][0].role == "model"
        scores.append(task.score(doc, state, None))
    return task.aggregate(scores)


def test_always_accepting_judge_on_the_120_items(real_data):
    task = ProactiveBenchJudge()
    docs = task.load_docs(real_data)
    assert len(docs) == 120
    metrics, breakdown = run(task, docs, lambda r: ACCEPT)
    # people accept in CR and CD (60 items), reject in MN and FA (60 items)
    assert metrics["agreement_CR"].value == 1.0 and metrics["agreement_CD"].value == 1.0
    assert metrics["agreement_MN"].value == 0.0 and metrics["agreement_FA"].value == 0.0
    assert metrics["accuracy"].value == pytest.approx(0.5)
    assert metrics["precision"].value == pytest.approx(0.5)
    assert metrics["recall"].value == pytest.approx(1.0)
    assert metrics["f1"].value == pytest.approx(2 / 3)
    assert metrics["accuracy"].n == 120
    assert breakdown["category"]["FA"]["agreement"].value == 0.0


def test_unreadable_verdicts_follow_the_reference(real_data):
    """No verdict: wrong for agreement, but a rejection (so TN when people rejected) in the matrix."""
    task = ProactiveBenchJudge()
    docs = task.load_docs(real_data)

    def judge(req):
        payload = json.loads(req.messages[1]["content"])
        if payload["Proposed Task"] is None:
            return "Hmm, I am not sure."  # no verdict on every null proposal (MN and CR)
        return REJECT

    metrics, breakdown = run(task, docs, judge)
    # MN (null, people reject) and CR (null, people accept): unparsable -> agreement 0 both;
    # CD (proposal, accepted by people) rejected: 0; FA (proposal, rejected by people) rejected: 1
    assert [metrics[f"agreement_{c}"].value for c in ("MN", "CR", "CD", "FA")] == [0.0, 0.0, 0.0, 1.0]
    assert metrics["agreement"].value == pytest.approx(30 / 120)
    assert metrics["accuracy"].value == pytest.approx(60 / 120)  # MN and FA count as TN
    assert metrics["precision"].value is None and metrics["recall"].value == 0.0
    assert breakdown["counts"]["all"]["unparsable"].value == 60
    assert breakdown["counts"]["MN"]["unparsable"].value == 30


def test_fixture_items_and_request_shape():
    task = ProactiveBenchJudge()
    docs = task.load_docs(FIXTURES)
    assert len(docs) == 8
    req = task.next_requests(docs[0], DocState(), task.default_sampling)[0]
    assert req.sampling.temperature == 0.0 and req.messages[0]["role"] == "system"
    assert json.loads(req.messages[1]["content"])["Observations (Time Ascending)"] == docs[0].data["obs"]
