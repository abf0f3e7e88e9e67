"""Text normalisation before a task's scorer compares an output with the gold (a YAML task's
`normalize:` key): each step named there is applied, in order, to both."""

from __future__ import annotations

import re
import string
from typing import Callable

_PUNCT = str.maketrans("", "", string.punctuation)


def _number(text: str) -> str:
    """ "1,000.50" -> "1000.5", "3.0" -> "3"; text that is not one number is left as it is."""
    raw = text.strip().replace(",", "")
    try:
        value = float(raw)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


STEPS: dict[str, tuple[Callable[[str], str], str]] = {
    "lower": (str.lower, "lower-case"),
    "whitespace": (lambda s: " ".join(s.split()), "collapse runs of spaces and newlines into one space"),
    "punctuation": (lambda s: s.translate(_PUNCT), "remove ASCII punctuation"),
    "articles": (lambda s: re.sub(r"\b(a|an|the)\b", " ", s, flags=re.IGNORECASE), "remove the English articles a, an, the"),
    "number": (_number, 'read a number: "1,000.0" and "1000" are both "1000"'),
}


def unknown_steps(steps: list[str]) -> list[str]:
    return [s for s in steps if s not in STEPS]


def apply(text: str, steps: tuple[str, ...] | list[str]) -> str:
    for step in steps:
        text = STEPS[step][0](text)
    return text.strip()
