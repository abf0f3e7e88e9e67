"""PLAN matching modes ("reference", the default, and "batched") and the evaluator option."""

import json

import networkx as nx
import numpy as np
import pytest

from harness.errors import HarnessError
from harness.task import Doc, ScoringContext
from tasks.teval import files
from tasks.teval.evaluators import plan
from tasks.teval.task import TEvalTask

from tests.teval.conftest import answered

#: rows of plan_json_v1 whose gold plan repeats a step: matchings of equal weight exist
TIED_ROWS = ["query_0_1", "query_16_0", "query_162_0", "query_194_0", "query_220_2", "query_221_1"]


def gold_json(row):
    return json.dumps([{"id": s["id"], "name": s["name"], "args": str(s["args"])} for s in row["ground_truth"]])


def upstream_f1(model, pred, gt, threshold):
    """PlanningEvaluator.bertscore_match (T-Eval 58f2240) written out as upstream runs it: one
    encode call per list, element-by-element arithmetic on NumPy scalars, networkx, LIS."""
    from sentence_transformers import util

    pred = sorted(pred, key=lambda x: x["id"])
    gt = sorted(gt, key=lambda x: x["id"])
    pred = pred[:-1] if pred[-1]["name"] == "FinishAction" else pred
    gt = gt[:-1] if gt[-1]["name"] == "FinishAction" else gt
    emb = [model.encode(x, convert_to_tensor=True) for x in ([p["name"] for p in pred], [g["name"] for g in gt],
                                                                [str(p["args"]) for p in pred], [str(g["args"]) for g in gt])]
    name_cos = np.maximum(util.cos_sim(emb[0], emb[1]).cpu().numpy(), 0)
    args_cos = np.maximum(util.cos_sim(emb[2], emb[3]).cpu().numpy(), 0)
    score = np.zeros((len(pred), len(gt)))
    for i in range(len(pred)):
        for j in range(len(gt)):
            score[i][j] = name_cos[i][j] * 0.75 + args_cos[i][j] * 0.25
    graph = nx.Graph()
    for i in range(len(pred)):
        for j in range(len(gt)):
            if score[i][j] > threshold:
                graph.add_edge(i, str(j), weight=score[i][j])
    mapping = {i: -1 for i in range(len(pred))}
    for a, b in nx.max_weight_matching(graph):
        mapping[a if isinstance(a, int) else b] = int(b if isinstance(a, int) else a)
    dp = np.ones(len(pred))
    for i in range(len(pred)):
        for j in range(i):
            if mapping[i] != -1 and mapping[j] != -1 and mapping[i] > mapping[j]:
                dp[i] = max(dp[i], dp[j] + 1)
    correct = int(max(dp))
    recall, precision = correct / len(gt), correct / len(pred)
    return 2 * recall * precision / (recall + precision)


def score_rows(task_name, rows, ctx, options=None):
    task = TEvalTask(files.SPECS[task_name])
    ctx = ScoringContext(options=dict(options or {}), resources=ctx.resources)
    items = [(Doc(k, rows[k]), answered(gold_json(rows[k]))) for k in TIED_ROWS]
    return task, {s.doc_id: s for s in task.score_all(items, ctx)}


@pytest.mark.skipif(np.lib.NumpyVersion(np.__version__) < "2.0.0",
                    reason="upstream's scalar arithmetic is float32 only under NumPy 2 promotion rules")
def test_reference_mode_is_upstream_on_tied_rows(rows, ctx, embedder):
    """On rows where two matchings weigh the same, the default mode gives upstream's F1 exactly."""
    data = rows["plan_json_v1"]
    task, got = score_rows("teval-plan-json", data, ctx)
    assert task.config()["similarity"].startswith("reference")
    want = {k: upstream_f1(embedder.model, data[k]["ground_truth"], data[k]["ground_truth"], 0.7) for k in TIED_ROWS}
    assert {k: s.values["f1_score"] for k, s in got.items()} == want
    assert min(want.values()) < 1  # ties broken against the gold order on some of these rows


def test_batched_mode_is_an_option(rows, ctx):
    data = rows["plan_json_v1"]
    task, got = score_rows("teval-plan-json", data, ctx, {"teval_matching": "batched"})
    assert task.config()["similarity"].startswith("batched")
    for k, s in got.items():
        gold = plan.core_steps(plan.load_plan(data[k]["ground_truth"]))
        assert sorted(s.record["matching"]) == list(range(len(gold)))  # every gold step matched once


def test_evaluator_version_is_independent_of_the_data_file(rows, ctx):
    """The v1 file scored by the v2 evaluator: threshold 0.8 (the same as the v2 task's)."""
    row = rows["plan_str_v1"]["query_108_2"]
    tail = " whether pets, parking and wifi are included, and if the street is quiet at night"
    text = "\n".join(f"Ask AirbnbSearch.{api}{tail}" for api in ("get_property_details", "get_property_reviews"))
    results = {}
    for name, options in [("teval-plan-str", {}), ("teval-plan-str", {"teval_evaluator": "v2"}),
                          ("teval-plan-str-v2", {}), ("teval-plan-str-v2", {"teval_evaluator": "v1"})]:
        task = TEvalTask(files.SPECS[name])
        s = task.score_all([(Doc("query_108_2", row), answered(text))], ScoringContext(options=options, resources=ctx.resources))[0]
        cfg = task.config()
        results[name, options.get("teval_evaluator")] = (cfg["evaluator_version"], cfg["match_threshold"], s.record["matching"])
    assert results["teval-plan-str", None] == ("v1", 0.7, [2, 3])
    assert results["teval-plan-str", "v2"] == results["teval-plan-str-v2", None] == ("v2", 0.8, [-1, -1])
    assert results["teval-plan-str-v2", "v1"] == ("v1", 0.7, [2, 3])


@pytest.mark.parametrize("options,message", [({"teval_evaluator": "v3"}, "teval_evaluator=v1 or"),
                                             ({"teval_matching": "fast"}, "teval_matching=batched")])
def test_bad_option_is_one_line(rows, options, message):
    task = TEvalTask(files.SPECS["teval-plan-json"])
    with pytest.raises(HarnessError) as err:
        task.score_all([(Doc("query_108_2", rows["plan_json_v1"]["query_108_2"]), answered("[]"))], ScoringContext(options=options))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_summary_names_the_evaluator_when_it_differs_from_the_data():
    from tasks.teval.summary import format_summary, summarize

    result = {"metrics": {"f1_score": {"value": 0.5, "n": 3}}, "config": {"evaluator_version": "v2"}}
    summary = summarize({"teval-plan-json": result})
    assert summary["evaluators"] == ["v2"]
    assert format_summary(summary).startswith("T-Eval v1 data, v2 evaluator")
    assert format_summary(summarize({"teval-plan-json": {"metrics": result["metrics"]}})).startswith("T-Eval v1 (")
