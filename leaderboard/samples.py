"""A sample record as a reader sees it (plain dicts for the templates).

The prompt as text or chat turns; each output with its reasoning (SampleRecord.reasoning, when the
run split it off), the extracted answer, its own verdict and reason and any sandbox streams; the
other request tags of a multi-turn task (ProactiveBench's agent turns and the judge's calls) as a
conversation, joined with the record's per-turn entries; the rest of the record as key/value.

Which record fields are per output, answers, verdicts or streams is read from their names (the
conventions below), so no task code is imported.
"""

from __future__ import annotations

import re
from typing import Any

from harness.results import SampleRecord
from leaderboard.fmt import fmt_value, is_number
from leaderboard.views import PERCENT

#: record lists with one item per output (CRUXEval's samples, MATH's extracted answers)
PER_OUTPUT_LISTS = ("samples", "attempts", "extracted", "answers", "correct", "passed")
#: the answer the scorer read from an output, first match wins
ANSWER_KEYS = ("extracted", "answer", "answers", "prediction", "parsed", "scored_output")
GOLD_KEYS = ("gold", "gold_answer", "reference", "target", "expected")
PASS_KEYS = ("passed", "correct")
#: why an output (or the document) got its verdict
REASON_KEYS = ("verdict", "reason", "rejected", "detail", "error")
#: program output from a sandbox: shown pre-formatted and collapsed
STREAM_KEY = re.compile(r"(stdout|stderr|traceback)", re.IGNORECASE)
#: a request tag of a multi-turn task: "event-003", "judge-003.2" (turn 3, second attempt)
TURN_TAG = re.compile(r"^(?P<role>[A-Za-z_]*?)[-_]?(?P<n>\d+)(?:\.(?P<attempt>\d+))?$")
#: the field that numbers a record's per-turn entries (ProactiveBench's events)
TURN_INDEX_KEYS = ("event", "turn", "step")
SUMMARY_CHARS = 140


def table_keys(items: Any) -> list[str]:
    """The columns of a list of dicts shown as a table (their keys, in order of appearance), or
    [] when the list is not one (templates/sample.html.j2's kv macro)."""
    if not isinstance(items, list) or len(items) < 2 or not all(isinstance(x, dict) for x in items):
        return []
    keys: list[str] = []
    for x in items:
        keys += [k for k in x if k not in keys]
    return keys


def reasoning_of(rec: SampleRecord) -> list[str | None]:
    """SampleRecord.reasoning where the run split reasoning off (absent in older files)."""
    return list(getattr(rec, "reasoning", None) or [])


def prompt_view(prompt: Any) -> dict[str, Any]:
    media: list[str] = []
    if isinstance(prompt, dict) and "text" in prompt:
        media = [str(m) for m in prompt.get("media") or []]
        prompt = prompt["text"]
    if isinstance(prompt, list) and all(isinstance(m, dict) for m in prompt):
        chat = [{"role": str(m.get("role", "?")), "content": _text(m.get("content", ""))} for m in prompt]
        last_user = next((t["content"] for t in reversed(chat) if t["role"] == "user"), chat[-1]["content"] if chat else "")
        roles = ", ".join(t["role"] for t in chat)
        return {"chat": chat, "text": None, "media": media, "summary": _summary(last_user),
                "size": f"chat, {len(chat)} turn{'s' if len(chat) != 1 else ''} ({roles})"}
    text = _text(prompt) if prompt is not None else ""
    return {"chat": None, "text": text, "media": media, "summary": _summary(text), "size": f"{len(text):,} chars"}


def _text(obj: Any) -> str:
    if isinstance(obj, str):
        return obj
    if isinstance(obj, list):  # content parts of a multimodal message
        return "\n".join(_text(p.get("text", p) if isinstance(p, dict) else p) for p in obj)
    return str(obj)


