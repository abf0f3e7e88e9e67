"""INSTRUCT and REASON/RETRIEVE/UNDERSTAND on hand-written rows in the HF layout
(tests/fixtures/teval: these files are not in ../shared/data)."""

import json

from pathlib import Path

import pytest

from harness.embeddings import cosine
from harness.task import ScoringContext
from tasks.teval import files
from tasks.teval.task import TEvalTask

from harness.requests import Generation
from harness.task import DocState

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "teval"


def answered(text: str) -> DocState:
    return DocState(outputs={"main": [Generation(text=text)]})

GOLD_THOUGHT = "Search for properties located in Berlin"


def run(task_name, text, ctx, data_task=None):
    """Score `text` as the answer to the fixture row of `data_task`'s file, with `task_name`'s evaluator."""
    doc = TEvalTask(files.SPECS[data_task or task_name]).load_docs(FIXTURES)[0]
    return TEvalTask(files.SPECS[task_name]).score_all([(doc, answered(text))], ctx)[0].values


def cos(embedder, a, b):
    v = embedder.encode([a, b])
    return max(float(cosine(v[:1], v[1:])[0, 0]), 0.0)


def test_reason_str_is_thought_similarity(ctx, embedder):
    assert run("teval-reason-str", GOLD_THOUGHT, ctx)["thought"] == pytest.approx(1.0, abs=1e-5)
    partial = "I should look up Berlin apartments"
    got = run("teval-reason-str", partial, ctx)
    assert got["thought"] == pytest.approx(cos(embedder, partial, GOLD_THOUGHT), abs=1e-5)
    assert 0.2 < got["thought"] < 0.95
    assert got["parse_rate"] == 1.0  # quirk: str answers always "parse"
    assert set(got) == {"thought", "parse_rate", "score", "parse_failure"}


@pytest.mark.parametrize("text,expected", [
    ("AirbnbSearch.search_property_by_place", 1.0),
    ("I will call AirbnbSearch.search_property_by_place next.", 1.0),
    ("AirbnbSearch.get_property_details", 0.0),                               # wrong tool
    ("AirbnbSearch.search_property_by_place, then FinishAction", 0.0),        # a second name
    ("AirbnbSearch.search_property_by_place, e.g. for Berlin", 0.0),          # quirk: 'e.g' is a.b
    ("", 0.0),
])
def test_retrieve_str_name_rule(ctx, text, expected):
    assert run("teval-retrieve-str", text, ctx)["name"] == expected


def test_understand_str_v1_similarity_v2_exact(ctx, embedder):
    gold = "{'place': 'Berlin'}"
    assert run("teval-understand-str", gold, ctx)["args"] == pytest.approx(1.0, abs=1e-5)
    near = "{'place': 'Berlin, Germany'}"
    assert run("teval-understand-str", near, ctx)["args"] == pytest.approx(cos(embedder, near, gold), abs=1e-5)
    v2 = lambda t: run("teval-understand-str-v2", t, ctx, data_task="teval-understand-str")["args"]  # noqa: E731
    assert v2(gold) == 1.0 and v2(f'"{gold}"') == 1.0  # surrounding quotes stripped
    assert v2(near) == 0.0


def test_rru_json(ctx, embedder):
    good = json.dumps({"thought": GOLD_THOUGHT, "name": "AirbnbSearch.search_property_by_place", "args": {"place": "Berlin"}})
    v1 = run("teval-rru-json", good, ctx)
    assert v1["thought"] == pytest.approx(1.0, abs=1e-5) and v1["name"] == 1.0
    assert v1["args"] == pytest.approx(1.0, abs=1e-5) and v1["parse_rate"] == 1.0
    v2 = run("teval-rru-json-v2", good, ctx, data_task="teval-rru-json")
    assert v2["args"] == pytest.approx(1 / (1 + 1e-5), rel=1e-12)  # quirk: n + 1e-5

    half = json.dumps({"thought": "x", "name": "AirbnbSearch.get_property_details", "args": {"place": "Paris"}})
    got = run("teval-rru-json", half, ctx)
    assert got["name"] == 0.0
    assert got["args"] == pytest.approx(cos(embedder, "{'place': 'Paris'}", "{'place': 'Berlin'}"), abs=1e-5)
    assert run("teval-rru-json-v2", half, ctx, data_task="teval-rru-json")["args"] == 0.0

    bad = run("teval-rru-json", "I'd search Berlin.", ctx)
    assert bad == {"thought": 0.0, "name": 0.0, "args": 0.0, "parse_rate": 0.0, "parse_failure": 1.0}


@pytest.mark.parametrize("text,fmt_ok,em", [
    ('{"thought": "search", "name": "AirbnbSearch.search_property_by_place", "args": {"place": "Berlin"}}', 1, 1.0),
    ('```json\n{"thought": "s", "name": "AirbnbSearch.get_property_details", "args": {"place": "Berlin"}}\n```', 1, 0.5),
    ('{"thought": "s", "name": "AirbnbSearch.search_property_by_place", "args": "place=Berlin"}', 1, 0.5),
    ('{"thought": "s", "name": "AirbnbSearch.search_property_by_place"}', 0, 0.0),   # no args key
    ("I will search Berlin.", 0, 0.0),
])
def test_instruct_json(text, fmt_ok, em):
    got = run("teval-instruct", text, ScoringContext())
    assert (got["json_format_metric"], got["json_args_em_metric"]) == (fmt_ok, pytest.approx(em))


@pytest.mark.parametrize("text,fmt_ok,em", [
    ("goal: search\nname: AirbnbSearch.search_property_by_place\nargs: {'place': 'Berlin', 'limit': 3}", 1, 1.0),
    ("goal: search\nname: AirbnbSearch.search_property_by_place\nargs: {'place': 'Berlin', 'limit': 5}", 1, 2 / 3),
    ("goal: search\nname: AirbnbSearch.search_property_by_place\nargs: place is Berlin", 1, 1 / 3),
    ("I will search Berlin.", 0, 0.0),
])
def test_instruct_string(text, fmt_ok, em):
    task = TEvalTask(files.SPECS["teval-instruct"])
    doc = task.load_docs(FIXTURES)[1]
    got = task.score_all([(doc, answered(text))], ScoringContext())[0].values
    assert (got["string_format_metric"], got["string_args_em_metric"]) == (fmt_ok, pytest.approx(em))


def test_instruct_score_averages_the_two_formats():
    task = TEvalTask(files.SPECS["teval-instruct"])
    json_doc, str_doc = task.load_docs(FIXTURES)
    scores = task.score_all([
        (json_doc, answered('{"thought": "s", "name": "AirbnbSearch.get_property_details", "args": {"place": "Berlin"}}')),
        (str_doc, answered("nothing")),
    ], ScoringContext())
    metrics, breakdown = task.aggregate(scores)
    assert metrics["json_score"].value == pytest.approx((1 + 0.5) / 2)
    assert metrics["string_score"].value == 0.0
    assert metrics["score"].value == pytest.approx(0.375)
    assert set(breakdown["format"]) == {"json", "string"}
