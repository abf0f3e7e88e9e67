"""Paired tests and ranking with statistical ties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, wilcoxon

from harness.results import SampleRecord
from leaderboard.ranking import mean_ranks
from harness.paired import PairedTest, mcnemar_exact_p, paired_test
from leaderboard.ranking import rank_with_ties


def _records(values: list[float], metric: str = "accuracy", offset: int = 0) -> list[SampleRecord]:
    return [SampleRecord(task="t", doc_id=f"d{i + offset}", prompt="p", outputs=["o"], values={metric: v})
            for i, v in enumerate(values)]


@pytest.mark.parametrize("a_only,b_only", [(0, 0), (1, 0), (7, 2), (12, 31), (40, 41), (3, 30)])
def test_mcnemar_matches_scipy_binomtest(a_only, b_only):
    want = 1.0 if a_only + b_only == 0 else binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert mcnemar_exact_p(a_only, b_only) == pytest.approx(want, rel=1e-12)


def test_mcnemar_on_shared_documents_only():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, 60).astype(float).tolist()
    b = rng.integers(0, 2, 60).astype(float).tolist()
    ra, rb = _records(a), _records(b[10:], offset=10)  # B skipped the first ten documents
    t = paired_test(ra, rb, "accuracy")
    xa, xb = np.array(a[10:]), np.array(b[10:])
    assert t.method == "mcnemar-exact" and t.n_shared == 50
    assert (t.a_only, t.b_only) == (int(((xa == 1) & (xb == 0)).sum()), int(((xa == 0) & (xb == 1)).sum()))
    assert t.diff == pytest.approx(xa.mean() - xb.mean())
    assert t.p_value == pytest.approx(binomtest(t.a_only, t.a_only + t.b_only).pvalue)


def test_paired_bootstrap_agrees_with_a_rank_test_on_clear_and_null_cases():
    rng = np.random.default_rng(1)
    base = rng.uniform(0.2, 0.8, 80)
    better = np.clip(base + rng.normal(0.08, 0.05, 80), 0, 1)
    noisy = np.clip(base + rng.normal(0.0, 0.05, 80), 0, 1)
    clear = paired_test(_records(better.tolist()), _records(base.tolist()), "accuracy")
    null = paired_test(_records(noisy.tolist()), _records(base.tolist()), "accuracy")
    assert clear.method == "paired-bootstrap" and clear.significant and clear.ci_low > 0
    assert wilcoxon(better, base).pvalue < 0.05
    assert not null.significant and null.ci_low < 0 < null.ci_high
    assert (wilcoxon(noisy, base).pvalue < 0.05) == null.significant
    same = paired_test(_records(base.tolist()), _records(base.tolist()), "accuracy")
    assert same.p_value == 1.0


def test_without_samples_or_overlap_there_is_no_test():
    assert paired_test(None, _records([1.0]), "accuracy").method == "no sample records"
    t = paired_test(_records([1.0, 0.0]), _records([1.0, 0.0], offset=5), "accuracy")
    assert t.method == "no shared documents" and not t.tested


def _t(p: float) -> PairedTest:
    return PairedTest("accuracy", 100, None, None, None, p, "mcnemar-exact")


def test_tie_groups_start_at_their_best_row():
    # 0 ~ 1 and 1 ~ 2 but 0 beats 2 significantly: 2 starts a group (rank 3); 3 is beaten by 2
    values = [0.8, 0.75, 0.7, 0.3]
    tests = {(0, 1): _t(0.4), (1, 2): _t(0.3), (0, 2): _t(0.01), (0, 3): _t(0.001), (1, 3): _t(0.001), (2, 3): _t(0.002)}
    rows = rank_with_ties(values, tests)
    assert [r.index for r in rows] == [0, 1, 2, 3]
    assert [r.rank for r in rows] == [1, 1, 3, 4]
    assert [r.leader for r in rows] == [0, 0, 2, 3]
    assert rows[1].tied and rows[1].test_with_leader.p_value == 0.4
    assert rows[2].previous_leader == 0 and rows[2].test_with_previous.p_value == 0.01


def test_ranks_never_invert_scores_whatever_the_tests_say():
    """The old rule (1 + the rows significantly better) ranked `short` (0.65, few documents, tied
    with everyone) above `second` (0.70, significantly below `lead`)."""
    values = [0.80, 0.70, 0.65]
    tests = {(0, 1): _t(0.002), (0, 2): _t(0.25), (1, 2): _t(0.63)}
    rows = rank_with_ties(values, tests)
    assert [r.rank for r in rows] == [1, 2, 2]
    old_rule = [1 + sum(tests.get((j, i), _t(1.0)).significant for j in range(3) if j < i) for i in range(3)]
    assert old_rule == [1, 2, 1]  # the inversion the new rule removes
    rng = np.random.default_rng(0)
    for _ in range(200):  # random scores and random p-values: ranks follow the score order
        n = int(rng.integers(2, 8))
        vals = rng.choice([0.1, 0.2, 0.3, 0.5, 0.7, 0.9], size=n).tolist()
        tests = {(i, j): _t(float(rng.uniform(0, 0.2))) for i in range(n) for j in range(i + 1, n)}
        ranked = rank_with_ties(vals, tests)
        assert all(a.value >= b.value and a.rank <= b.rank for a, b in zip(ranked, ranked[1:]))
        assert all(a.rank == b.rank for a, b in zip(ranked, ranked[1:]) if a.value == b.value)


def test_rank_without_tests_is_the_plain_order():
    rows = rank_with_ties([0.2, None, 0.9, 0.5], {})
    assert [r.index for r in rows] == [2, 3, 0, 1]
    assert [r.rank for r in rows] == [1, 2, 3, None]


def test_mean_rank_counts_only_benchmarks_with_competition():
    ranks = [{"a": 1, "b": 2}, {"a": 2, "b": 1, "c": 3}, {"solo": 1}, {"a": 1, "solo": None}]
    assert mean_ranks(ranks) == {"a": (1.5, 2), "b": (1.5, 2), "c": (3.0, 1)}
