"""Through the harness's own runner and store: a flaky judge costs only its events, the next run
asks only what failed, and `score` with another judge re-uses the stored agent turns.

The backends are small functions (the real model end to end is a separate, manual check)."""

import json

from harness.backends.base import Backend
from harness.evaluate import RunConfig, StoreOnlyBackend, evaluate
from harness.requests import Generation
from harness.results import ModelInfo, load_samples

from tests.conftest import live_engines_of

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


def outcomes(run_dir):
    return {(r.doc_id, e["event"]): (e["judge"], e.get("outcome"))
            for r in load_samples(run_dir, "proactivebench") for e in r.record["events"]}


def test_garbage_or_raising_judge_costs_only_those_events(tmp_path):
    """Through evaluate(): a judge that writes garbage (once, or on every attempt) or raises on
    some calls; every other verdict is the one a sound judge gives."""
    cfg = RunConfig(model="fake-agent", judge="fake-judge", tasks="proactivebench", data_dir=str(FIXTURES))
    evaluate(cfg, tmp_path / "clean", backends={"model": FnBackend("agent", agent),
                                                "judge": FnBackend("judge", lambda r: ACCEPT)}, progress=False)
    clean = outcomes(tmp_path / "clean")

    def bad(req):
        where = (req.doc_id, event_of(req))
        if where == ("code_11", 2):
            return "The user would surely like that. ACCEPTED!!"  # never a verdict, all 10 attempts
        if where == ("writing_13", 6) and "." not in req.tag:
            return '{"thought": "cut off'  # garbage once; the retry is fine
        if where == ("writing_13", 13):
            raise RuntimeError("judge crashed")
        return ACCEPT

    judge = FnBackend("judge", bad)
    run = evaluate(cfg, tmp_path / "run", backends={"model": FnBackend("agent", agent), "judge": judge}, progress=False)
    res = run.tasks["proactivebench"]
    counts = res.breakdown["counts"]["real_average"]
    assert (counts["judge_unparsable"].value, counts["judge_failed"].value) == (1, 1)
    assert counts["events_judged"].value == 35 - 1 and res.failed_docs == 1  # writing_13, to retry
    got = outcomes(tmp_path / "run")
    assert got.pop(("code_11", 2)) == ("unparsable", "FN")  # silence, counted as rejected (README)
    assert got.pop(("writing_13", 13)) == ("failed", None)
    assert got == {k: v for k, v in clean.items() if k not in {("code_11", 2), ("writing_13", 13)}}
    records = {r.doc_id: r for r in load_samples(tmp_path / "run", "proactivebench")}
    ev2 = records["code_11"].record["events"][2]
    assert ev2["judge_attempts"] == 10 and "judge-002" in ev2["problems"][0]
    assert len([t for t in records["code_11"].extra_outputs if t.startswith("judge-002")]) == 10
    assert records["writing_13"].record["events"][6]["judge_attempts"] == 2
    assert "crashed" in records["writing_13"].record["events"][13]["problems"][0]

    # next run: only the call that raised is asked again; garbage verdicts come from the store
    judge2 = FnBackend("judge", bad)
    run2 = evaluate(cfg, tmp_path / "run", backends={"model": FnBackend("agent", agent), "judge": judge2},
                    progress=False)
    assert judge2.calls == [("writing_13", "judge-013")]
    assert run2.tasks["proactivebench"].failed_docs == 1  # it raised again, and is still reported
    judge3 = FnBackend("judge", lambda r: ACCEPT)
    run3 = evaluate(cfg, tmp_path / "run", backends={"model": FnBackend("agent", agent), "judge": judge3},
                    progress=False)
    assert judge3.calls == [("writing_13", "judge-013")] and run3.tasks["proactivebench"].failed_docs == 0
    final = outcomes(tmp_path / "run")
    assert final.pop(("code_11", 2)) == ("unparsable", "FN")
    assert final == {k: v for k, v in clean.items() if k != ("code_11", 2)}


def test_judge_capped_by_a_lower_max_tokens(tmp_path):
    cfg = RunConfig(model="fake-agent", judge="fake-judge", tasks="proactivebench", data_dir=str(FIXTURES),
                    max_tokens=96, limit=1)
    seen = []

    def judge(req):
        seen.append(req.sampling.max_tokens)
        return ACCEPT

    run = evaluate(cfg, tmp_path, backends={"model": FnBackend("agent", agent), "judge": FnBackend("judge", judge)},
                   progress=False)
    res = run.tasks["proactivebench"]
    assert set(seen) == {96} and res.sampling["max_tokens"] == 96
    assert {s["max_tokens"] for s in res.config["judge_sampling"]} == {96}
    default = RunConfig(model="fake-agent", judge="fake-judge", tasks="proactivebench", data_dir=str(FIXTURES), limit=1)
    seen.clear()
    evaluate(default, tmp_path / "default", backends={"model": FnBackend("agent", agent),
                                                      "judge": FnBackend("judge", judge)}, progress=False)
    assert set(seen) == {512}  # the agent's 1024 leaves the judge at its own 512


def test_judge_that_is_the_model_uses_the_models_engine(tmp_path, monkeypatch):
    """`--model M --judge M`: one engine answers both roles (loaded once, closed once), and the
    store still keeps the roles apart."""
    import harness.backends.vllm as vllm_mod

    built = []

    class Engine(FnBackend):
        kind = "vllm"

        def __init__(self, path, info, revision=None, **kw):
            super().__init__("m", lambda r: ACCEPT if r.role == "judge" else agent(r))
            self._info, self.closed = info, 0
            built.append(self)

        def close(self):
            self.closed += 1

    monkeypatch.setattr(vllm_mod, "VLLMBackend", Engine)
    monkeypatch.setattr(vllm_mod, "vllm_version", lambda: "test")
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "config.json").write_text("{}")
    spec = f"vllm:{ckpt}"
    cfg = RunConfig(model=spec, judge=spec, tasks="proactivebench", data_dir=str(FIXTURES), limit=1)
    run = evaluate(cfg, tmp_path / "run", progress=False)
    # other tests' real engines may still be live in this process: look only at this checkpoint
    assert len(built) == 1 and built[0].closed == 1
    assert not live_engines_of(ckpt)
    assert run.model.fingerprint == run.judge.fingerprint
    res = run.tasks["proactivebench"]
    assert res.failed_docs == 0 and res.breakdown["counts"]["real_average"]["events_judged"].value == 15
    roles = {c[1].split("-")[0] for c in built[0].calls}
    assert roles == {"event", "judge"}
