"""Reasoning models: what a generation thought and what it answered, split once, in the core.

A reasoning model writes a thinking block before its answer (`<think>...</think>`; some chat
templates open the block in the prompt, so only `</think>` appears in the output), or a server
hands the thinking back apart (`reasoning_content` / `reasoning`). The store keeps the raw
generation; the split happens between the store and the scorers (the runner's TaskRun.view), so a
run is re-scored with other delimiters, or none, without inference. Every scorer sees the answer
part only; the sample record keeps both.

Each generation gets a verdict:
    no_reasoning            no thinking found: the whole text is the answer
    complete                the thinking ended; the answer is what follows its last end marker
    reasoning_truncated     max_tokens was hit before the thinking ended: no answer, never graded
                            from text inside the thinking
    reasoning_unterminated  the generation stopped (EOS, a stop string) inside the thinking: no answer
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.backends.prompting import truncate_at_stop
from harness.errors import HarnessError
from harness.requests import Generation, Request, SamplingParams

MODES = ("on", "auto", "off")
DEFAULT_MARKERS = ("<think>", "</think>")
#: thinking delimiters of the open reasoning models (vLLM's reasoning parsers: deepseek_r1, qwen3,
#: seed_oss, kimi, mistral); the first pair a tokenizer declares is the model's own
KNOWN_MARKERS = (("<think>", "</think>"), ("<seed:think>", "</seed:think>"), ("◁think▷", "◁/think▷"),
                 ("[THINK]", "[/THINK]"))
#: chat-template switches a template may read (recorded, and `--reasoning off` sets enable_thinking)
TEMPLATE_SWITCHES = ("enable_thinking", "thinking", "reasoning_effort", "thinking_budget")
#: response_template fields (transformers' tokenizer response parsing) that hold the thinking
THINKING_FIELDS = ("thinking", "reasoning", "reasoning_content")
VERDICTS = ("no_reasoning", "complete", "reasoning_truncated", "reasoning_unterminated")
#: the summary warns above this share of truncated thoughts
TRUNCATION_WARNING = 0.05


# ---- what the user asks for ----------------------------------------------------------------

@dataclass(frozen=True)
class ReasoningPolicy:
    """`--reasoning on|auto|off|strip-tags=START,END`.

    on    the model thinks: stop strings apply to the answer part only; an output with no end
          marker never got to its answer
    auto  split where thinking markers appear (the default); stop strings move after the
          thinking when the model declares thinking markers
    off   no split, as before; the template is asked not to think where it can (enable_thinking)
    strip-tags=START,END   auto with these delimiters (START may be empty: only END is written)
    """

    mode: str = "auto"
    start: str | None = None  # None: the model's declared markers (or <think>); "": no start marker
    end: str | None = None

    @classmethod
    def parse(cls, spec: str | None) -> "ReasoningPolicy":
        if not spec:
            return cls()
        if spec in MODES:
            return cls(spec)
        if spec.startswith("strip-tags="):
            start, sep, end = spec[len("strip-tags="):].partition(",")
            if sep and end:
                return cls("auto", start, end)
        raise HarnessError(f"--reasoning {spec!r} is not understood",
                           "use on, auto, off or strip-tags=START,END (e.g. strip-tags=<think>,</think>)")

    @property
    def spec(self) -> str:
        return f"strip-tags={self.start},{self.end}" if self.end else self.mode

    @property
    def splits(self) -> bool:
        return self.mode != "off"


def parse_template_kwargs(text: str | None) -> dict[str, Any]:
    """`key=value,...` (values read as JSON where they are: true, 3, "low") -> dict."""
    out: dict[str, Any] = {}
    for pair in (text or "").split(","):
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise HarnessError(f"--chat-template-kwargs: {pair!r} is not key=value",
                               "write e.g. enable_thinking=true,reasoning_effort=low")
        try:
            val = json.loads(value)
        except ValueError:
            val = value.strip()
        if isinstance(val, (list, dict)):
            raise HarnessError(f"--chat-template-kwargs: {key} must be a single value", "use true/false, a number or a word")
        out[key] = val
    return out


# ---- what the model declares -----------------------------------------------------------------

@dataclass(frozen=True)
class ModelProfile:
    """What a checkpoint's tokenizer files say about thinking (recorded as ModelInfo.reasoning)."""

    markers: tuple[str, str] | None = None
    source: str = ""
    switches: tuple[str, ...] = ()

    @property
    def thinks(self) -> bool:
        return self.markers is not None

    def as_dict(self) -> dict[str, Any]:
        return {"markers": list(self.markers) if self.markers else None, "source": self.source,
                "template_switches": list(self.switches)}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> "ModelProfile":
        if not d:
            return cls()
        m = d.get("markers")
        return cls(tuple(m) if m else None, d.get("source", ""), tuple(d.get("template_switches") or ()))


