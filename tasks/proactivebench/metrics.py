"""ProactiveBench's metrics, pooled over events (not means of per-trace values).

Upstream eval/calculate_agent_performance.py counts, per judged event:
TP a proposal the judge accepted, FP a proposal it rejected, TN silence it accepted, FN silence
it rejected; then Recall = TP/(TP+FN), Precision = TP/(TP+FP), Accuracy = (TP+TN)/all,
False-Alarm = FP/(TP+FP), F1 = 2PR/(P+R). Upstream adds 1e-8 to each denominator, which only
matters when one is zero: there the value is 0, as here.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from harness.results import MetricValue

COUNTS = ("tp", "fp", "tn", "fn")
RATES = ("recall", "precision", "accuracy", "false_alarm", "f1")
BOOTSTRAP_RESAMPLES = 1000


def outcome(proposed: bool, accepted: bool) -> str:
    """The confusion cell of one judged event."""
    if proposed:
        return "tp" if accepted else "fp"
    return "tn" if accepted else "fn"


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def rates(c: Mapping[str, float]) -> dict[str, float]:
    tp, fp, tn, fn = (float(c.get(k, 0)) for k in COUNTS)
    recall = _ratio(tp, tp + fn)
    precision = _ratio(tp, tp + fp)
    return {
        "recall": recall,
        "precision": precision,
        "accuracy": _ratio(tp + tn, tp + tn + fp + fn),
        "false_alarm": _ratio(fp, tp + fp),
        "f1": _ratio(2 * precision * recall, precision + recall),
    }


def sum_counts(parts: Iterable[Mapping[str, float]], keys: Sequence[str]) -> dict[str, float]:
    out = {k: 0.0 for k in keys}
    for p in parts:
        for k in keys:
            out[k] += float(p.get(k, 0) or 0)
    return out


def pooled_with_bootstrap(
    units: Sequence[Mapping[str, float]],
    metric_fn: Callable[[Mapping[str, float]], dict[str, float | None]],
    count_keys: Sequence[str],
    n_of: Callable[[Mapping[str, float]], int],
    seed: int = 0,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> dict[str, MetricValue]:
    """Metrics of the pooled counts of `units` (traces, items), with a percentile bootstrap over
    units: resample units with replacement, pool, recompute. `n` is the number of events used."""
    total = sum_counts(units, count_keys)
    point = metric_fn(total)
    n = n_of(total)
    boots: dict[str, list[float]] = {k: [] for k in point}
    if len(units) > 1 and resamples > 0:
        mat = np.array([[float(u.get(k, 0) or 0) for k in count_keys] for u in units])
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(units), size=(resamples, len(units)))
        for row in mat[idx].sum(axis=1):
            vals = metric_fn(dict(zip(count_keys, row)))
            for k, v in vals.items():
                if v is not None:
                    boots[k].append(v)
    out: dict[str, MetricValue] = {}
    for k, v in point.items():
        b = np.asarray(boots[k])
        if v is None or b.size < 2:
            out[k] = MetricValue(value=v, n=n)
            continue
        lo, hi = np.percentile(b, [2.5, 97.5])
        out[k] = MetricValue(value=v, stderr=float(b.std(ddof=1)), ci_low=float(lo), ci_high=float(hi), n=n)
    return out


def count_values(c: Mapping[str, float], keys: Sequence[str], n: int) -> dict[str, MetricValue]:
    """Raw counts reported beside the rates (events judged, failures, unparsable replies)."""
    return {k: MetricValue(value=float(c.get(k, 0)), n=n) for k in keys}
