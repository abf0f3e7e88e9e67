"""Metric arithmetic on hand-made verdict sets, and the round protocol with failing backends."""

import json

import pytest

from tasks.proactivebench import loop
from tasks.proactivebench.metrics import rates
from tasks.proactivebench.task import ProactiveBench

from .conftest import FIXTURES, drive, replay

ACCEPT = '{"thought": "Yes, that helps me.", "judgement": "accepted"}'
REJECT = '{"thought": "Not needed now.", "judgement": "rejected"}'


def event_of(req) -> int:
    return int(req.tag.split("-")[1].split(".")[0])


def reference_scores(events, eps=1e-8):
    """Upstream's definition (eval/calculate_agent_performance.py), on its own event format."""
    tp = tn = fp = fn = 0
    for ev in events:
        for pred, judge in zip(ev["agent_response"], ev["judgement"]):
            if pred is not None:
                tp, fp = tp + bool(judge), fp + (not judge)
            else:
                tn, fn = tn + bool(judge), fn + (not judge)
    recall, precision = tp / (tp + fn + eps), tp / (tp + fp + eps)
    return {"recall": recall, "precision": precision, "accuracy": (tp + tn) / (tp + tn + fp + fn + eps),
            "false_alarm": fp / (tp + fp + eps), "f1": 2 * precision * recall / (precision + recall + 1e-8)}


def agent_proposing(when):
    def agent(req):
        k = event_of(req)
        task = f"Help with step {k}" if when(k) else None
        return json.dumps({"Purpose": "p", "Thoughts": "t", "Proactive Task": task, "Response": None})
    return agent


def judge_accepting(when):
    def judge(req):
        return ACCEPT if when(json.loads(req.messages[1]["content"])) else REJECT
    return judge


def n_obs(payload):
    return len(payload["Observations (Time Ascending)"])


@pytest.fixture(scope="module")
def docs():
    return ProactiveBench().load_docs(FIXTURES)  # code_11 (15 events), writing_13 (20 events)


def test_counts_of_a_hand_made_verdict_set(docs):
    task = ProactiveBench()
    code = docs[0]
    state, rounds = drive(task, code, agent_proposing(lambda k: k % 3 == 0),
                          judge_accepting(lambda p: (n_obs(p) - 1) % 2 == 0))
    s = task.score(code, state, None)
    # proposals at 0,3,6,9,12; accepted at even events -> TP {0,6,12}, FP {3,9},
    # silences accepted {2,4,8,10,14} = TN, rejected {1,5,7,11,13} = FN
    assert {k: s.values[k] for k in ("tp", "fp", "tn", "fn")} == {"tp": 3, "fp": 2, "tn": 5, "fn": 5}
    metrics, breakdown = task.aggregate([s])
    assert metrics["recall"].value == pytest.approx(3 / 8)
    assert metrics["precision"].value == pytest.approx(3 / 5)
    assert metrics["accuracy"].value == pytest.approx(8 / 15)
    assert metrics["false_alarm"].value == pytest.approx(2 / 5)
    assert metrics["f1"].value == pytest.approx(2 * 0.6 * 0.375 / 0.975)
    assert metrics["recall"].n == 15 and breakdown["counts"]["real_average"]["events_judged"].value == 15
    assert set(metrics) == {"recall", "precision", "accuracy", "false_alarm", "f1", "judge_unparsable"}
    assert metrics["judge_unparsable"].value == 0 and metrics["judge_unparsable"].n == 15
    # one agent turn per round; each judge call rides along with the next turn
    assert len(rounds) == 15 + 1


def test_splits_pool_events_and_match_the_reference(docs):
    task = ProactiveBench()
    agent = agent_proposing(lambda k: k % 2 == 1)
    judge = judge_accepting(lambda p: "Proposed Task" in p and (p["Proposed Task"] is None) == (n_obs(p) % 5 != 0))
    scores, upstream = [], {}
    for doc in docs:
        state, _ = drive(task, doc, agent, judge)
        s = task.score(doc, state, None)
        scores.append(s)
        # the same verdicts in upstream's format
        upstream[doc.id] = [{"agent_response": [e["proposal"]], "judgement": [e["accepted"]]}
                            for e in s.record["events"]]
    headline, breakdown = task.aggregate(scores, seed=3)
    splits = breakdown["split"]
    assert set(splits) == {"real_average", "real_coding", "real_writing"}
    expected = {
        "real_average": reference_scores(upstream["code_11"] + upstream["writing_13"]),
        "real_coding": reference_scores(upstream["code_11"]),
        "real_writing": reference_scores(upstream["writing_13"]),
    }
    for split, ref in expected.items():
        for name, value in ref.items():
            assert splits[split][name].value == pytest.approx(value, abs=1e-7), (split, name)
    assert splits["real_average"]["recall"].n == 35
    assert breakdown["counts"]["real_coding"]["events_judged"].value == 15
    assert headline["f1"].value == splits["real_average"]["f1"].value
    # pooled over events, not the mean of the two traces' values
    per_trace_mean = (expected["real_coding"]["accuracy"] + expected["real_writing"]["accuracy"]) / 2
    assert headline["accuracy"].value != pytest.approx(per_trace_mean)
    ci = headline["accuracy"]
    assert ci.ci_low <= ci.value <= ci.ci_high and ci.stderr is not None