def model_profile(path: str | Path | None) -> ModelProfile:
    """Read a checkpoint directory's tokenizer files (no tokenizer is loaded): thinking markers the
    tokenizer declares (a response_template field, added tokens, or the chat template's text) and
    the switches its chat template reads."""
    p = Path(path) if path else None
    if p is None or not p.is_dir():
        return ModelProfile(source="unknown (no local tokenizer files)")
    cfg = _read_json(p / "tokenizer_config.json")
    template = _template_text(p, cfg)
    added = {str(t.get("content")) for t in (_read_json(p / "tokenizer.json").get("added_tokens") or [])}
    added |= {str(t.get("content")) for t in (cfg.get("added_tokens_decoder") or {}).values() if isinstance(t, dict)}
    switches = tuple(s for s in TEMPLATE_SWITCHES if re.search(rf"\b{s}\b", template))
    declared = _response_template_markers(cfg.get("response_template"))
    if declared:
        return ModelProfile(declared, "tokenizer response_template", switches)
    for pair in KNOWN_MARKERS:
        if pair[0] in added and pair[1] in added:
            return ModelProfile(pair, "tokenizer vocabulary (added tokens)", switches)
    for pair in KNOWN_MARKERS:
        if pair[1] in template:
            return ModelProfile(pair, "chat template", switches)
    return ModelProfile(None, "none declared", switches)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _template_text(p: Path, cfg: dict[str, Any]) -> str:
    parts = []
    tmpl = cfg.get("chat_template")
    if isinstance(tmpl, str):
        parts.append(tmpl)
    elif isinstance(tmpl, list):
        parts += [str(t.get("template", "")) for t in tmpl if isinstance(t, dict)]
    for name in ("chat_template.jinja", "chat_template.json"):
        try:
            parts.append((p / name).read_text())
        except OSError:
            pass
    return "\n".join(parts)


def _response_template_markers(spec: Any) -> tuple[str, str] | None:
    fields = spec.get("fields") if isinstance(spec, dict) else None
    for name in THINKING_FIELDS:
        f = (fields or {}).get(name)
        if isinstance(f, dict) and isinstance(f.get("open"), str) and isinstance(f.get("close"), str):
            return f["open"], f["close"]
    return None


def markers_for(policy: ReasoningPolicy, profile: ModelProfile) -> tuple[tuple[str, str], str]:
    """The delimiters a split uses, and where they came from."""
    if policy.end:
        return (policy.start or "", policy.end), "--reasoning strip-tags"
    if profile.markers:
        return profile.markers, profile.source
    return DEFAULT_MARKERS, "default"


# ---- the requests ----------------------------------------------------------------------------

def request_sampling(sampling: SamplingParams, policy: ReasoningPolicy, template_kwargs: dict[str, Any],
                     profile: ModelProfile) -> SamplingParams:
    """A task's sampling as sent to a model under this policy: the chat-template kwargs (with
    enable_thinking=false for `off` where the template reads it), and for a thinking model the
    stop strings moved after the thinking (vLLM and transformers apply stop strings to the whole
    output: one inside the thinking would cut it before the answer)."""
    kw = dict(template_kwargs)
    if policy.mode == "off" and "enable_thinking" in profile.switches:
        kw.setdefault("enable_thinking", False)
    upd: dict[str, Any] = {}
    if kw:
        upd["chat_template_kwargs"] = tuple(sorted(kw.items()))
    thinks = policy.mode == "on" or (policy.mode == "auto" and (profile.thinks or bool(policy.end)))
    if thinks and sampling.stop:
        upd.update(stop=(), answer_stop=tuple(sampling.stop) + tuple(sampling.answer_stop))
    return sampling.model_copy(update=upd) if upd else sampling


def opens_thinking(tokenizer, ids: list[int], markers=KNOWN_MARKERS) -> bool:
    """Does the rendered prompt end inside an open thinking block (a template that writes
    `<think>` itself, so the model writes only `</think>`)? Read from the prompt's last tokens."""
    if not ids:
        return False
    try:
        tail = tokenizer.decode(list(ids[-16:]), skip_special_tokens=False)
    except Exception:
        return False
    return any(start and tail.rfind(start) > tail.rfind(end) for start, end in markers)


