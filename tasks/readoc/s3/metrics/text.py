"""Concatenation metrics (the reference's `compute_concated_metrics`): edit-distance similarity
of two strings, and the F1 of their whitespace-token vocabularies (sets).

Both are undefined (None) when the gold string is empty: the reference then returns no metric
and the document drops out of that column's average.
"""

from __future__ import annotations

from dataclasses import dataclass

from Levenshtein import distance


@dataclass(frozen=True)
class ConcatScore:
    eds: float  # 1 - Levenshtein(pred, gold) / max(len)
    precision: float
    recall: float
    f1: float


def edit_similarity(pred: str, gold: str) -> float:
    return 1 - distance(pred, gold) / max(len(pred), len(gold))


def vocab_prf(pred: str, gold: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the token sets, as nltk.scores computes them (alpha 0.5),
    with the reference's "None counts as 0"."""
    ref, hyp = set(gold.split()), set(pred.split())
    common = len(ref & hyp)
    p = common / len(hyp) if hyp else None
    r = common / len(ref) if ref else None
    if p is None or r is None:
        f = None
    elif p == 0 or r == 0:
        f = 0
    else:
        f = 1.0 / (0.5 / p + 0.5 / r)
    return p or 0, r or 0, f or 0


def concat_score(pred: str, gold: str) -> ConcatScore | None:
    if len(gold) == 0:
        return None
    p, r, f = vocab_prf(pred, gold)
    return ConcatScore(eds=edit_similarity(pred, gold), precision=p, recall=r, f1=f)


def join_items(items: list[str]) -> str:
    """How the reference concatenates headings, formulas and tables before comparing them."""
    return "\n".join(items).strip()
