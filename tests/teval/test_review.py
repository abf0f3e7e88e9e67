"""REVIEW on real rows of the shared file."""

from pathlib import Path

import pytest

from harness.task import Doc, ScoringContext
from tasks.teval import files
from tasks.teval.evaluators.review import parse_choice
from tasks.teval.task import TEvalTask

from harness.requests import Generation
from harness.task import DocState

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "teval"


def answered(text: str) -> DocState:
    return DocState(outputs={"main": [Generation(text=text)]})


def score(row_id, row, text):
    task = TEvalTask(files.SPECS["teval-review"])
    return task.score_all([(Doc(row_id, row), answered(text))], ScoringContext())[0]


@pytest.mark.parametrize("text,quality,parsed", [
    ("Answer: B", 1.0, 1.0),                                  # row 126's gold is B
    ("```\nAnswer: B\n```", 1.0, 1.0),                        # fences cleaned first
    ("Answer: A", 0.0, 1.0),                                  # wrong letter
    ("Answer: Because the proxy failed", 1.0, 1.0),           # quirk: first letter after ':' is B
    ("I think the tool failed.", 0.0, 0.0),                   # no choice letter: unparsable
])
def test_review_row_126(rows, text, quality, parsed):
    row = rows["review_str_v1"]["126"]
    assert row["ground_truth"]["answer"] == "B"
    s = score("126", row, text)
    assert (s.values["review_quality"], s.values["parse_rate"]) == (quality, parsed)
    assert s.groups == {"format": "str", "gold_answer": "B"}


def test_parse_choice():
    assert parse_choice("E") == "E"
    assert parse_choice("Error in the tool") == "E"   # quirk: no colon, first letter taken
    assert parse_choice("Error: empty") is None       # text after the colon starts with 'e'
    assert parse_choice("answer is c") is None
