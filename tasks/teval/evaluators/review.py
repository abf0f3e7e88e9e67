"""REVIEW: which of A-E describes a tool call's outcome (T-Eval's ReviewEvaluator)."""

from __future__ import annotations

from typing import Any

from tasks.teval.parsing import format_load

CHOICES = ("A", "B", "C", "D", "E")


def parse_choice(prediction: str) -> str | None:
    """Text after the first ':' (all of it when there is none), stripped; its first character
    when that is one of A-E. Quirk kept: 'Answer: Because ...' parses as B, 'Error in the tool' (no colon) as E."""
    rest = prediction[prediction.find(":") + 1:].strip()
    return rest[0] if rest and rest[0] in CHOICES else None


def parse_json_review(prediction: str) -> dict[str, Any] | None:
    """The json response format: {'is_finished': bool}. Upstream compares this dict with the gold
    letter, so a json-format row can parse but never score (kept, documented)."""
    try:
        data = format_load(prediction)
        review = data["is_finished"]
    except Exception:  # noqa: BLE001
        return None
    return {"review": review} if review in (True, False) else None


def score(row: dict[str, Any], prediction: str | None) -> tuple[dict[str, float], dict[str, Any]]:
    gold = row["ground_truth"]["answer"]
    text = prediction or ""
    if row["meta_data"]["response_format"] == "json":
        pred = parse_json_review(text)
    else:
        pred = parse_choice(text)
    values = {"review_quality": 0.0, "parse_rate": 0.0}
    if pred is not None:
        values["review_quality"] = 1.0 if pred == gold else 0.0
        values["parse_rate"] = 1.0
    return values, {"parsed": pred, "gold": gold}
