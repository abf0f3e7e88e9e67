"""PLAN on real rows of the shared files, with hand-written predictions."""

import json

import numpy as np
from pathlib import Path

import pytest

from harness.embeddings import cosine
from harness.task import Doc
from tasks.teval import files
from tasks.teval.evaluators import plan
from tasks.teval.task import TEvalTask

from harness.requests import Generation
from harness.task import DocState

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "teval"


def answered(text: str) -> DocState:
    return DocState(outputs={"main": [Generation(text=text)]})

ROW = "query_108_2"  # 4 distinct steps + FinishAction: place search, availability, details, reviews


def score(task_name, row, text, ctx):
    task = TEvalTask(files.SPECS[task_name])
    return task.score_all([(Doc(ROW, row), answered(text))], ctx)[0]


def steps(row, order):
    gt = row["ground_truth"]
    return json.dumps([{"id": i, "name": gt[k]["name"], "args": str(gt[k]["args"])} for i, k in enumerate(order)])


def weight(embedder, name_a, args_a, name_b, args_b):
    v = embedder.encode([name_a, args_a, name_b, args_b])
    n = max(float(cosine(v[0:1], v[2:3])[0, 0]), 0.0)
    a = max(float(cosine(v[1:2], v[3:4])[0, 0]), 0.0)
    return plan.NAME_WEIGHT * n + plan.ARGS_WEIGHT * a


def test_gold_plan_scores_one(rows, ctx):
    row = rows["plan_json_v1"][ROW]
    s = score("teval-plan-json", row, steps(row, [0, 1, 2, 3, 4]), ctx)
    assert s.values["precision"] == s.values["recall"] == s.values["f1_score"] == pytest.approx(1.0)
    assert s.values["parse_rate"] == 1.0 and s.record["matching"] == [0, 1, 2, 3]


def test_first_two_steps_recall_half(rows, ctx):
    row = rows["plan_json_v1"][ROW]
    s = score("teval-plan-json", row, "Plan:\n" + steps(row, [0, 1]) + "\nThat's all.", ctx)
    # 2 correct of 2 predicted and 4 gold (FinishAction dropped): F1 = 2 * 1 * 0.5 / 1.5
    assert s.record["matching"] == [0, 1]
    assert (s.values["precision"], s.values["recall"]) == (1.0, 0.5)
    assert s.values["f1_score"] == pytest.approx(2 / 3)


def test_swapped_steps_count_longest_increasing_run(rows, ctx):
    row = rows["plan_json_v1"][ROW]
    s = score("teval-plan-json", row, steps(row, [1, 0, 2, 3]), ctx)
    # matched gold indices 1,0,2,3: the longest increasing run has 3
    assert s.record["matching"] == [1, 0, 2, 3]
    assert s.values["precision"] == s.values["recall"] == s.values["f1_score"] == pytest.approx(0.75)


def test_unmatched_plan_still_counts_one_step(rows, ctx, embedder):
    row = rows["plan_json_v1"][ROW]
    pred = [{"id": 0, "name": "Weather.get_weather_today", "args": "{'location': 'Paris'}"}]
    for g in row["ground_truth"][:4]:  # precondition: no pair clears the 0.7 threshold
        assert weight(embedder, pred[0]["name"], pred[0]["args"], g["name"], str(g["args"])) <= 0.7
    s = score("teval-plan-json", row, json.dumps(pred), ctx)
    # quirk: the LIS table starts at 1, so 1 correct of 1 predicted, 4 gold: F1 = 2 * 0.25 / 1.25
    assert s.record["matching"] == [-1]
    assert (s.values["precision"], s.values["recall"]) == (1.0, 0.25)
    assert s.values["f1_score"] == pytest.approx(0.4)


@pytest.mark.parametrize("text", ["Sorry, I cannot make a plan.",
                                  '[{"id": 0, "name": "AirbnbSearch.search_property_by_place"}]',  # no args
                                  '[{"id": "first", "name": "x", "args": "{}"}]'])                 # id not int
def test_unparsable_plans_score_zero(rows, ctx, text):
    s = score("teval-plan-json", rows["plan_json_v1"][ROW], text, ctx)
    assert s.values == {"precision": 0.0, "recall": 0.0, "f1_score": 0.0, "parse_rate": 0.0,
                        "score": 0.0, "parse_failure": 1.0}


def test_finish_only_plan_is_zero_where_upstream_raises(rows, ctx):
    s = score("teval-plan-json", rows["plan_json_v1"][ROW], '[{"id": 0, "name": "FinishAction", "args": "{}"}]', ctx)
    assert s.values["f1_score"] == 0.0 and s.values["parse_rate"] == 1.0
    assert "upstream raises" in s.record["notes"][0]


def test_str_plan_lines_name_the_api(rows, ctx):
    row = rows["plan_str_v1"][ROW]
    text = ("1. Use AirbnbSearch.search_property_by_place to find places in Los Angeles\n"
            "2. Use AirbnbSearch.get_property_details to read the details of the first one")
    s = score("teval-plan-str", row, text, ctx)
    # "1. Use ..." splits at ". ": the lines "1" and "2" name no API and are dropped
    assert s.record["pred_steps"] == ["AirbnbSearch.search_property_by_place", "AirbnbSearch.get_property_details"]
    assert s.record["matching"] == [0, 2]
    assert s.values["f1_score"] == pytest.approx(2 / 3)


def test_threshold_is_0_7_in_v1_and_0_8_in_v2(rows, ctx, embedder):
    row = rows["plan_str_v1"][ROW]
    tail = " whether pets, parking and wifi are included, and if the street is quiet at night"
    lines = ["Ask AirbnbSearch.get_property_details" + tail, "Ask AirbnbSearch.get_property_reviews" + tail]
    gt = row["ground_truth"]
    for line, g in zip(lines, gt[2:4]):  # precondition: same-name pairs weigh in (0.7, 0.8]
        w = weight(embedder, g["name"], line, g["name"], str(g["args"]))
        assert 0.7 < w <= 0.8, w
    text = "\n".join(lines)
    v1 = score("teval-plan-str", row, text, ctx)
    v2 = score("teval-plan-str-v2", row, text, ctx)
    assert v1.record["matching"] == [2, 3]          # both match: 2 of 2 predicted, 4 gold
    assert v1.values["f1_score"] == pytest.approx(2 / 3)
    assert v2.record["matching"] == [-1, -1]        # none match; the LIS quirk still counts 1
    assert (v2.values["precision"], v2.values["recall"]) == (0.5, 0.25)
    assert v2.values["f1_score"] == pytest.approx(1 / 3)


def test_cosine_of_identical_texts_is_one(embedder):
    v = embedder.encode(["AirbnbSearch.get_property_details", "AirbnbSearch.get_property_details"])
    assert np.allclose(cosine(v, v), 1.0, atol=1e-5)
