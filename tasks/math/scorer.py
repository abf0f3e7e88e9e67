"""MATH scoring: the answer located as the reference graders do (tasks/math/answer.py), parsed and
compared with math-verify (gold first), accuracy, maj@k, unbiased pass@k, extraction failures and
grading timeouts.

Gold answers are parsed once per process, cached, with no time limit (they are fixed data; see
the README for the check over all 5,000). A prediction's parse and its comparison each get
CPU_LIMIT_S seconds of this thread's CPU time (tasks/math/cpu_limit.py), not wall-clock seconds,
so a loaded machine grades the same; an output that exceeds it gets the verdict "timeout",
counted in the `grading_timeout` metric, never silently "wrong".
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import math_verify.grader
import math_verify.parser
from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

from harness.metrics import equivalence_classes, ks_up_to, majority_class, pass_at_k
from harness.task import Doc, SampleScore
from tasks.math.answer import Located, locate
from tasks.math.cpu_limit import CpuTimeExceeded, cpu_time_limit

CPU_LIMIT_S = 5.0
#: a stated (unboxed) answer: LaTeX first, else a plain number or expression; no boxes left to find
_STATED_CONFIG = (LatexExtractionConfig(boxed_match_priority=-1), ExprExtractionConfig())
# math-verify warns once that its own (wall-clock) timeout is off; ours replaces it.
math_verify.parser.TIMEOUT_WARNING_SHOWN = math_verify.grader.TIMEOUT_WARNING_SHOWN = True
log = logging.getLogger(__name__)

VERDICTS = ("correct", "wrong", "no_answer", "timeout")


@lru_cache(maxsize=65536)
def parse_boxed(answer: str) -> tuple:
    """An answer as `\\boxed{answer}` through math-verify: (sympy object, source string) or ()."""
    return tuple(parse("\\boxed{" + answer + "}", parsing_timeout=None))


def parse_gold(answer: str) -> tuple:
    """The gold answer, parsed outside any time limit (cached: each gold is parsed once)."""
    return parse_boxed(answer)


@lru_cache(maxsize=65536)
def _parse_stated(statement: str) -> tuple:
    return tuple(parse(statement, extraction_config=list(_STATED_CONFIG), parsing_timeout=None))


def parse_prediction(text: str) -> tuple:
    """The output's answer parsed (empty when it gives none). Raises CpuTimeExceeded."""
    return _parse_located(locate(text))


def _parse_located(found: Located) -> tuple:
    if found.text is None:
        return ()
    with cpu_time_limit(CPU_LIMIT_S):
        return parse_boxed(found.text) if found.source == "boxed" else _parse_stated(found.text)


def extracted_string(parsed: tuple | list) -> str | None:
    """The answer as written (math-verify returns [sympy object, source string])."""
    if not parsed:
        return None
    return str(parsed[-1]) if len(parsed) > 1 else str(parsed[0])


def extract_answer(text: str) -> str | None:
    """The final answer of an output as written, for reranking (None: none, or over the limit)."""
    found = locate(text)
    if found.source == "boxed":
        return found.text or None
    try:
        return extracted_string(parse_prediction(text))
    except CpuTimeExceeded:
        return None


def is_correct(gold: tuple | list, pred: tuple | list) -> bool:
    """math-verify's verdict, gold first (it is not symmetric). Raises CpuTimeExceeded."""
    if not gold or not pred:
        return False
    with cpu_time_limit(CPU_LIMIT_S):
        try:
            return bool(verify(list(gold), list(pred), timeout_seconds=None))
        except Exception:  # math-verify raises on pathological inputs: an unprovable match is no match
            return False


def answers_equivalent(a: str, b: str) -> bool:
    """Two answer strings denote the same value (a is treated as the reference)."""
    try:
        with cpu_time_limit(CPU_LIMIT_S):
            pred = parse_boxed(b)
        return is_correct(parse_gold(a), pred)
    except CpuTimeExceeded:
        return False


def grade(gold: tuple, found: Located) -> tuple[str, tuple]:
    """(verdict, parsed prediction) of one located answer against a parsed gold answer."""
    try:
        pred = _parse_located(found)
        if not pred:
            return "no_answer", ()
        return ("correct" if is_correct(gold, pred) else "wrong"), pred
    except CpuTimeExceeded:
        log.warning("MATH grading went over %g s of CPU time; verdict 'timeout'", CPU_LIMIT_S)
        return "timeout", ()


def grading_config() -> dict[str, Any]:
    """How outputs are graded, for the results' config (reproducibility)."""
    from importlib.metadata import version

    return {"grading": {"answer": "last \\boxed{}; without one, a value stated after 'answer is'/'answer:'",
                        "equivalence": "math-verify verify(gold, prediction)", "math_verify": version("math-verify"),
                        "cpu_limit_s": CPU_LIMIT_S, "timeout": "verdict 'timeout', metric grading_timeout"}}


def score_math(doc: Doc, outputs: list[str]) -> SampleScore:
    gold = parse_gold(str(doc.data["answer"]))
    located = [locate(o) for o in outputs]
    graded = [grade(gold, f) for f in located]
    verdicts = [v for v, _ in graded]
    preds = [p for _, p in graded]
    correct = [v == "correct" for v in verdicts]
    n = len(outputs)
    values: dict[str, float | None] = {
        "accuracy": sum(correct) / n,
        "extraction_failure": verdicts.count("no_answer") / n,
        "grading_timeout": verdicts.count("timeout") / n,
    }
    record: dict[str, Any] = {
        "gold": doc.data["answer"],
        "extracted": [extracted_string(p) for p in preds],
        "answer_from": [f.source for f in located],
        "verdicts": verdicts,
        "correct": correct,
    }
    if not gold:
        record["gold_unparsed"] = True  # never happens on the shipped data (README); said if it does
    if n > 1:
        for k in ks_up_to(n):
            values[f"pass@{k}"] = pass_at_k(n, sum(correct), k)
            values[f"maj@{k}"] = float(_majority_correct(preds[:k], correct[:k]))
    return SampleScore(doc.id, values, record=record)


def _same(a: tuple, b: tuple) -> bool:
    try:
        return is_correct(a, b)
    except CpuTimeExceeded:
        return False  # not shown equal within the limit: separate classes


def _majority_correct(preds: list[tuple], correct: list[bool]) -> bool:
    usable = [i for i, p in enumerate(preds) if p]
    if not usable:
        return False
    classes = equivalence_classes([preds[i] for i in usable], _same)
    best = majority_class(classes)
    return correct[usable[best[0]]]