def test_zero_denominators_give_zero_like_the_reference():
    silent_all_accepted = {"tp": 0, "fp": 0, "tn": 12, "fn": 0}
    assert rates(silent_all_accepted) == {"recall": 0.0, "precision": 0.0, "accuracy": 1.0,
                                          "false_alarm": 0.0, "f1": 0.0}
    ref = reference_scores([{"agent_response": [None], "judgement": [True]}] * 12)
    assert rates(silent_all_accepted) == pytest.approx(ref, abs=1e-7)


def test_a_failing_judge_costs_only_its_events(docs):
    task = ProactiveBench()
    doc = docs[0]
    agent = agent_proposing(lambda k: k % 2 == 0)

    def flaky_judge(req):
        k = event_of(req)
        if k == 5:
            raise ConnectionError("judge server went away")
        if k == 7:
            return "The user would probably like this. ACCEPTED!!"  # never JSON
        if k == 9 and req.tag == loop.judge_tag(9, 1):
            return '{"thought": "cut off'  # garbage once, then a fine verdict
        return ACCEPT

    state, _ = drive(task, doc, agent, flaky_judge)
    s = task.score(doc, state, None)
    assert s.values["judge_failed"] == 1 and s.values["events_unfinished"] == 1
    assert s.values["judge_unparsable"] == 1 and s.values["events_judged"] == 14
    ev = {e["event"]: e for e in s.record["events"]}
    assert ev[5]["judge"] == "failed" and "went away" in ev[5]["problems"][0]
    assert ev[7]["judge"] == "unparsable" and ev[7]["outcome"] == "FN"  # silence, rejection
    assert ev[9]["outcome"] == "TN" and ev[9]["judge_attempts"] == 2
    # upstream's retry schedule: 10 tries, two greedy then temperature 0.5, all distinct requests
    tries = [state.requests[loop.judge_tag(7, a)].sampling for a in range(1, 11)]
    assert [t.temperature for t in tries] == [0.0, 0.0] + [0.5] * 8
    assert len({json.dumps(t.identity()) for t in tries}) == 10
    # every other verdict kept: all accepted; proposals at even events
    assert (s.values["tp"], s.values["fp"], s.values["tn"], s.values["fn"]) == (8, 0, 5, 1)

    # the next run replays stored generations and asks the judge about event 5 only
    asked = []
    state2, rounds = drive(task, doc, lambda r: pytest.fail("agent asked again"),
                           lambda r: asked.append(r.tag) or ACCEPT, state=replay(state))
    assert asked == ["judge-005"]
    s2 = task.score(doc, state2, None)
    assert s2.values["events_judged"] == 15 and s2.values["judge_failed"] == 0


def test_a_failing_agent_stops_its_trace_and_resumes_next_run(docs):
    task = ProactiveBench()
    doc = docs[1]
    good = agent_proposing(lambda k: k == 2)

    def dying_agent(req):
        if event_of(req) == 4:
            raise TimeoutError("model server timed out")
        return good(req)

    state, _ = drive(task, doc, dying_agent, judge_accepting(lambda p: True))
    s = task.score(doc, state, None)
    assert s.values["agent_failed"] == 1 and s.values["events_judged"] == 4
    assert s.values["events_unfinished"] == 20 - 4
    assert not any(t.startswith("event-005") for t in state.requests)
    asked = []
    state2, _ = drive(task, doc, lambda r: asked.append(r.tag) or good(r), judge_accepting(lambda p: True),
                      state=replay(state))
    assert asked[0] == "event-004" and len(asked) == 16
    assert task.score(doc, state2, None).values["events_judged"] == 20


def test_retries_fan_out_and_the_first_readable_attempt_wins(docs):
    task = ProactiveBench()
    doc = docs[0]

    def agent(req):
        attempt = int(req.tag.split(".")[1]) if "." in req.tag else 1
        if event_of(req) == 0 and attempt < 3:
            return "Sorry, here is my answer: the user opened VS Code."
        return json.dumps({"Purpose": "p", "Proactive Task": f"attempt {attempt}", "Response": "r"})

    state, rounds = drive(task, doc, agent, judge_accepting(lambda p: True))
    tags = [[r.tag for r in rnd] for rnd in rounds]
    assert tags[0] == ["event-000"]
    assert tags[1] == ["event-000.2", "event-000.3", "event-000.4", "event-000.5"]
    s = task.score(doc, state, None)
    first = s.record["events"][0]
    assert first["proposal"] == "attempt 3" and first["agent_attempts"] == 3
    # the next turn's history holds attempt 3's reply, the one upstream's loop would have kept
    history = state.requests["event-001"].messages
    assert json.loads(history[2]["content"])["Proactive Task"] == "attempt 3"
    assert len(rounds) == 15 + 2
