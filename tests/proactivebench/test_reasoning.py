"""ProactiveBench with a thinking agent and a thinking judge (small function backends, as in
test_through_runner): replies and verdicts are parsed from the answer after the thinking, the
conversation sent back to the agent carries the answer part only, a thought cut off by
max_tokens is reported (and retried, as any unreadable reply), and outputs without thinking give
the same numbers with or without the split."""

from __future__ import annotations

import json

from harness.evaluate import RunConfig, evaluate
from harness.requests import Generation
from harness.results import load_samples

from .conftest import FIXTURES
from .test_through_runner import ACCEPT, FnBackend, event_of

TRUNCATED_EVENT = 2


class ThinkingBackend(FnBackend):
    """FnBackend whose function also says why each output ended (finish_reason); keeps the requests."""

    def __init__(self, name, fn):
        super().__init__(name, fn)
        self.requests = []

    def generate(self, requests, on_result, on_error):
        for i, r in enumerate(requests):
            self.requests.append(r)
            text, finish = self.fn(r)
            on_result(i, [Generation(text=text, n_tokens=20, finish_reason=finish)])


def reply(req) -> str:
    task = "Offer to explain the error" if event_of(req) % 4 == 1 else None
    return json.dumps({"Purpose": "p", "Thoughts": "t", "Proactive Task": task, "Response": None})


def thinking_agent(req):
    if event_of(req) == TRUNCATED_EVENT:
        return '<think>I could answer {"Proactive Task": "Tidy the desk"} but first let me consider', "length"
    return f'<think>Proposal? {{"Proactive Task": "Tidy the desk"}} seems pushy.</think>\n\n{reply(req)}', "stop"


def thinking_judge(req):
    return '<think>Should I write {"judgement": "rejected"}? No.</think>\n' + ACCEPT, "stop"


def test_thinking_agent_and_judge(tmp_path):
    cfg = RunConfig(model="thinking-agent", judge="thinking-judge", tasks="proactivebench", data_dir=str(FIXTURES))
    agent, judge = ThinkingBackend("agent", thinking_agent), ThinkingBackend("judge", thinking_judge)
    run = evaluate(cfg, tmp_path, backends={"model": agent, "judge": judge}, progress=False)
    res = run.tasks["proactivebench"]
    records = {r.doc_id: r for r in load_samples(tmp_path, "proactivebench")}
    for rec in records.values():
        for ev in rec.record["events"]:
            if ev["event"] == TRUNCATED_EVENT:  # every attempt cut off: no reply, reported
                assert ev["agent"] == "unparsable" and ev["proposal"] is None and ev["agent_attempts"] == 5
            else:  # the proposal is the answer's, never the thought's "Tidy the desk"
                assert ev["agent"] == "ok" and ev["proposal"] == ("Offer to explain the error" if ev["event"] % 4 == 1 else None)
                assert ev["accepted"] is True  # the judge's answer, not the "rejected" it thought of
        thoughts = rec.extra_reasoning
        assert thoughts["event-000"] == ['Proposal? {"Proactive Task": "Tidy the desk"} seems pushy.']
        assert thoughts["judge-000"] == ['Should I write {"judgement": "rejected"}? No.']
        assert thoughts["event-002.5"][0].startswith("I could answer")
    # the conversation sent back to the agent: earlier replies as parsed from the answer part
    history = [m["content"] for r in agent.requests for m in r.messages if m["role"] == "assistant"]
    assert history and not any("<think>" in h or "Tidy the desk" in h for h in history)
    assert res.reasoning.verdicts["reasoning_truncated"] == 5 * len(records)  # the agent's, not the judge's
    assert res.reasoning.generations == sum(len([t for t in r.extra_outputs if t.startswith("event-")])
                                            for r in records.values())
    assert res.breakdown["counts"]["real_average"]["agent_unparsable"].value == len(records)


def plain_agent(req):
    return reply(req), "stop"


def test_outputs_without_thinking_score_the_same_with_or_without_the_split(tmp_path):
    values = {}
    for mode in ("auto", "off"):
        cfg = RunConfig(model="agent", judge="judge", tasks="proactivebench", data_dir=str(FIXTURES), reasoning=mode)
        backends = {"model": ThinkingBackend("agent", plain_agent), "judge": ThinkingBackend("judge", lambda r: (ACCEPT, "stop"))}
        evaluate(cfg, tmp_path / mode, backends=backends, progress=False)
        values[mode] = [(r.doc_id, r.values, r.record) for r in load_samples(tmp_path / mode, "proactivebench")]
    assert values["auto"] == values["off"]
