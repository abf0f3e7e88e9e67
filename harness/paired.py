"""Paired tests between two runs on the documents both answered (`harness results compare`, and
the leaderboard pages and rankings).

0/1 verdicts get McNemar's exact test (a two-sided binomial test on the discordant pairs);
anything else gets a paired bootstrap of the mean difference. Both report a 95% interval of the
difference (a paired bootstrap; for 0/1 verdicts drawn as counts of the three kinds of pairs,
which is the same resampling without an n-by-resamples index array). The same seed gives the
same p and interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from harness.results import SampleRecord

ALPHA = 0.05
BOOTSTRAP_RESAMPLES = 10_000


@dataclass
class PairedTest:
    metric: str
    n_shared: int
    mean_a: float | None
    mean_b: float | None
    diff: float | None  # mean_a - mean_b on the shared documents
    p_value: float | None
    method: str  # "mcnemar-exact", "paired-bootstrap", or why there is no test
    ci_low: float | None = None  # 95% interval of the difference (mean_a - mean_b)
    ci_high: float | None = None
    a_only: int = 0  # McNemar: documents only A got right
    b_only: int = 0

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < ALPHA

    @property
    def tested(self) -> bool:
        return self.p_value is not None


def mcnemar_exact_p(a_only: int, b_only: int) -> float:
    """Exact McNemar: two-sided binomial test of a_only successes in a_only + b_only trials at 1/2.

    With p = 1/2 the distribution is symmetric, so the two-sided p is twice the smaller tail
    (capped at 1); computed exactly with integers (scipy.stats.binomtest gives the same).
    """
    n = a_only + b_only
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(a_only, b_only) + 1))
    return min(1.0, 2 * tail / 2**n)


def binary_diff_ci(a_only: int, b_only: int, n: int, seed: int = 0,
                   resamples: int = BOOTSTRAP_RESAMPLES) -> tuple[float, float]:
    """95% paired-bootstrap interval of mean_a - mean_b for 0/1 verdicts: resampling n pairs is
    drawing how many are A-only, B-only and alike (a multinomial)."""
    if n == 0:
        return 0.0, 0.0
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, [a_only / n, b_only / n, (n - a_only - b_only) / n], size=resamples)
    boots = (counts[:, 0] - counts[:, 1]) / n
    lo, hi = np.percentile(boots, [2.5, 97.5])
    return float(lo), float(hi)


def shared_values(a: list[SampleRecord], b: list[SampleRecord], metric: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The documents where both runs define `metric`, in a stable order, with both values."""
    va = {r.doc_id: r.values.get(metric) for r in a}
    vb = {r.doc_id: r.values.get(metric) for r in b}
    ids = sorted(d for d in va if d in vb and va[d] is not None and vb[d] is not None)
    return ids, np.array([va[d] for d in ids], dtype=float), np.array([vb[d] for d in ids], dtype=float)


def paired_test(a: list[SampleRecord] | None, b: list[SampleRecord] | None, metric: str, seed: int = 0,
                resamples: int = BOOTSTRAP_RESAMPLES) -> PairedTest:
    if a is None or b is None:
        return PairedTest(metric, 0, None, None, None, None, "no sample records")
    ids, xa, xb = shared_values(a, b, metric)
    n = len(ids)
    if n == 0:
        if {r.doc_id for r in a} & {r.doc_id for r in b}:
            # a pooled metric (F1 over all events) has no per-document value to pair
            return PairedTest(metric, 0, None, None, None, None, f"no per-document {metric} values")
        return PairedTest(metric, 0, None, None, None, None, "no shared documents")
    mean_a, mean_b = float(xa.mean()), float(xb.mean())
    diff = mean_a - mean_b
    if np.isin(xa, (0.0, 1.0)).all() and np.isin(xb, (0.0, 1.0)).all():
        a_only = int(((xa == 1) & (xb == 0)).sum())
        b_only = int(((xa == 0) & (xb == 1)).sum())
        p = mcnemar_exact_p(a_only, b_only)
        lo, hi = binary_diff_ci(a_only, b_only, n, seed, resamples)
        return PairedTest(metric, n, mean_a, mean_b, diff, p, "mcnemar-exact", ci_low=lo, ci_high=hi,
                          a_only=a_only, b_only=b_only)
    d = xa - xb
    if n < 2:
        return PairedTest(metric, n, mean_a, mean_b, diff, None, "too few shared documents")
    rng = np.random.default_rng(seed)
    boots = d[rng.integers(0, n, size=(resamples, n))].mean(axis=1)
    lo, hi = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    if np.allclose(d, 0):
        p = 1.0
    else:
        # two-sided: how often the resampled difference lands on the other side of zero
        p = float(min(1.0, 2 * min((boots <= 0).mean(), (boots >= 0).mean())))
        p = max(p, 1.0 / resamples)
    return PairedTest(metric, n, mean_a, mean_b, diff, p, "paired-bootstrap", ci_low=lo, ci_high=hi)