def mark_opened(on_result, opened: dict[int, bool]):
    """Wrap a backend's on_result so each generation of a prompt that opened the thinking block
    says so in its meta (kept in the store: `auto` then knows an output without markers is an
    unfinished thought)."""
    def wrapped(i: int, gens: list[Generation]) -> None:
        if opened.get(i):
            for g in gens:
                g.meta["thinking_opened"] = True
        on_result(i, gens)

    return wrapped


# ---- the split -------------------------------------------------------------------------------

@dataclass
class Thought:
    answer: str
    reasoning: str | None
    verdict: str
    reasoning_raw: str = ""  # the text the thinking took in the output, markers included (for counting)


def split_text(text: str, markers: tuple[str, str], mode: str = "auto", finish_reason: str | None = None,
               opened: bool = False, server_reasoning: str | None = None) -> Thought:
    """One generation -> its answer part, its thinking, and a verdict (see the module docstring)."""
    start, end = markers
    cut_short = "reasoning_truncated" if finish_reason == "length" else "reasoning_unterminated"
    if server_reasoning is not None:  # the server split it (reasoning_content / reasoning)
        if not text.strip() and finish_reason == "length":
            return Thought("", server_reasoning, "reasoning_truncated", server_reasoning)
        return Thought(text.lstrip(), server_reasoning, "complete", server_reasoning)
    e = text.rfind(end) if end else -1
    if e >= 0:
        head = text[:e]
        s = head.find(start) if start else -1
        reasoning = head[s + len(start):] if s >= 0 else head
        return Thought(text[e + len(end):].lstrip(), reasoning.strip(), "complete", text[:e + len(end)])
    s = text.find(start) if start else -1
    if s >= 0 or opened or mode == "on":
        return Thought("", text[s + len(start):].strip() if s >= 0 else text.strip(), cut_short, text)
    return Thought(text, None, "no_reasoning")


class TokenCounter:
    """Counts text in tokens with the model's own tokenizer where its files are here; otherwise an
    estimate (ceil(characters / 4)). `method` says which, and is recorded."""

    def __init__(self, path: str | None):
        self.path = path if path and Path(path).is_dir() else None
        self._tok = None
        self._loaded = False

    def _tokenizer(self):
        if not self._loaded:
            self._loaded = True
            if self.path:
                try:
                    from transformers import AutoTokenizer

                    self._tok = AutoTokenizer.from_pretrained(self.path)
                except Exception:
                    self._tok = None
        return self._tok

    @property
    def method(self) -> str:
        # said without loading the tokenizer (a run with no thinking never needs it)
        if self.path and (not self._loaded or self._tok is not None):
            return f"the model's tokenizer ({Path(self.path).name})"
        return "estimate: ceil(characters / 4) (no tokenizer files here)"

    def count(self, text: str) -> int:
        if not text:
            return 0
        tok = self._tokenizer()
        if tok is None:
            return math.ceil(len(text) / 4)
        fast = getattr(tok, "backend_tokenizer", None)  # the Rust tokenizer: a third of the call's cost
        if fast is not None:
            return len(fast.encode(text, add_special_tokens=False).ids)
        return len(tok(text, add_special_tokens=False)["input_ids"])


@dataclass
class AnswerView:
    """Between the store and the scorers: each generation as the scorer sees it (the answer part),
    the thinking, verdict and token counts in its meta. One per run; markers and token counters
    per model role."""

    policy: ReasoningPolicy
    markers: dict[str, tuple[tuple[str, str], str]] = field(default_factory=dict)
    counters: dict[str, TokenCounter] = field(default_factory=dict)

    @classmethod
    def for_models(cls, policy: ReasoningPolicy, infos: dict[str, Any]) -> "AnswerView":
        view = cls(policy)
        for role, info in infos.items():
            view.markers[role] = markers_for(policy, ModelProfile.from_dict(getattr(info, "reasoning", None)))
            view.counters[role] = TokenCounter(tokenizer_dir(info))
        return view

    def apply(self, request: Request, gens: list[Generation]) -> list[Generation]:
        stops = request.sampling.answer_stop
        if not self.policy.splits:  # as before: the raw text, cut where the backend would have stopped
            return [_with_text(g, truncate_at_stop(g.text, stops)[0], {}) if stops else g for g in gens]
        markers = self.markers.get(request.role, (DEFAULT_MARKERS, "default"))[0]
        counter = self.counters.get(request.role) or TokenCounter(None)
        out = []
        for g in gens:
            server = g.meta.get("reasoning_content")
            t = split_text(g.text, markers, self.policy.mode, g.finish_reason, bool(g.meta.get("thinking_opened")),
                           server if isinstance(server, str) else None)
            answer = truncate_at_stop(t.answer, stops)[0] if stops else t.answer
            r_tokens, a_tokens = _token_split(g, t, counter)
            out.append(_with_text(g, answer, {"reasoning": t.reasoning, "reasoning_verdict": t.verdict,
                                              "reasoning_tokens": r_tokens, "answer_tokens": a_tokens}))
        return out

    def describe(self, role: str = "model") -> dict[str, Any]:
        (start, end), source = self.markers.get(role, (DEFAULT_MARKERS, "default"))
        counter = self.counters.get(role)
        return {"mode": self.policy.spec, "markers": [start, end] if self.policy.splits else None,
                "markers_source": source if self.policy.splits else "",
                "token_counter": counter.method if counter else TokenCounter(None).method}


