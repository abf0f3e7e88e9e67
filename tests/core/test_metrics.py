import itertools
import math

import numpy as np
import pytest

from harness.metrics import aggregate_means, equivalence_classes, ks_up_to, majority_class, mean_metric, pass_at_k
from harness.task import SampleScore


@pytest.mark.parametrize("n,c,k", [(10, 3, 1), (10, 3, 5), (8, 0, 4), (8, 8, 2), (5, 2, 5), (6, 1, 3)])
def test_pass_at_k_equals_the_subset_probability(n, c, k):
    samples = [1] * c + [0] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    brute = sum(any(samples[i] for i in s) for s in subsets) / len(subsets)
    assert pass_at_k(n, c, k) == pytest.approx(brute)


def test_mean_metric_standard_error_and_bootstrap():
    vals = [1, 0, 1, 1, 0, 1, 0, 1, 1, 1]
    m = mean_metric(vals, seed=0)
    assert m.value == pytest.approx(0.7)
    assert m.stderr == pytest.approx(np.std(vals, ddof=1) / math.sqrt(10))
    assert m.ci_low < 0.7 < m.ci_high and m.n == 10
    assert mean_metric(vals, seed=0) == m  # seeded: the interval is reproducible


def test_aggregate_leaves_undefined_values_out_of_the_denominator():
    scores = [SampleScore("a", {"x": 1.0, "y": None}, {"g": "p"}),
              SampleScore("b", {"x": 0.0, "y": 0.5}, {"g": "q"}),
              SampleScore("c", {"x": 1.0, "y": 1.0}, {"g": "q"})]
    metrics, breakdown = aggregate_means(scores)
    assert metrics["x"].value == pytest.approx(2 / 3) and metrics["x"].n == 3
    assert metrics["y"].value == pytest.approx(0.75) and metrics["y"].n == 2
    assert breakdown["g"]["q"]["x"].value == pytest.approx(0.5)
    assert breakdown["g"]["p"]["y"].n == 0


def test_majority_and_classes():
    classes = equivalence_classes(["1/2", "0.5", "2", "2", "2"], lambda a, b: float(eval(a)) == float(eval(b)))
    assert classes == [[0, 1], [2, 3, 4]]
    assert majority_class(classes) == [2, 3, 4]
    assert majority_class(classes, weights=[5, 5, 1, 1, 1]) == [0, 1]
    assert ks_up_to(8) == [1, 2, 4, 8] and ks_up_to(6) == [1, 2, 4, 6]
