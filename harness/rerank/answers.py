"""How reranking reads answers: the small interface between `harness.rerank` and a task.

A task that wants best-of-N reports gives an AnswerChecker: how to pull the final answer out of a
response, and when two answers are the same mathematical object. Checkers are found by task name
through a registry of lazy "module:attribute" paths, so this package imports no benchmark code
unless a run actually needs it.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from typing import Callable, Protocol


class AnswerChecker(Protocol):
    def extract_answer(self, text: str) -> str | None:
        """The final answer of a response (None when it gives none)."""

    def answers_equivalent(self, a: str, b: str) -> bool:
        """Whether answer `b` equals answer `a` (gold, or the representative of a group, first)."""


class FunctionChecker:
    """An AnswerChecker made of two plain functions (a task scorer's module-level helpers)."""

    def __init__(self, extract: Callable[[str], str | None], equivalent: Callable[[str, str], bool]):
        self._extract = extract
        self._equivalent = equivalent

    def extract_answer(self, text: str) -> str | None:
        return self._extract(text)

    def answers_equivalent(self, a: str, b: str) -> bool:
        if a == b:
            return True
        return bool(self._equivalent(a, b))


# Task name -> "module" whose `extract_answer` / `answers_equivalent` functions make the checker.
_CHECKER_MODULES: dict[str, str] = {
    "math500": "tasks.math.scorer",
    "math": "tasks.math.scorer",
}
_CHECKERS: dict[str, Callable[[], AnswerChecker]] = {}


def register_checker(task: str, factory: Callable[[], AnswerChecker]) -> None:
    _CHECKERS[task] = factory


def checker_for(task: str) -> AnswerChecker:
    """The answer checker of a task: registered, else the task's scorer module, else math-verify."""
    if task in _CHECKERS:
        return _CHECKERS[task]()
    family = task.split(":")[0]
    for name in (task, family):
        mod_name = _CHECKER_MODULES.get(name)
        if mod_name is None:
            continue
        try:
            mod = importlib.import_module(mod_name)
        except ImportError:
            break
        if hasattr(mod, "extract_answer") and hasattr(mod, "answers_equivalent"):
            return FunctionChecker(mod.extract_answer, mod.answers_equivalent)
    return MathVerifyChecker()


def last_boxed(text: str) -> str | None:
    """The content of the last \\boxed{...} (or \\fbox{...}) in `text`, by brace matching."""
    starts = [i for key in ("\\boxed", "\\fbox") for i in _find_all(text, key)]
    for start in sorted(starts, reverse=True):
        j = start + (6 if text.startswith("\\boxed", start) else 5)
        while j < len(text) and text[j] == " ":
            j += 1
        if j >= len(text) or text[j] != "{":
            continue
        depth = 0
        for k in range(j, len(text)):
            if text[k] == "{":
                depth += 1
            elif text[k] == "}":
                depth -= 1
                if depth == 0:
                    return text[j + 1:k]
        return None
    return None


def _find_all(text: str, key: str) -> list[int]:
    out, i = [], text.find(key)
    while i >= 0:
        out.append(i)
        i = text.find(key, i + 1)
    return out


class MathVerifyChecker:
    """Answers from the last \\boxed{}, equivalence through math-verify (gold first, with timeout).

    A stand-in with the same contract as the MATH task's scorer helpers, used for tasks that
    register nothing. Parsed expressions and verdicts are memoised: grouping N answers compares
    each with every group representative.
    """

    timeout_s = 5

    def extract_answer(self, text: str) -> str | None:
        ans = last_boxed(text)
        return ans.strip() if ans is not None else None

    def answers_equivalent(self, a: str, b: str) -> bool:
        if a == b:
            return True
        return _verify_cached(a, b, self.timeout_s)


@lru_cache(maxsize=65536)
def _parsed(ans: str):
    from math_verify import parse

    return parse("\\boxed{" + ans + "}", parsing_timeout=MathVerifyChecker.timeout_s)


@lru_cache(maxsize=262144)
def _verify_cached(gold: str, pred: str, timeout_s: int) -> bool:
    from math_verify import verify

    g, p = _parsed(gold), _parsed(pred)
    if not g or not p:
        return False
    try:
        return bool(verify(g, p, timeout_seconds=timeout_s))
    except Exception:  # math-verify raises on pathological inputs; an unprovable match is no match
        return False
