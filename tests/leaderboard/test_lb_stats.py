"""Paired tests and ranking with statistical ties."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest, wilcoxon

from harness.results import SampleRecord
from leaderboard.stats import PairedTest, mcnemar_exact_p, paired_test, rank_with_ties


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


def test_rank_counts_models_significantly_better():
    # 0 ~ 1 and 1 ~ 2 but 0 beats 2 significantly: ranks 1, 1, 2; 3 is beaten by everyone
    values = [0.8, 0.75, 0.7, 0.3]

    def t(p: float) -> PairedTest:
        return PairedTest("accuracy", 100, None, None, None, p, "mcnemar-exact")

    tests = {(0, 1): t(0.4), (1, 2): t(0.3), (0, 2): t(0.01), (0, 3): t(0.001), (1, 3): t(0.001), (2, 3): t(0.002)}
    rows = rank_with_ties(values, tests)
    assert [r.index for r in rows] == [0, 1, 2, 3]
    assert [r.rank for r in rows] == [1, 1, 2, 4]
    assert [r.tied_with_next for r in rows] == [True, True, False, None]


def test_rank_without_tests_is_the_plain_order():
    rows = rank_with_ties([0.2, None, 0.9, 0.5], {})
    assert [r.index for r in rows] == [2, 3, 0, 1]
    assert [r.rank for r in rows] == [1, 2, 3, 4]
