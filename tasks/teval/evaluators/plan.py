"""PLAN: the predicted action list against the gold one (T-Eval's PlanningEvaluator, 'bertscore').

Each (predicted, gold) action pair gets similarity 0.75 * cos(names) + 0.25 * cos(args) (cosines
clipped at 0); pairs above the threshold (0.7 in v1, 0.8 in v2) are edges of a bipartite graph
whose maximum-weight matching (networkx, as upstream) maps predictions to gold actions; the
longest run of predictions whose matched gold indices increase is the number of correct actions.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from harness.embeddings import cosine
from tasks.teval.parsing import format_load

NAME_WEIGHT = 0.75
ARGS_WEIGHT = 0.25
THRESHOLDS = {"v1": 0.7, "v2": 0.8}


@dataclass
class PlanItem:
    pred: list[dict[str, Any]]
    gt: list[dict[str, Any]]
    parsed: bool  # the reference's parse_rate for this row
    notes: list[str] = field(default_factory=list)


def load_plan(data: Any) -> list[dict[str, Any]]:
    """The reference's PlanningEvaluator.format_load: a list of {name, id, args} or []."""
    try:
        loaded = format_load(copy.deepcopy(data), start="[", end="]")
    except Exception:  # noqa: BLE001
        return []
    if not isinstance(loaded, list):
        return []
    out = []
    for step in loaded:
        try:
            out.append({"name": str(step["name"]), "id": int(step["id"]), "args": str(step["args"])})
        except Exception:  # noqa: BLE001 - one malformed step voids the whole plan, as upstream
            return []
    return out


def parse_str_plan(prediction: str, api_list: list[str]) -> list[dict[str, Any]]:
    """Steps split at newlines and '. '; a step is the API name found earliest in it (ties go to
    the first name in API_list), its args are the whole step text."""
    actions = []
    for step in prediction.replace(". ", "\n").split("\n"):
        best, best_at = "", 10**9
        for api in api_list:
            at = step.find(api)
            if at != -1 and at < best_at:
                best, best_at = api, at
        if best:
            actions.append({"id": len(actions), "name": best, "args": step})
    return actions


def prepare(row: dict[str, Any], prediction: str | None) -> PlanItem:
    prompt_type = row.get("meta", {}).get("prompt_type", "json")
    gt = load_plan(row["ground_truth"])
    text = prediction or ""
    if prompt_type == "json":
        pred = load_plan(text)
        parsed = bool(pred) and bool(gt)
    elif prompt_type == "str":
        pred = parse_str_plan(text, list(row["meta"]["API_list"]))
        parsed = bool(pred) and bool(gt)
    else:
        raise ValueError(f"unsupported PLAN prompt_type {prompt_type!r} (json and str are supported)")
    return PlanItem(pred=pred, gt=gt, parsed=parsed)


def _core(plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sorted by id (stable), with one trailing FinishAction dropped, as upstream."""
    plan = sorted(plan, key=lambda s: s["id"])
    if plan and plan[-1]["name"] == "FinishAction":
        plan = plan[:-1]
    return plan


def texts(item: PlanItem) -> list[str]:
    if not item.pred or not item.gt:
        return []
    out = []
    for plan in (_core(item.pred), _core(item.gt)):
        out += [s["name"] for s in plan] + [str(s["args"]) for s in plan]
    return out


def finish(item: PlanItem, vectors: dict[str, np.ndarray], threshold: float) -> tuple[dict[str, float], dict[str, Any]]:
    record: dict[str, Any] = {"pred_steps": [s["name"] for s in item.pred], "gold_steps": [s["name"] for s in item.gt]}
    zero = {"precision": 0.0, "recall": 0.0, "f1_score": 0.0}
    values = dict(zero)
    if item.pred and item.gt:
        values, match = _bertscore_match(_core(item.pred), _core(item.gt), vectors, threshold, item.notes)
        record["matching"] = match
    values["parse_rate"] = 1.0 if item.parsed else 0.0
    if item.notes:
        record["notes"] = item.notes
    return values, record


def _bertscore_match(pred, gt, vectors, threshold, notes):
    if not pred or not gt:
        # Upstream raises here (max() of an empty LIS table, or recall over 0 gold steps);
        # we score the row 0 and say so.
        notes.append("plan empty after dropping FinishAction: upstream raises; scored 0")
        return {"precision": 0.0, "recall": 0.0, "f1_score": 0.0}, []

    def emb(strings):
        return np.stack([vectors[s] for s in strings])

    name_sim = np.maximum(cosine(emb([s["name"] for s in pred]), emb([s["name"] for s in gt])), 0)
    args_sim = np.maximum(cosine(emb([str(s["args"]) for s in pred]), emb([str(s["args"]) for s in gt])), 0)
    # float32 cosines weighted in float64, as upstream's scalar arithmetic did under NumPy 1.x
    score = name_sim.astype(np.float64) * NAME_WEIGHT + args_sim.astype(np.float64) * ARGS_WEIGHT
    graph = nx.Graph()
    for i in range(len(pred)):
        for j in range(len(gt)):
            if score[i][j] > threshold:
                graph.add_edge(i, str(j), weight=score[i][j])
    mapping = {i: -1 for i in range(len(pred))}
    for a, b in nx.max_weight_matching(graph):
        if isinstance(a, int):
            mapping[a] = int(b)
        else:
            mapping[b] = int(a)
    # Longest increasing run of matched gold indices. Quirk kept: every prediction starts at
    # length 1, matched or not, so a plan with no match at all still counts 1 correct action.
    dp = np.ones(len(pred))
    for i in range(len(pred)):
        for j in range(i):
            if mapping[i] == -1 or mapping[j] == -1:
                continue
            if mapping[i] > mapping[j]:
                dp[i] = max(dp[i], dp[j] + 1)
    correct = int(max(dp))
    recall, precision = correct / len(gt), correct / len(pred)
    f1 = 2 * recall * precision / (recall + precision)
    return {"precision": precision, "recall": recall, "f1_score": f1}, [mapping[i] for i in range(len(pred))]
