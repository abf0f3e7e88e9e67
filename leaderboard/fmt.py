"""How numbers read on the site: fractions as percentages, other values as they are."""

from __future__ import annotations

import math
from typing import Any


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def fmt_value(v: Any, pct: bool = True) -> str:
    if not is_number(v):
        return "–"
    v = float(v)
    if pct:
        return f"{100 * v:.1f}"
    if v.is_integer() and abs(v) < 1e15:  # counts read as counts
        return str(int(v))
    if abs(v) >= 1000 or (v != 0 and abs(v) < 0.01):
        return f"{v:.3g}"
    return f"{v:.2f}"


def fmt_ci(lo: Any, hi: Any, pct: bool = True) -> str:
    if not (is_number(lo) and is_number(hi)):
        return ""
    return f"[{fmt_value(lo, pct)}, {fmt_value(hi, pct)}]"


def fmt_p(p: Any) -> str:
    if not is_number(p):
        return "–"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def p_label(p: Any) -> str:
    """"p=0.098" or "p<0.001"."""
    text = fmt_p(p)
    return "p" + text if text.startswith("<") else f"p={text}"


def sort_key(v: Any) -> str:
    """The data-sort attribute: a number, or empty so that missing cells sort last."""
    return repr(float(v)) if is_number(v) else ""


def score_cell(mv: Any, pct: bool) -> dict[str, Any]:
    """A MetricValue as the templates show it."""
    if mv is None:
        return {"sort": "", "text": "–", "ci": "", "n": ""}
    return {"sort": sort_key(mv.value), "text": fmt_value(mv.value, pct), "ci": fmt_ci(mv.ci_low, mv.ci_high, pct),
            "n": mv.n, "stderr": fmt_value(mv.stderr, pct) if is_number(mv.stderr) else ""}


def short_text(obj: Any, limit: int = 160) -> str:
    s = obj if isinstance(obj, str) else repr(obj)
    return s if len(s) <= limit else s[: limit - 1] + "…"