def _with_text(g: Generation, text: str, meta: dict[str, Any]) -> Generation:
    return Generation(text=text, n_tokens=g.n_tokens, finish_reason=g.finish_reason,
                      prompt_tokens=g.prompt_tokens, meta={**g.meta, **meta})


def _token_split(g: Generation, t: Thought, counter: TokenCounter) -> tuple[int, int]:
    """(reasoning tokens, answer tokens). With the backend's output token count, the answer side
    is counted (the short one) and the thinking is the rest; a server's own reasoning_tokens where
    it split the text and reports a count (some report 0 while returning a thought)."""
    total = g.n_tokens
    if t.verdict == "no_reasoning":
        return 0, total or counter.count(g.text)
    server_split = g.meta.get("reasoning_content") is not None
    reported = g.meta.get("server_reasoning_tokens") if server_split else None
    if isinstance(reported, int) and (reported > 0 or not t.reasoning_raw):
        return reported, max(total - reported, 0) if total else counter.count(g.text)
    if t.verdict != "complete":
        return (total or counter.count(t.reasoning_raw)), 0
    rest = g.text if server_split else g.text[len(t.reasoning_raw):]
    answer = counter.count(rest)
    if total:
        answer = min(answer, total)
        return total - answer, answer
    return counter.count(t.reasoning_raw), answer


def tokenizer_dir(info: Any) -> str | None:
    """Where a model's tokenizer files are on this machine: the checkpoint (vllm, hf), or the
    served model's root when a server runs from a local directory (vllm serve PATH)."""
    for cand in (getattr(info, "path", None), getattr(info, "revision", None)):
        if cand and Path(str(cand)).is_dir() and (Path(str(cand)) / "tokenizer_config.json").exists():
            return str(cand)
    return None


def describe_models(infos: dict[str, Any]) -> None:
    """Fill ModelInfo.reasoning (what the tokenizer declares) where it is not known yet; kept in
    the run's backends.json, so `harness score` shapes and splits as the run did."""
    for info in infos.values():
        if getattr(info, "reasoning", None) is None and hasattr(info, "reasoning"):
            info.reasoning = model_profile(tokenizer_dir(info)).as_dict()


# ---- per-task statistics ---------------------------------------------------------------------

