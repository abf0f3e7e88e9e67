"""Aggregation: means with standard errors and bootstrap intervals, pass@k, majority vote."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Callable, Hashable, Iterable, Sequence, TypeVar

import numpy as np

from harness.results import MetricValue
from harness.task import SampleScore

T = TypeVar("T")

BOOTSTRAP_RESAMPLES = 1000


def mean_metric(values: Sequence[float], seed: int = 0, resamples: int = BOOTSTRAP_RESAMPLES) -> MetricValue:
    """Mean, standard error of the mean, and a 95% percentile-bootstrap interval."""
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    n = int(arr.size)
    if n == 0:
        return MetricValue(value=None, n=0)
    mean = float(arr.mean())
    stderr = float(arr.std(ddof=1) / math.sqrt(n)) if n > 1 else None
    lo = hi = None
    if n > 1 and resamples > 0:
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, n, size=(resamples, n))
        boots = arr[idx].mean(axis=1)
        lo, hi = (float(x) for x in np.percentile(boots, [2.5, 97.5]))
    return MetricValue(value=mean, stderr=stderr, ci_low=lo, ci_high=hi, n=n)


def aggregate_means(scores: list[SampleScore], seed: int = 0):
    """Each per-document value averaged over the documents that define it, overall and by group."""
    metrics = _means(scores, seed)
    breakdown: dict[str, dict[str, dict[str, MetricValue]]] = {}
    group_keys = sorted({g for s in scores for g in s.groups})
    for g in group_keys:
        by_val: dict[str, list[SampleScore]] = defaultdict(list)
        for s in scores:
            if g in s.groups:
                by_val[str(s.groups[g])].append(s)
        breakdown[g] = {v: _means(ss, seed, resamples=0) for v, ss in sorted(by_val.items())}
    return metrics, breakdown


def _means(scores: list[SampleScore], seed: int, resamples: int = BOOTSTRAP_RESAMPLES) -> dict[str, MetricValue]:
    names: list[str] = []
    for s in scores:
        for k in s.values:
            if k not in names:
                names.append(k)
    return {
        k: mean_metric([s.values.get(k) for s in scores if s.values.get(k) is not None], seed, resamples)
        for k in names
    }


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021): 1 - C(n-c, k) / C(n, k)."""
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples, got {n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def ks_up_to(n: int) -> list[int]:
    """1, 2, 4, ... up to n, and n itself."""
    ks, k = [], 1
    while k < n:
        ks.append(k)
        k *= 2
    ks.append(n)
    return ks


def equivalence_classes(items: Iterable[T], same: Callable[[T, T], bool]) -> list[list[int]]:
    """Group item indices into classes of mutually equivalent items (first member represents)."""
    classes: list[list[int]] = []
    reps: list[T] = []
    for i, item in enumerate(items):
        for c, rep in zip(classes, reps):
            if same(rep, item):
                c.append(i)
                break
        else:
            classes.append([i])
            reps.append(item)
    return classes


def majority_class(classes: list[list[int]], weights: Sequence[float] | None = None) -> list[int] | None:
    """The class with the largest total weight (count by default); ties go to the earliest."""
    if not classes:
        return None
    w = weights if weights is not None else None

    def total(c: list[int]) -> float:
        return float(sum(w[i] for i in c)) if w is not None else float(len(c))

    best = classes[0]
    for c in classes[1:]:
        if total(c) > total(best):
            best = c
    return best


def count_by(items: Iterable[Hashable]) -> dict[Hashable, int]:
    out: dict[Hashable, int] = defaultdict(int)
    for x in items:
        out[x] += 1
    return dict(out)
