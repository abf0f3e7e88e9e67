"""Where the final answer of a MATH output is, before math-verify reads it.

1. The LAST `\\boxed{}` (or `\\fbox{}`), brace-matched, as the reference graders take it (PRM800K's
   grader, Hendrycks' and lm-eval's `last_boxed_only_string`, Qwen2.5-Math's `extract_answer`).
   math-verify on a whole output would read every box it finds together (`$\\boxed{-2}$ and
   $\\boxed{1}$` becomes the set {-2, 1}). A box that never closes (a truncated output) is no answer.
2. With no box, only an answer the output states: the text after its last "answer is" /
   "answer:" (so "final answer is", "The answer is"), up to the end of that paragraph and cut at
   the first ", ", " and ", "; " or ". " outside `$...$`. An equation whose left side is not a
   lone variable (`x^2+x-2 = 0`, "1 + 2 = 3") is not a value and gives no answer; `x = 5` is one.
   math-verify's own fallback instead takes the last number or LaTeX anywhere in the text, so an
   equation `... = 0` or a sentence collapses to its last number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.rerank.answers import last_boxed

BOX_MARKERS = ("\\boxed", "\\fbox")
ANCHOR = re.compile(r"answer\s*(?:is\b|:)\s*:?", re.IGNORECASE)
PARAGRAPH_END = re.compile(r"\n\s*\n")
CUTS = re.compile(r",\s|\s+and\s|;\s|\.\s|\.$")
MATH_DELIMITERS = re.compile(r"^\s*(?:\$\$?|\\\[|\\\()|(?:\$\$?|\\\]|\\\))\s*$")
LONE_VARIABLE = re.compile(r"^\\?[A-Za-z]+(?:_\{?\w+\}?)?(?:\([A-Za-z]\))?$")


@dataclass(frozen=True)
class Located:
    text: str | None  # the answer text handed to math-verify (None: the output gives none)
    source: str       # "boxed", "stated" (after "answer is"), or why there is none:
                      # "unclosed_box", "equation" (a stated equation, not a value), "none"


def locate(output: str) -> Located:
    boxed = last_boxed(output)
    if boxed is not None:
        return Located(boxed.strip(), "boxed")
    if any(m in output for m in BOX_MARKERS):
        return Located(None, "unclosed_box")
    statement = stated_answer(output)
    if not statement:
        return Located(None, "none")
    return Located(statement, "stated") if _is_value(statement) else Located(None, "equation")


def stated_answer(output: str) -> str | None:
    """The text after the last "answer is"/"answer:", to the end of its paragraph, cut at the
    first separator outside $...$ (None when the output has no such anchor)."""
    anchors = list(ANCHOR.finditer(output))
    if not anchors:
        return None
    rest = output[anchors[-1].end():].lstrip()
    rest = PARAGRAPH_END.split(rest, maxsplit=1)[0].strip()
    return _cut_outside_math(rest).strip() or None


def _cut_outside_math(text: str) -> str:
    """The text up to the first separator that is not inside $...$."""
    for m in CUTS.finditer(text):
        if text.count("$", 0, m.start()) % 2 == 0:
            return text[:m.start()]
    return text


def _is_value(statement: str) -> bool:
    """False for an equation whose left side is not a lone variable (x = 5 is a value)."""
    inner = MATH_DELIMITERS.sub("", statement).strip()
    if "=" not in inner.replace("\\neq", "").replace("<=", "").replace(">=", ""):
        return True
    lhs = inner.split("=", 1)[0].strip()
    return bool(LONE_VARIABLE.match(lhs))
