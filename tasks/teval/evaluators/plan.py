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


def core_steps(plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sorted by id (stable), with one trailing FinishAction dropped, as upstream."""
    plan = sorted(plan, key=lambda s: s["id"])
    if plan and plan[-1]["name"] == "FinishAction":
        plan = plan[:-1]
    return plan


def texts(item: PlanItem) -> list[str]:
    """Every text the batched mode embeds for this row (names and args of both plans)."""
    if not item.pred or not item.gt:
        return []
    out = []
    for plan in (core_steps(item.pred), core_steps(item.gt)):
        out += [s["name"] for s in plan] + [str(s["args"]) for s in plan]
    return out


def _lists(pred: list[dict[str, Any]], gt: list[dict[str, Any]]) -> tuple[list[str], ...]:
    """The four text lists of a row: predicted names, gold names, predicted args, gold args."""
    return ([s["name"] for s in pred], [s["name"] for s in gt],
            [str(s["args"]) for s in pred], [str(s["args"]) for s in gt])


class ReferenceSimilarity:
    """The similarity matrix exactly as the reference computes it (matching mode "reference"):
    each of a row's four text lists is one `SentenceTransformer.encode` call (so every text is
    embedded inside the batch the reference puts it in), cosines by `sentence_transformers.util.cos_sim`,
    clipped at 0, and 0.75 * name + 0.25 * args added in float32 (the reference's scalar
    arithmetic under NumPy >= 2) into a float64 matrix. Ties between equal steps then break as
    in the reference. An identical list gives identical embeddings, so encodings are reused."""

    def __init__(self, embedder):
        self.embedder = embedder
        self._encoded: dict[tuple[str, ...], Any] = {}

    def _encode(self, texts: list[str]):
        key = tuple(texts)
        if key not in self._encoded:
            self._encoded[key] = self.embedder.encode_as_given(texts)
        return self._encoded[key]

    def __call__(self, pred: list[dict[str, Any]], gt: list[dict[str, Any]]) -> np.ndarray:
        from sentence_transformers import util

        name_p, name_g, args_p, args_g = (self._encode(t) for t in _lists(pred, gt))
        name_cos = np.maximum(util.cos_sim(name_p, name_g).cpu().numpy(), 0).astype(np.float32)
        args_cos = np.maximum(util.cos_sim(args_p, args_g).cpu().numpy(), 0).astype(np.float32)
        summed = name_cos * np.float32(NAME_WEIGHT) + args_cos * np.float32(ARGS_WEIGHT)
        return summed.astype(np.float64)


class BatchedSimilarity:
    """Matching mode "batched": every unique text of the file embedded once (`texts()`), the
    weighted sum in float64. Several times faster; on rows that repeat a step the matching can
    differ from the reference's (README, "Matching modes")."""

    def __init__(self, vectors: dict[str, np.ndarray]):
        self.vectors = vectors

    def __call__(self, pred: list[dict[str, Any]], gt: list[dict[str, Any]]) -> np.ndarray:
        name_p, name_g, args_p, args_g = (np.stack([self.vectors[t] for t in texts]) for texts in _lists(pred, gt))
        name_sim = np.maximum(cosine(name_p, name_g), 0)
        args_sim = np.maximum(cosine(args_p, args_g), 0)
        return name_sim.astype(np.float64) * NAME_WEIGHT + args_sim.astype(np.float64) * ARGS_WEIGHT


def finish(item: PlanItem, similarity, threshold: float) -> tuple[dict[str, float], dict[str, Any]]:
    record: dict[str, Any] = {"pred_steps": [s["name"] for s in item.pred], "gold_steps": [s["name"] for s in item.gt]}
    values = {"precision": 0.0, "recall": 0.0, "f1_score": 0.0}
    if item.pred and item.gt:
        pred, gt = core_steps(item.pred), core_steps(item.gt)
        if pred and gt:
            values, record["matching"] = match(similarity(pred, gt), threshold)
        else:
            # Upstream raises here (max() of an empty LIS table, or recall over 0 gold steps);
            # we score the row 0 and say so.
            item.notes.append("plan empty after dropping FinishAction: upstream raises; scored 0")
            record["matching"] = []
    values["parse_rate"] = 1.0 if item.parsed else 0.0
    if item.notes:
        record["notes"] = item.notes
    return values, record


def match(score: np.ndarray, threshold: float) -> tuple[dict[str, float], list[int]]:
    """Maximum-weight matching over the pairs above the threshold, then the longest run of
    predictions with increasing matched gold indices; (precision, recall, F1) and the matching."""
    n_pred, n_gt = score.shape
    graph = nx.Graph()  # node names and edge order as upstream: networkx breaks ties by them
    for i in range(n_pred):
        for j in range(n_gt):
            if score[i][j] > threshold:
                graph.add_edge(i, str(j), weight=score[i][j])
    mapping = {i: -1 for i in range(n_pred)}
    for a, b in nx.max_weight_matching(graph):
        if isinstance(a, int):
            mapping[a] = int(b)
        else:
            mapping[b] = int(a)
    # Longest increasing run of matched gold indices. Quirk kept: every prediction starts at
    # length 1, matched or not, so a plan with no match at all still counts 1 correct action.
    dp = np.ones(n_pred)
    for i in range(n_pred):
        for j in range(i):
            if mapping[i] == -1 or mapping[j] == -1:
                continue
            if mapping[i] > mapping[j]:
                dp[i] = max(dp[i], dp[j] + 1)
    correct = int(max(dp))
    recall, precision = correct / n_gt, correct / n_pred
    f1 = 2 * recall * precision / (recall + precision)
    return {"precision": precision, "recall": recall, "f1_score": f1}, [mapping[i] for i in range(n_pred)]
