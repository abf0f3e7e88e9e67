"""MATH scoring: answer extraction and equivalence with math-verify (gold first, with timeouts),
accuracy, maj@k, unbiased pass@k, and the extraction-failure rate."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

from harness.metrics import equivalence_classes, ks_up_to, majority_class, pass_at_k
from harness.task import Doc, SampleScore

TIMEOUT_S = 5
_PRED_CONFIG = [LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig()]


def _timeout() -> int | None:
    # math-verify's timeouts use SIGALRM, which only the main thread may set.
    return TIMEOUT_S if threading.current_thread() is threading.main_thread() else None


@lru_cache(maxsize=20000)
def parse_gold(answer: str) -> tuple:
    return tuple(parse("\\boxed{" + answer + "}", parsing_timeout=_timeout()))


def parse_prediction(text: str) -> list:
    try:
        return parse(text, extraction_config=_PRED_CONFIG, parsing_timeout=_timeout())
    except Exception:
        return []


def extracted_string(parsed: list) -> str | None:
    """The answer as written (math-verify returns [sympy object, source string])."""
    if not parsed:
        return None
    return str(parsed[-1]) if len(parsed) > 1 else str(parsed[0])


def extract_answer(text: str) -> str | None:
    return extracted_string(parse_prediction(text))


def is_correct(gold: tuple | list, pred: list) -> bool:
    if not gold or not pred:
        return False
    try:
        return bool(verify(list(gold), pred, timeout_seconds=_timeout()))
    except Exception:
        return False


def answers_equivalent(a: str, b: str) -> bool:
    """Two answer strings denote the same value (a is treated as the reference)."""
    return is_correct(parse_gold(a), list(parse_gold(b)))


def score_math(doc: Doc, outputs: list[str]) -> SampleScore:
    gold = parse_gold(str(doc.data["answer"]))
    preds = [parse_prediction(o) for o in outputs]
    correct = [is_correct(gold, p) for p in preds]
    failed = [not p for p in preds]
    n = len(outputs)
    values: dict[str, float | None] = {
        "accuracy": sum(correct) / n,
        "extraction_failure": sum(failed) / n,
    }
    record: dict[str, Any] = {
        "gold": doc.data["answer"],
        "extracted": [extracted_string(p) for p in preds],
        "correct": correct,
    }
    if n > 1:
        for k in ks_up_to(n):
            values[f"pass@{k}"] = pass_at_k(n, sum(correct), k)
            values[f"maj@{k}"] = float(_majority_correct(preds[:k], correct[:k]))
    return SampleScore(doc.id, values, record=record)


def _majority_correct(preds: list[list], correct: list[bool]) -> bool:
    usable = [i for i, p in enumerate(preds) if p]
    if not usable:
        return False
    classes = equivalence_classes([preds[i] for i in usable], lambda a, b: is_correct(a, b))
    best = majority_class(classes)
    return correct[usable[best[0]]]