def token_stats(values: list[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "p50": 0.0, "p95": 0.0, "max": 0, "total": 0}
    xs = sorted(values)

    def pct(q: float) -> float:  # linear interpolation, as numpy's default
        pos = (len(xs) - 1) * q
        lo, hi = math.floor(pos), math.ceil(pos)
        return float(xs[lo] + (xs[hi] - xs[lo]) * (pos - lo))

    return {"mean": sum(xs) / len(xs), "p50": pct(0.5), "p95": pct(0.95), "max": xs[-1], "total": sum(xs)}


def task_summary(gens: list[Generation], view: AnswerView, sampling: SamplingParams) -> dict[str, Any]:
    """The task's reasoning statistics over the model's generations (TaskResult.reasoning)."""
    verdicts = [g.meta.get("reasoning_verdict", "no_reasoning") for g in gens]
    n = len(gens)
    counts = {v: verdicts.count(v) for v in VERDICTS}
    return {
        **view.describe(),
        "generations": n,
        "verdicts": counts,
        "truncated_share": counts["reasoning_truncated"] / n if n else 0.0,
        "reasoning_tokens": token_stats([int(g.meta.get("reasoning_tokens", 0)) for g in gens]),
        "answer_tokens": token_stats([int(g.meta.get("answer_tokens", g.n_tokens)) for g in gens]),
        "max_tokens": sampling.max_tokens,
        "chat_template_kwargs": sampling.template_kwargs(),
        "stop_after_reasoning": list(sampling.answer_stop),
    }


def record_fields(gens: list[Generation]) -> tuple[list[str | None], list[dict[str, Any]]]:
    """A sample record's `reasoning` and `reasoning_info`, parallel to its outputs ([] when the
    split did not run)."""
    if not any("reasoning_verdict" in g.meta for g in gens):
        return [], []
    info = [{"verdict": g.meta.get("reasoning_verdict"), "reasoning_tokens": g.meta.get("reasoning_tokens", 0),
             "answer_tokens": g.meta.get("answer_tokens", 0)} for g in gens]
    reasoning = [g.meta.get("reasoning") for g in gens]
    return (reasoning if any(r is not None for r in reasoning) else []), info


# ---- a run -----------------------------------------------------------------------------------

def prepare_runs(runs: list, infos: dict[str, Any], reasoning: str | None, template_kwargs: dict[str, Any],
                 rescore: str | None = None) -> None:
    """Shape each task's sampling for the model under test (`reasoning`, the chat-template kwargs)
    and set how its stored generations reach the scorer (`rescore`, else `reasoning`): called once
    the models are known, by `harness run` and `harness score` alike, so both ask the same keys."""
    describe_models(infos)
    asked = ReasoningPolicy.parse(reasoning)
    profile = ModelProfile.from_dict(getattr(infos.get("model"), "reasoning", None))
    view = AnswerView.for_models(ReasoningPolicy.parse(rescore) if rescore else asked, infos)
    for tr in runs:
        tr.sampling = request_sampling(tr.sampling, asked, template_kwargs, profile)
        tr.view = view


def task_result(tr):
    """TaskResult.reasoning for a scored task run: over the generations of the model under test
    (a judge's are its own model's); None when the split was off."""
    from harness.results import ReasoningResult

    view = tr.view
    if view is None or not view.policy.splits:
        return None
    gens = [g for st in tr.states.values() for tag, gs in st.outputs.items()
            if getattr(st.requests.get(tag), "role", "model") == "model" for g in gs]
    return ReasoningResult(**task_summary(gens, view, tr.sampling))


def add_arguments(p, rescore: bool = False) -> None:
    """`--reasoning` (and for a run, `--chat-template-kwargs`) on a command's parser."""
    if rescore:
        p.add_argument("--reasoning", metavar="on|auto|off|strip-tags=START,END",
                       help="re-split the stored outputs into thinking and answer this way (no inference; "
                            "off scores the raw outputs, as before reasoning support)")
        return
    p.add_argument("--reasoning", default="auto", metavar="on|auto|off|strip-tags=START,END",
                   help="reasoning models: score the answer after the thinking block (auto, the default: where "
                        "markers appear; on: the model always thinks; off: no split, and enable_thinking=false "
                        "where the chat template reads it)")
    p.add_argument("--chat-template-kwargs", metavar="KEY=VALUE,...",
                   help="keyword arguments for the chat template, e.g. enable_thinking=true,reasoning_effort=low "
                        "(part of the store key)")


def shown_request(request: Request, model: str | None, reasoning: str | None,
                  template_kwargs: dict[str, Any]) -> tuple[Request, str | None]:
    """`harness tasks show`: the request as a run with these settings would send it, and, given
    a local model, the prompt text its chat template renders (None without a model)."""
    from dataclasses import replace

    from harness.backends.models import parse_spec, resolve_local_model
    from harness.backends.prompting import render_request

    if model is None:
        profile = ModelProfile()
        path = None
    else:
        spec = parse_spec(model)
        if spec.kind not in ("vllm", "hf"):
            raise HarnessError(f"cannot render a prompt for '{model}' here (its chat template is on the server)",
                               "pass a local checkpoint: a path, vllm:PATH, hf:PATH or smollm2-135m-instruct")
        path, _ = resolve_local_model(spec)
        profile = model_profile(path)
    shaped = replace(request, sampling=request_sampling(request.sampling, ReasoningPolicy.parse(reasoning),
                                                        template_kwargs, profile))
    if path is None:
        return shaped, None
    from transformers import AutoTokenizer

    return shaped, render_request(AutoTokenizer.from_pretrained(path), shaped)
