"""REASON, RETRIEVE, UNDERSTAND (T-Eval's ReasonRetrieveUnderstandEvaluator).

One evaluator serves four files: `reason_str`, `retrieve_str`, `understand_str` (the whole
response is the thought / the tool name / the arguments) and `reason_retrieve_understand_json`
(one JSON object with thought, name and args). Metrics:
- thought: cosine similarity of the response's thought and the gold thought (clipped at 0);
- name: json: exact; str: the gold name occurs in the response and every `a.b` word and every
  'FinishAction' in it equals the gold name;
- args: v1: cosine similarity of str(predicted args) and str(gold args); v2: json: the share of
  gold keys whose values match as strings (divided by len + 1e-5), str: exact string equality.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from harness.embeddings import cosine
from tasks.teval.parsing import format_load

METRIC_KEYS = {
    ("json", "rru"): ["thought", "name", "args", "parse_rate"],
    ("str", "reason"): ["thought", "parse_rate"],
    ("str", "retrieve"): ["name", "parse_rate"],
    ("str", "understand"): ["args", "parse_rate"],
}


@dataclass
class RRUItem:
    pred: dict[str, Any]
    gt: dict[str, Any]
    values: dict[str, float]
    pairs: dict[str, tuple[str, str]] = field(default_factory=dict)  # metric -> texts to compare


def load_turn(data: Any, default_type: str) -> dict[str, Any]:
    """The reference's format_load for one response: thought, name, args (dict for json,
    str for str files), or {} when it is not an object."""
    try:
        loaded = format_load(data, start="{", end="}")
    except Exception:  # noqa: BLE001
        return {}
    if not isinstance(loaded, dict):
        return {}
    out: dict[str, Any] = {}
    out["thought"] = str(loaded["thought"]) if "thought" in loaded else ""
    out["name"] = str(loaded["name"]) if "name" in loaded else ""
    if default_type == "json":
        args = loaded.get("args")
        out["args"] = args if isinstance(args, dict) else {}
    else:
        out["args"] = str(loaded["args"]) if "args" in loaded else ""
    return out


def name_rule(pred: str, gold: str) -> float:
    """str RETRIEVE: right when the gold name is in the response and no other a.b word or
    FinishAction is. Quirk kept: any a.b token ('e.g', '3.5') counts as another name."""
    if gold not in pred:
        return 0.0
    for found in re.findall(r"\w+\.\w+", pred) + re.findall(r"FinishAction", pred):
        if found != gold:
            return 0.0
    return 1.0


def args_exact(pred: Any, gold: Any) -> float:
    """v2 UNDERSTAND: per-key string match for dict gold args, exact string match otherwise."""
    if isinstance(gold, dict):
        hits = sum(1 for k in gold if k in pred and str(pred[k]) == str(gold[k]))
        value = hits / (len(gold) + 1e-5)
        if len(gold) == 0:
            value = 1.0 if len(pred) == 0 else 0.0
        return value
    return float(gold == str(pred).strip("'").strip('"'))


def prepare(row: dict[str, Any], prediction: str | None, eval_type: str, default_type: str, version: str) -> RRUItem:
    prompt_type = row.get("meta_data", {}).get("response_format", default_type)
    gt = load_turn(row["ground_truth"], default_type)
    text = prediction or ""
    if prompt_type == "json":
        pred = load_turn(text, default_type)
        if not pred or not gt:
            pred = {}
    elif prompt_type == "str":
        key = {"reason": "thought", "retrieve": "name", "understand": "args"}.get(eval_type)
        pred = {key: text} if key else {}
    else:
        raise ValueError(f"unsupported response_format {prompt_type!r} (json and str are supported)")
    keys = METRIC_KEYS[(default_type, eval_type if default_type == "str" else "rru")]
    values = {k: 0.0 for k in keys}
    if pred:
        values["parse_rate"] = 1.0
    item = RRUItem(pred=pred, gt=gt, values=values)
    if "thought" in pred and "thought" in gt and "thought" in keys:
        item.pairs["thought"] = (str(pred["thought"]), str(gt["thought"]))
    if "name" in pred and "name" in gt and "name" in keys:
        values["name"] = (float(pred["name"] == gt["name"]) if default_type == "json"
                          else name_rule(pred["name"], gt["name"]))
    if "args" in pred and "args" in gt and "args" in keys:
        if version == "v1":
            item.pairs["args"] = (str(pred["args"]), str(gt["args"]))
        else:
            values["args"] = args_exact(pred["args"], gt["args"])
    return item


def texts(item: RRUItem) -> list[str]:
    return [t for pair in item.pairs.values() for t in pair]


def finish(item: RRUItem, vectors: dict[str, np.ndarray]) -> tuple[dict[str, float], dict[str, Any]]:
    values = dict(item.values)
    for metric, (a, b) in item.pairs.items():
        values[metric] = float(np.maximum(cosine(vectors[a][None], vectors[b][None]), 0)[0, 0])
    shown = {k: v for k, v in item.pred.items()}
    return values, {"parsed": shown or None, "gold": {k: item.gt.get(k) for k in ("name", "args")}}
