"""MATH scoring on real MATH-500 rows (bundled with the task) and hand-written outputs."""

import pytest

from harness import registry
from tasks.math.scorer import answers_equivalent, extract_answer, score_math


@pytest.fixture(scope="module")
def docs():
    task = registry.resolve("math500")[0]
    return {d.id: d for d in task.load_docs(None)}


def test_reference_solutions_score_full_marks(docs):
    sample = list(docs.values())[:40]
    for d in sample:
        s = score_math(d, [d.data["solution"]])
        assert s.values["accuracy"] == 1.0, (d.id, d.data["answer"], s.record)
        assert s.values["extraction_failure"] == 0.0


def test_equivalent_forms_and_wrong_answers(docs):
    d = docs["test/precalculus/807.json"]  # gold \left( 3, \frac{\pi}{2} \right)
    right = "So the point is $(3, \\pi/2)$, i.e. \\boxed{(3,\\frac{\\pi}{2})}."
    wrong = "Thus \\boxed{(3, \\pi)}."
    none = "I am not sure what the answer is."
    s = score_math(d, [right, wrong, none, right])
    assert s.record["correct"] == [True, False, False, True]
    assert s.values["accuracy"] == 0.5
    assert s.values["extraction_failure"] == 0.25
    assert s.values["pass@1"] == pytest.approx(0.5)
    assert s.values["pass@4"] == 1.0
    assert s.values["maj@4"] == 1.0  # two equivalent right answers outvote one wrong one
    assert s.values["maj@2"] in (0.0, 1.0)


def test_majority_vote_groups_equivalent_answers(docs):
    d = docs["test/number_theory/572.json"]  # 196 has 9 divisors
    outs = ["\\boxed{8}", "\\boxed{9}", "\\boxed{9.0}", "\\boxed{8}", "\\boxed{\\frac{18}{2}}"]
    s = score_math(d, outs)
    assert s.values["maj@4"] == 1.0 or s.values["maj@4"] == 0.0
    assert score_math(d, outs[:4] + outs[4:]).values["maj@5"] == 1.0  # 9 wins 3 to 2
    assert score_math(d, ["\\boxed{8}", "\\boxed{8}", "\\boxed{9}"]).values["maj@3"] == 0.0


def test_extract_and_compare_helpers():
    assert extract_answer("the answer is \\boxed{\\frac{1}{2}}") == "\\frac{1}{2}"
    assert extract_answer("no answer here") is None
    assert answers_equivalent("\\frac{1}{2}", "0.5")
    assert not answers_equivalent("\\frac{1}{2}", "2")
