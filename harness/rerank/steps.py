"""Splitting a response into reasoning steps, as character spans.

Spans cover the whole response with no gaps: the separator after a step (the blank line, the
newline before the next "Step k:") belongs to that step, as in the implicit-PRM reference, where
the cumulative reward of step k is read after its trailing "\\n\\n".
"""

from __future__ import annotations

import re

from harness.errors import HarnessError

STEP_MODES = ("auto", "marker", "blank", "newline")

# "Step 3:", "## Step 3.", "**Step 3:**" at the start of a line.
MARKER_RE = re.compile(r"(?m)^[ \t]*(?:#+[ \t]*)?(?:\*\*)?Step[ \t]+\d+[ \t]*[:.]")
BLANK_RE = re.compile(r"\n[ \t]*\n\s*")
NEWLINE_RE = re.compile(r"\n\s*")


def step_spans(text: str, mode: str = "auto") -> list[tuple[int, int]]:
    """[(start, end)] of each step; a text without boundaries is one step."""
    if mode not in STEP_MODES:
        raise HarnessError(f"unknown step mode '{mode}'", f"use one of {', '.join(STEP_MODES)}")
    if not text:
        return [(0, 0)]
    if mode == "auto":
        mode = "marker" if len(MARKER_RE.findall(text)) >= 2 else "blank"
    if mode == "marker":
        starts = [m.start() for m in MARKER_RE.finditer(text)]
        # Text before the first marker (a restated problem, a plan) is a step of its own.
        if not starts or text[: starts[0]].strip():
            starts = [0] + starts
        else:
            starts[0] = 0
    else:
        sep = BLANK_RE if mode == "blank" else NEWLINE_RE
        starts = [0] + [m.end() for m in sep.finditer(text) if m.end() < len(text)]
    starts = sorted(set(starts))
    ends = starts[1:] + [len(text)]
    return list(zip(starts, ends))


def split_steps(text: str, mode: str = "auto") -> list[str]:
    return [text[a:b] for a, b in step_spans(text, mode)]