def _summary(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"


def verdict_of(value: float | None, unit: str) -> tuple[str, str]:
    """(label, css class) of a document's headline value."""
    if not is_number(value):
        return "unscored", "na"
    if unit != PERCENT:
        return "scored", "num"
    if value >= 1.0:
        return "correct", "correct"
    if value <= 0.0:
        return "wrong", "wrong"
    return "partial", "partial"


def _pop_first(d: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for k in keys:
        if k in d:
            return d.pop(k)
    return None


def _reasons(d: dict[str, Any]) -> list[tuple[str, Any]]:
    out = []
    for k in REASON_KEYS:
        if k in d:
            v = d.pop(k)
            if v not in (None, "", [], {}):
                out.append((k, v))
    return out


def _streams(d: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for k in [k for k in d if STREAM_KEY.search(k)]:
        v = d.pop(k)
        if isinstance(v, str) and v.strip():
            out.append({"name": k, "text": v, "lines": len(v.splitlines())})
    return out


def _outputs(rec: SampleRecord, rest: dict[str, Any]) -> list[dict[str, Any]]:
    n = len(rec.outputs)
    per: list[dict[str, Any]] = [{} for _ in range(n)]
    for key in PER_OUTPUT_LISTS:
        v = rest.get(key)
        if n and isinstance(v, list) and len(v) == n:
            for i, item in enumerate(rest.pop(key)):
                per[i].update(item if isinstance(item, dict) else {key: item})
    if n == 1:  # a document-level answer belongs to the one output
        for k in ANSWER_KEYS:
            if k in rest and not isinstance(rest[k], (dict, list)) and not any(a in per[0] for a in ANSWER_KEYS):
                per[0][k] = rest.pop(k)
    reasoning = reasoning_of(rec)
    thinking = list(getattr(rec, "reasoning_info", None) or [])
    out = []
    for i, text in enumerate(rec.outputs):
        d = per[i]
        passed = _pop_first(d, PASS_KEYS)
        answer = _pop_first(d, ANSWER_KEYS)
        reasons = _reasons(d)
        out.append({"text": text, "reasoning": reasoning[i] if i < len(reasoning) else None,
                    "thinking": _thinking(thinking[i] if i < len(thinking) else None),
                    "answer": answer,
                    "passed": passed if isinstance(passed, bool) else None,
                    # a passed output needs no reason ("ok", "passed"): the mark says it
                    "reasons": [] if passed is True else reasons, "streams": _streams(d), "other": d})
    return out


def _thinking(info: Any) -> dict[str, Any] | None:
    """An output's reasoning verdict and token counts, when the model thought at all."""
    if not isinstance(info, dict) or (info.get("verdict") == "no_reasoning" and not info.get("reasoning_tokens")):
        return None
    return info


def _turn_key(tag: str) -> tuple:
    m = TURN_TAG.match(tag)
    if not m:
        return (1, 0, tag, 0)
    return (0, int(m.group("n")), m.group("role"), int(m.group("attempt") or 1))


def _conversation(rec: SampleRecord, rest: dict[str, Any]) -> list[dict[str, Any]]:
    """Turns of the other request tags, grouped by turn number, each with the record's entry for
    that turn (a list of dicts numbered by an `event`/`turn`/`step` field)."""
    if not rec.extra_outputs:
        return []
    entries: dict[int, dict[str, Any]] = {}
    for key, v in list(rest.items()):
        if isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            idx = next((k for k in TURN_INDEX_KEYS if all(isinstance(x.get(k), int) for x in v)), None)
            if idx is not None:
                entries = {x[idx]: {k: y for k, y in x.items() if k != idx} for x in rest.pop(key)}
                break
    steps: dict[Any, dict[str, Any]] = {}
    for tag in sorted(rec.extra_outputs, key=_turn_key):
        m = TURN_TAG.match(tag)
        n = int(m.group("n")) if m else tag
        attempt = int(m.group("attempt") or 1) if m else 1
        role = (m.group("role") if m and m.group("role") else tag).lower()
        step = steps.setdefault(n, {"n": n, "turns": [], "entry": entries.get(n) if isinstance(n, int) else None})
        thoughts = list((getattr(rec, "extra_reasoning", None) or {}).get(tag) or [])
        texts = [{"text": t, "reasoning": thoughts[i] if i < len(thoughts) else None}
                 for i, t in enumerate(rec.extra_outputs[tag])]
        step["turns"].append({"tag": tag, "role": role, "attempt": attempt, "texts": texts})
    return list(steps.values())


def sample_view(rec: SampleRecord, metric: str | None, units: dict[str, str]) -> dict[str, Any]:
    """Everything a reader sees of one document."""
    rest = dict(rec.record)
    head = rec.values.get(metric) if metric else None
    label, cls = verdict_of(head, units.get(metric or "", ""))
    if metric and metric not in rec.values and rec.values:
        label = "pooled"  # the headline (an F1 over every event) has no per-document value
    values = [{"name": k, "text": fmt_value(v, pct=False) if is_number(v) else "–"}
              for k, v in rec.values.items() if k != metric]
    gold = _pop_first(rest, GOLD_KEYS)
    conversation = _conversation(rec, rest)
    outputs = _outputs(rec, rest)
    return {
        "doc_id": rec.doc_id, "groups": rec.groups, "verdict": label, "verdict_class": cls,
        "headline": fmt_value(head, pct=False) if is_number(head) else "–", "metric": metric,
        "per_doc": values, "gold": gold,
        "reasons": _reasons(rest), "prompt": prompt_view(rec.prompt), "outputs": outputs,
        "conversation": conversation, "calls": sum(len(st["turns"]) for st in conversation), "record": rest,
    }
