"""Best-of-N selection and voting over N candidates per document, for N = 1, 2, 4, ..., N.

Conventions (per document; accuracy is the mean over documents):
- bon_first@k: the highest-reward response among the FIRST k candidates (the paper's first-n
  convention; ties go to the earliest), scored by that response's correctness.
- bon_random@k: the same over random k-subsets, averaged over `draws` bootstrap draws (an
  estimate, labelled as such); `bon_random_exact` gives its exact expectation for checking.
- weighted_vote@k: among the first k, answers grouped into equivalence classes; each class
  weighs the sum of sigmoid(reward) of its members; the heaviest class wins.
- maj@k: the same with weight 1 per response (ties go to the class seen first, as Counter does).
  A winning class is judged by its first member's correctness (Qwen2.5-Math's convention).
  Responses with no answer join no class.
- pass@k: the unbiased estimator 1 - C(n-c,k)/C(n,k) over all n candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from harness.metrics import equivalence_classes, ks_up_to, mean_metric, pass_at_k
from harness.results import MetricValue

METRICS = ("bon_first", "bon_random", "weighted_vote", "maj", "pass")
LABELS = {
    "bon_first": "best-of-N (first n)",
    "bon_random": "best-of-N (random subsets, bootstrap mean)",
    "weighted_vote": "weighted majority vote",
    "maj": "majority vote",
    "pass": "pass@k",
}


@dataclass
class DocVotes:
    """What selection needs of one document: correctness per candidate and answer classes."""

    correct: np.ndarray  # bool, shape (n,)
    classes: list[list[int]]  # indices of candidates with equivalent answers, in order of first appearance


def answer_classes(answers: Sequence[str | None], same: Callable[[str, str], bool]) -> list[list[int]]:
    """Equivalence classes of the non-empty answers (by candidate index)."""
    idx = [i for i, a in enumerate(answers) if a is not None]
    classes = equivalence_classes([answers[i] for i in idx], same)
    return [[idx[j] for j in c] for c in classes]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def bon_first(rewards: np.ndarray, correct: np.ndarray, k: int) -> float:
    return float(correct[int(np.argmax(rewards[:k]))])


def bon_random_bootstrap(rewards: np.ndarray, correct: np.ndarray, k: int, draws: int, rng: np.random.Generator) -> float:
    n = len(rewards)
    if k >= n:
        return bon_first(rewards, correct, n)
    # argsort of random keys per row = a random permutation; its first k = a random k-subset.
    subsets = np.argsort(rng.random((draws, n)), axis=1)[:, :k]
    subsets.sort(axis=1)  # ties go to the lowest index, as in bon_first
    picks = subsets[np.arange(draws), np.argmax(rewards[subsets], axis=1)]
    return float(correct[picks].mean())


def bon_random_exact(rewards: np.ndarray, correct: np.ndarray, k: int) -> float:
    """Expected best-of-k accuracy over all k-subsets: the response ranked r (0 = best) is chosen
    in C(n-1-r, k-1) of the C(n, k) subsets."""
    n = len(rewards)
    order = sorted(range(n), key=lambda i: (-rewards[i], i))
    total = math.comb(n, k)
    return float(sum(math.comb(n - 1 - r, k - 1) * correct[i] for r, i in enumerate(order)) / total)


def vote(classes: list[list[int]], correct: np.ndarray, k: int, weights: np.ndarray | None = None) -> float:
    best_total, best_first = -math.inf, None
    for c in classes:
        members = [i for i in c if i < k]
        if not members:
            continue
        total = float(weights[members].sum()) if weights is not None else float(len(members))
        if total > best_total:
            best_total, best_first = total, members[0]
    return float(correct[best_first]) if best_first is not None else 0.0


def per_doc_values(doc: DocVotes, rewards: np.ndarray | None, k: int, draws: int, rng: np.random.Generator) -> dict[str, float]:
    n = len(doc.correct)
    out = {"maj": vote(doc.classes, doc.correct, k), "pass": pass_at_k(n, int(doc.correct.sum()), k)}
    if rewards is not None:
        out["bon_first"] = bon_first(rewards, doc.correct, k)
        out["bon_random"] = bon_random_bootstrap(rewards, doc.correct, k, draws, rng)
        out["weighted_vote"] = vote(doc.classes, doc.correct, k, sigmoid(rewards))
    return out


def best_of_n_metrics(docs: list[DocVotes], rewards: list[np.ndarray] | None = None, ks: list[int] | None = None,
                      draws: int = 200, seed: int = 0) -> dict[str, dict[int, MetricValue]]:
    """metric -> k -> accuracy over documents (with stderr and bootstrap interval)."""
    if not docs:
        return {}
    n = min(len(d.correct) for d in docs)
    ks = ks or ks_up_to(n)
    rng = np.random.default_rng(seed)
    values: dict[str, dict[int, list[float]]] = {}
    for k in ks:
        for i, doc in enumerate(docs):
            r = rewards[i] if rewards is not None else None
            for name, v in per_doc_values(doc, r, k, draws, rng).items():
                values.setdefault(name, {}).setdefault(k, []).append(v)
    return {name: {k: mean_metric(vs, seed=seed) for k, vs in by_k.items()}
            for name, by_k in sorted(values.items(), key=lambda kv: METRICS.index(kv[0]))}
