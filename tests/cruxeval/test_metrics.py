"""pass@k arithmetic and the per-document values a CRUXEval-X score carries."""

from __future__ import annotations

from math import comb

import pytest

from harness.metrics import pass_at_k
from harness.task import Doc
from tasks.cruxeval.execution import Attempt, pass_values
from tasks.cruxeval_x.task import CruxEvalXTask


def brute_pass_at_k(n: int, c: int, k: int) -> float:
    """The definition: 1 - C(n-c, k) / C(n, k)."""
    return 1.0 - comb(n - c, k) / comb(n, k)


@pytest.mark.parametrize("n,c,k", [(10, 3, 1), (10, 3, 5), (10, 0, 5), (10, 10, 1), (10, 7, 5), (5, 1, 5), (1, 1, 1), (20, 2, 10)])
def test_pass_at_k_matches_definition(n, c, k):
    assert pass_at_k(n, c, k) == pytest.approx(brute_pass_at_k(n, c, k), abs=1e-12)


def test_pass_at_k_known_values():
    assert pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - 21 / 252)
    assert pass_at_k(10, 6, 5) == 1.0  # fewer than k failures: some draw of k always passes


def attempts(*passed: bool) -> list[Attempt]:
    return [Attempt(answer=str(i), passed=p) for i, p in enumerate(passed)]


def test_pass_values_only_for_k_up_to_n():
    v = pass_values(attempts(True, False, False, False, True, False, False, False, False, False))
    assert v == {"pass@1": pytest.approx(0.2), "pass@5": pytest.approx(brute_pass_at_k(10, 2, 5)),
                 "pass@10": 1.0}
    assert pass_values(attempts(True)) == {"pass@1": 1.0}
    assert pass_values(attempts(True), include=False) == {"pass@1": None}


def make_doc(pid: int, common: bool, reliability: str) -> Doc:
    return Doc(id=str(pid), data={"lang": "py", "id": pid, "code": "", "input_template": "",
                                  "output_template": "", "common": common, "reliability": reliability})


def test_doc_values_common501_and_stable_and_aggregate():
    task = CruxEvalXTask("py", "output")
    s1 = task._doc_score(make_doc(1, True, "ok"), attempts(True, False))
    s2 = task._doc_score(make_doc(2, False, "flaky"), attempts(False, False))
    s3 = task._doc_score(make_doc(3, True, "defect"), attempts(True, True))
    assert s1.values["pass@1"] == 0.5 and s1.values["pass@1_common501"] == 0.5 and s1.values["pass@1_stable"] == 0.5
    assert s2.values["pass@1_common501"] is None and s2.values["pass@1_stable"] is None
    assert s3.values["pass@1_stable"] is None and s3.values["pass@1"] == 1.0 and "pass@5" not in s3.values
    metrics, breakdown = task.aggregate([s1, s2, s3])
    assert metrics["pass@1"].value == pytest.approx(0.5) and metrics["pass@1"].n == 3
    assert metrics["pass@1_common501"].value == pytest.approx(0.75) and metrics["pass@1_common501"].n == 2
    assert metrics["pass@1_stable"].n == 1
    assert breakdown["reliability"]["flaky"]["pass@1"].value == 0.0
    assert breakdown["language"]["py"]["pass@1"].n == 3


def test_sandbox_errors_leave_the_document_out():
    task = CruxEvalXTask("py", "input")
    broken = attempts(True, False)
    broken[1].reason = "sandbox_error"
    s = task._doc_score(make_doc(4, True, "ok"), broken)
    assert s.values["pass@1"] is None and s.values["sandbox_error"] == 1.0
