"""Through the harness's own runner and store: a flaky judge costs only its events, the next run
asks only what failed, and `score` with another judge re-uses the stored agent turns.

The backends are small functions (the real model end to end is a separate, manual check)."""

import json

from harness.backends.base import Backend
from harness.evaluate import RunConfig, StoreOnlyBackend, evaluate
from harness.requests import Generation
from harness.results import ModelInfo, load_samples

from .conftest import FIXTURES

ACCEPT = '{"thought": "Good idea.", "judgement": "accepted"}'
REJECT = '{"thought": "No.", "judgement": "rejected"}'


class FnBackend(Backend):
    kind = "fn"

    def __init__(self, name, fn):
        self.fn, self.calls = fn, []
        self._info = ModelInfo(spec=name, backend="fn", name=name, fingerprint=f"fp-{name}")

    def info(self):
        return self._info

    def generate(self, requests, on_result, on_error):
        for i, r in enumerate(requests):
            self.calls.append((r.doc_id, r.tag))
            try:
                on_result(i, [Generation(text=self.fn(r), n_tokens=5)])
            except Exception as e:
                on_error(i, f"{type(e).__name__}: {e}")


def event_of(req):
    return int(req.tag.split("-")[1].split(".")[0])


def agent(req):
    task = "Offer to explain the error" if event_of(req) % 4 == 1 else None
    return json.dumps({"Purpose": "p", "Thoughts": "t", "Proactive Task": task, "Response": None})


def test_flaky_judge_then_resume_then_rejudge(tmp_path):
    cfg = RunConfig(model="fake-agent", judge="fake-judge", tasks="proactivebench", data_dir=str(FIXTURES))
    down = {("code_11", "judge-003"), ("writing_13", "judge-010")}

    def flaky(req):
        if (req.doc_id, req.tag) in down:
            raise ConnectionError("judge unreachable")
        return ACCEPT

    run = evaluate(cfg, tmp_path, backends={"model": FnBackend("agent", agent), "judge": FnBackend("judge", flaky)},
                   progress=False)
    res = run.tasks["proactivebench"]
    counts = res.breakdown["counts"]["real_average"]
    assert res.failed_docs == 2 and res.n_docs == 2  # both traces scored, both to be retried
    assert counts["events_judged"].value == 35 - 2
    assert counts["judge_failed"].value == 2
    assert res.breakdown["counts"]["real_coding"]["events_judged"].value == 14
    assert res.metrics["accuracy"].n == 33
    assert run.judge.fingerprint == "fp-judge"
    records = {r.doc_id: r for r in load_samples(tmp_path, "proactivebench")}
    assert records["code_11"].record["events"][3]["judge"] == "failed"
    assert set(res.data_files) and all(len(h) == 64 for h in res.data_files.values())

    # second run: the agent is not asked again, the judge only about the two failed events
    agent2, judge2 = FnBackend("agent", agent), FnBackend("judge", lambda r: ACCEPT)
    run2 = evaluate(cfg, tmp_path, backends={"model": agent2, "judge": judge2}, progress=False)
    assert agent2.calls == [] and sorted(judge2.calls) == sorted(down)
    res2 = run2.tasks["proactivebench"]
    assert res2.failed_docs == 0 and res2.breakdown["counts"]["real_average"]["events_judged"].value == 35
    # every event accepted: proposals (events 1, 5, 9, ...) are TP, silences TN
    assert res2.metrics["accuracy"].value == 1.0 and res2.metrics["false_alarm"].value == 0.0

    # re-judging: agent turns from the store, a new judge asked about every event
    judge3 = FnBackend("strict-judge", lambda r: REJECT)
    stored_agent = StoreOnlyBackend(agent2.info())
    run3 = evaluate(cfg, tmp_path, backends={"model": stored_agent, "judge": judge3}, progress=False)
    res3 = run3.tasks["proactivebench"]
    assert len(judge3.calls) == 35 and res3.failed_docs == 0
    assert res3.metrics["accuracy"].value == 0.0 and res3.metrics["precision"].value == 0.0
    c2, c3 = (r.breakdown["counts"]["real_average"] for r in (res2, res3))
    assert c3["tp"].value == 0 and c3["fp"].value == c2["tp"].value > 0
