"""Reasoning models in the core (harness/reasoning.py): the split into thinking and answer, the
truncation verdict, the request settings (chat-template kwargs, stop strings after the thinking),
and MATH through replay files: the answer inside the thinking is not graded, a truncated thought
is reported, `harness score --reasoning off` gives the old numbers and `strip-tags=` re-splits
without inference."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from harness.cli import main
from harness.errors import HarnessError
from harness.reasoning import (AnswerView, ModelProfile, ReasoningPolicy, model_profile, parse_template_kwargs,
                               request_sampling, split_text, token_stats)
from harness.requests import Generation, Request, SamplingParams
from harness.results import load_results, load_samples
from harness.store import generation_key
from tasks.math.scorer import score_math

THINK = ("<think>", "</think>")
# The first four MATH-500 documents (bundled data) and a thinking model's outputs for them.
MATH_OUTPUTS = {
    "test/precalculus/807.json": ("Polar: r = 3, maybe \\boxed{(3, 0)}? No, the angle is pi/2.</think>\n\n"
                                  "The point is \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}.", "stop"),  # opened in the prompt
    "test/intermediate_algebra/1994.json": ("<think>Perhaps \\boxed{p + q}. No: the signs cancel.</think>\n\n"
                                            "So the sum is \\boxed{p - q}.", "stop"),
    "test/algebra/2584.json": ("<think>It looks like \\boxed{\\frac{14}{3}} but let me check every step of the",
                               "length"),  # cut off mid-thought, the right answer inside
    "test/number_theory/572.json": ("The answer is \\boxed{9}.", "stop"),  # no thinking
}


def write_replay(path: Path, task: str, outputs: dict[str, tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"task": task, "doc_id": d, "outputs": [t], "finish_reasons": [f]}) + "\n"
                            for d, (t, f) in outputs.items()))
    return path


# ---- the split ----------------------------------------------------------------------------------

def test_split_verdicts():
    t = split_text("<think>a \\boxed{1}</think>\n\nThe answer: \\boxed{2}", THINK)
    assert (t.verdict, t.answer, t.reasoning) == ("complete", "The answer: \\boxed{2}", "a \\boxed{1}")
    t = split_text("opened by the template\\boxed{1}</think>\\boxed{2}", THINK)  # only the end marker
    assert (t.verdict, t.answer, t.reasoning) == ("complete", "\\boxed{2}", "opened by the template\\boxed{1}")
    t = split_text("<think>thinking \\boxed{1} and", THINK, finish_reason="length")
    assert (t.verdict, t.answer) == ("reasoning_truncated", "")
    t = split_text("<think>thinking \\boxed{1}", THINK, finish_reason="stop")
    assert (t.verdict, t.answer) == ("reasoning_unterminated", "")
    # no markers: an answer, unless the prompt opened the thinking block or the policy is `on`
    assert split_text("\\boxed{3}", THINK).verdict == "no_reasoning"
    assert split_text("\\boxed{3}", THINK, finish_reason="length", opened=True).verdict == "reasoning_truncated"
    assert split_text("\\boxed{3}", THINK, mode="on").verdict == "reasoning_unterminated"
    # several thinking blocks: the answer follows the last one
    assert split_text("<think>a</think>x<think>b</think>y", THINK).answer == "y"
    # the server split it (reasoning_content): its content is the answer; empty content cut by length
    t = split_text("\\boxed{2}", THINK, server_reasoning="so \\boxed{1}")
    assert (t.verdict, t.answer, t.reasoning) == ("complete", "\\boxed{2}", "so \\boxed{1}")
    assert split_text("", THINK, finish_reason="length", server_reasoning="so").verdict == "reasoning_truncated"


def test_view_applies_stop_strings_after_the_thinking_and_counts_tokens():
    sp = request_sampling(SamplingParams(stop=("[/ANSWER]",)), ReasoningPolicy("on"), {}, ModelProfile())
    assert sp.stop == () and sp.answer_stop == ("[/ANSWER]",)
    req = Request(task="t", doc_id="d", sampling=sp, prompt="p")
    raw = "<think>[ANSWER]f(1)[/ANSWER] no...</think>[ANSWER]f(2)[/ANSWER] trailing"
    (g,) = AnswerView.for_models(ReasoningPolicy("on"), {}).apply(req, [Generation(raw, n_tokens=30)])
    assert g.text == "[ANSWER]f(2)" and g.meta["reasoning"] == "[ANSWER]f(1)[/ANSWER] no..."
    assert g.meta["reasoning_tokens"] + g.meta["answer_tokens"] == 30 and g.meta["reasoning_tokens"] > 0
    # off: the raw text, cut at the first stop as the backend would have (the old behaviour)
    (old,) = AnswerView.for_models(ReasoningPolicy("off"), {}).apply(req, [Generation(raw)])
    assert old.text == "<think>[ANSWER]f(1)" and "reasoning" not in old.meta


def test_policy_and_kwargs_parsing():
    assert ReasoningPolicy.parse("strip-tags=<seed:think>,</seed:think>") == ReasoningPolicy("auto", "<seed:think>", "</seed:think>")
    assert ReasoningPolicy.parse("strip-tags=,</think>").spec == "strip-tags=,</think>"
    with pytest.raises(HarnessError, match="strip-tags=START,END"):
        ReasoningPolicy.parse("maybe")
    assert parse_template_kwargs("enable_thinking=true,reasoning_effort=low,thinking_budget=64") == \
        {"enable_thinking": True, "reasoning_effort": "low", "thinking_budget": 64}
    with pytest.raises(HarnessError, match="key=value"):
        parse_template_kwargs("enable_thinking")


def test_template_kwargs_are_part_of_the_store_key_and_defaults_keep_old_keys():
    req = lambda sp: Request(task="t", doc_id="d", sampling=sp, messages=({"role": "user", "content": "q"},))  # noqa: E731
    plain = SamplingParams(max_tokens=64)
    # the key the store had before reasoning settings existed: sampling identity without them
    assert plain.identity() == {"temperature": 0.0, "top_p": 1.0, "top_k": -1, "max_tokens": 64, "stop": (), "seed": None}
    on = request_sampling(plain, ReasoningPolicy("auto"), {"enable_thinking": True}, ModelProfile())
    off = request_sampling(plain, ReasoningPolicy("auto"), {"enable_thinking": False}, ModelProfile())
    keys = {generation_key("fp", "1", req(sp), 0) for sp in (plain, on, off)}
    assert len(keys) == 3
    # --reasoning off asks the template not to think only where the template reads enable_thinking
    thinking = ModelProfile(THINK, "test", ("enable_thinking",))
    assert request_sampling(plain, ReasoningPolicy("off"), {}, thinking).template_kwargs() == {"enable_thinking": False}
    assert request_sampling(plain, ReasoningPolicy("off"), {}, ModelProfile()).template_kwargs() == {}
    # auto moves stop strings after the thinking only for a model that declares thinking markers
    stops = plain.model_copy(update={"stop": ("###",)})
    assert request_sampling(stops, ReasoningPolicy("auto"), {}, ModelProfile()).stop == ("###",)
    assert request_sampling(stops, ReasoningPolicy("auto"), {}, thinking).answer_stop == ("###",)


def test_model_profile_reads_what_the_tokenizer_declares(tmp_path):
    (tmp_path / "tokenizer_config.json").write_text(json.dumps({"chat_template": "{% if enable_thinking %}x{% endif %}"}))
    (tmp_path / "tokenizer.json").write_text(json.dumps({"added_tokens": [{"content": "<seed:think>"},
                                                                          {"content": "</seed:think>"}]}))
    p = model_profile(tmp_path)
    assert p.markers == ("<seed:think>", "</seed:think>") and p.switches == ("enable_thinking",)
    assert p.source == "tokenizer vocabulary (added tokens)"
    assert not model_profile(None).thinks


def test_token_stats():
    s = token_stats([1, 2, 3, 4, 100])
    assert (s["mean"], s["p50"], s["max"], s["total"]) == (22.0, 3.0, 100, 110)
    assert s["p95"] == pytest.approx(80.8)


# ---- MATH through a replay file -----------------------------------------------------------------

def test_math_thinking_outputs_then_rescored(tmp_path, capsys):
    replay = write_replay(tmp_path / "thinker.jsonl", "math500", MATH_OUTPUTS)
    run_dir = tmp_path / "run"
    args = ["--tasks", "math500", "--limit", "4", "--data-dir", str(tmp_path / "bundled"), "--max-tokens", "64"]
    (tmp_path / "bundled").mkdir()
    assert main(["run", "--model", f"replay:{replay}", *args, "--output", str(run_dir), "--no-progress"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # as one line, however the terminal wraps it
    tr = load_results(run_dir).tasks["math500"]
    recs = {r.doc_id: r for r in load_samples(run_dir, "math500")}
    verdicts = {d: r.reasoning_info[0]["verdict"] for d, r in recs.items()}
    assert verdicts == {"test/precalculus/807.json": "complete", "test/intermediate_algebra/1994.json": "complete",
                        "test/algebra/2584.json": "reasoning_truncated", "test/number_theory/572.json": "no_reasoning"}
    # graded on the answer part only: the wrong answers inside the thinking do not count, nor
    # does the right one inside the truncated thought
    assert {d: r.values["accuracy"] for d, r in recs.items()} == {
        "test/precalculus/807.json": 1.0, "test/intermediate_algebra/1994.json": 1.0,
        "test/algebra/2584.json": 0.0, "test/number_theory/572.json": 1.0}
    assert recs["test/intermediate_algebra/1994.json"].outputs == ["So the sum is \\boxed{p - q}."]
    assert recs["test/intermediate_algebra/1994.json"].reasoning == ["Perhaps \\boxed{p + q}. No: the signs cancel."]
    assert recs["test/algebra/2584.json"].outputs == [""] and recs["test/algebra/2584.json"].record["extracted"] == [None]
    assert tr.reasoning.verdicts["reasoning_truncated"] == 1 and tr.reasoning.truncated_share == 0.25
    assert tr.reasoning.markers == ["<think>", "</think>"] and tr.reasoning.max_tokens == 64
    assert tr.reasoning.reasoning_tokens.max > 0 and "estimate" in tr.reasoning.token_counter
    assert "reasoning truncated" in out and "raise --max-tokens" in out and "64" in out

    # the same stored outputs, scored as before reasoning support: the raw text, old numbers
    assert main(["score", str(run_dir), "--reasoning", "off"]) == 0
    old = load_results(run_dir)
    recs_off = {r.doc_id: r for r in load_samples(run_dir, "math500")}
    doc = lambda d: type("D", (), {"id": d, "data": {"answer": _gold(d)}})()  # noqa: E731
    for d, (text, _) in MATH_OUTPUTS.items():
        assert recs_off[d].outputs == [text] and recs_off[d].reasoning == [] and recs_off[d].reasoning_info == []
        assert recs_off[d].values == score_math(doc(d), [text]).values
    assert recs_off["test/algebra/2584.json"].values["accuracy"] == 1.0  # the old number graded the thought
    assert old.tasks["math500"].reasoning is None and old.timing.generations_new == 0

    # and back: `harness score` without --reasoning splits as the run did
    assert main(["score", str(run_dir)]) == 0
    assert load_results(run_dir).tasks["math500"].metrics["accuracy"].value == 0.75


def test_other_delimiters_by_rescoring_without_inference(tmp_path):
    seed = {"test/number_theory/572.json": ("<seed:think>Surely \\boxed{8}.</seed:think>It is \\boxed{9}.", "stop")}
    replay = write_replay(tmp_path / "seed.jsonl", "math500", seed)
    (tmp_path / "bundled").mkdir()
    run_dir = tmp_path / "run"
    base = ["--tasks", "math500", "--data-dir", str(tmp_path / "bundled")]
    # (the replay has this one document: the others fail and are reported, as for any replay)
    main(["run", "--model", f"replay:{replay}", *base, "--limit", "4", "--output", str(run_dir), "--no-progress"])
    rec = next(r for r in load_samples(run_dir, "math500") if r.doc_id in seed)
    assert rec.reasoning_info[0]["verdict"] == "no_reasoning"  # <think> markers by default
    assert main(["score", str(run_dir), "--reasoning", "strip-tags=<seed:think>,</seed:think>"]) == 0
    res = load_results(run_dir)
    rec = next(r for r in load_samples(run_dir, "math500") if r.doc_id in seed)
    assert rec.outputs == ["It is \\boxed{9}."] and rec.reasoning == ["Surely \\boxed{8}."] and rec.values["accuracy"] == 1.0
    assert res.tasks["math500"].reasoning.markers == ["<seed:think>", "</seed:think>"]
    assert res.timing.generations_new == 0


def _gold(doc_id: str) -> str:
    rows = [json.loads(x) for x in (Path(__file__).parents[2] / "tasks/math/data/math500.jsonl").read_text().splitlines()]
    return next(r["answer"] for r in rows if r["unique_id"] == doc_id)


# ---- an OpenAI-compatible server that returns the thinking apart ----------------------------------

class _ReasoningServer(BaseHTTPRequestHandler):
    """Speaks the chat-completions protocol with `reasoning_content`, as `vllm serve
    --reasoning-parser` does; records each request body."""

    bodies: list[dict] = []

    def log_message(self, *a):  # quiet
        pass

    def _send(self, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._send({"data": [{"id": "thinker", "root": "thinker", "owned_by": "test"}]})

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).bodies.append(body)
        question = body["messages"][-1]["content"]
        if "(0,3)" in question:  # cut off while thinking: no content
            msg, finish = {"content": None, "reasoning_content": "r = 3 so \\boxed{(3, \\pi/2)} maybe"}, "length"
        else:
            msg, finish = {"content": "\\boxed{9}", "reasoning_content": "first guess \\boxed{8}"}, "stop"
        self._send({"choices": [{"index": 0, "message": {"role": "assistant", **msg}, "finish_reason": finish}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 40,
                              "completion_tokens_details": {"reasoning_tokens": 31}}})


def test_openai_server_reasoning_content_scored(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _ReasoningServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    (tmp_path / "bundled").mkdir()
    try:
        url = f"http://127.0.0.1:{server.server_port}/v1"
        assert main(["run", "--model", f"openai:{url}#thinker", "--tasks", "math500", "--limit", "4",
                     "--data-dir", str(tmp_path / "bundled"), "--chat-template-kwargs", "enable_thinking=true",
                     "--output", str(tmp_path / "run"), "--no-progress"]) == 0
    finally:
        server.shutdown()
    assert all(b["chat_template_kwargs"] == {"enable_thinking": True} for b in _ReasoningServer.bodies)
    recs = {r.doc_id: r for r in load_samples(tmp_path / "run", "math500")}
    cut = recs["test/precalculus/807.json"]
    assert cut.reasoning_info[0]["verdict"] == "reasoning_truncated" and cut.values["accuracy"] == 0.0
    nine = recs["test/number_theory/572.json"]
    assert nine.values["accuracy"] == 1.0 and nine.reasoning == ["first guess \\boxed{8}"]
    assert nine.reasoning_info[0] == {"verdict": "complete", "reasoning_tokens": 31, "answer_tokens": 9}
    tr = load_results(tmp_path / "run").tasks["math500"]
    assert tr.reasoning.chat_template_kwargs == {"enable_thinking": True}
    assert tr.sampling["chat_template_kwargs"] == [["enable_thinking", True]]


# ---- a local chat template that honours enable_thinking ------------------------------------------

def test_tasks_show_renders_the_template_with_its_kwargs(smollm2_path, tmp_path, capsys):
    from tests.thinking_model import thinking_checkpoint

    ckpt = thinking_checkpoint(smollm2_path, tmp_path / "thinker", weights=False)  # rendering needs no weights
    shown = {}
    for name, extra in (("default", []), ("on", ["--chat-template-kwargs", "enable_thinking=true"]),
                        ("closed", ["--chat-template-kwargs", "enable_thinking=false"]), ("off", ["--reasoning", "off"])):
        assert main(["tasks", "show", "math500", "--prompt", "0", "--model", str(ckpt), *extra]) == 0
        shown[name] = capsys.readouterr().out
    assert shown["default"].rstrip().endswith("<|im_start|>assistant")
    assert shown["on"].rstrip().endswith("<|im_start|>assistant\n<think>")
    assert shown["closed"].rstrip().endswith("<think>\n\n</think>")
    # --reasoning off asks the template not to think: it reads enable_thinking, so it is set
    assert shown["off"] == shown["closed"]
    assert "chat template kwargs: {'enable_thinking': False}" in shown["off"]
