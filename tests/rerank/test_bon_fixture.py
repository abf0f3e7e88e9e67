"""Best-of-N metrics on the real Qwen2.5-Math rm@k/maj@k example (100 MATH problems x 8).

The reference numbers come from the file's own fields, as Qwen2.5-Math's evaluation/rm_maj_eval.py
computes them: maj@8 by exact-string vote over `pred` (ties to the first answer seen) judged by
the first member's `score`; rm@8 as the `score` of the argmax of `pred_score`; pass@8 any `score`.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from harness.rerank.answers import MathVerifyChecker
from harness.rerank.candidates import from_bon_file
from harness.rerank.pipeline import doc_votes, rerank_docs
from harness.rerank.selection import best_of_n_metrics, bon_random_bootstrap, bon_random_exact

pytestmark = pytest.mark.needs_shared_data


def _reference_from_fields(path):
    """The three numbers straight from the raw JSON fields, independent of harness code."""
    import json

    maj = rm = pas = 0
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for r in rows:
        winner = Counter(r["pred"][:8]).most_common(1)[0][0]
        maj += r["score"][r["pred"].index(winner)]
        flat = [s[0] for s in r["pred_score"][:8]]
        rm += r["score"][flat.index(max(flat))]
        pas += any(r["score"][:8])
    return maj / len(rows), rm / len(rows), pas / len(rows)


@pytest.fixture(scope="module")
def bon(bon_file):
    docs, rewards = from_bon_file(bon_file)
    return docs, [np.array(r) for r in rewards]


def test_reference_numbers_of_the_file(bon_file):
    maj, rm, pas = _reference_from_fields(bon_file)
    assert (round(maj, 2), round(rm, 2), round(pas, 2)) == (0.93, 0.94, 0.96)  # as documented in bon/SOURCE.md


def test_exact_string_grouping_reproduces_maj_rm_pass(bon, bon_file):
    docs, rewards = bon
    assert len(docs) == 100 and all(len(d.candidates) == 8 for d in docs)
    m = best_of_n_metrics(doc_votes(docs, str.__eq__, 8), rewards, draws=50)
    maj, rm, pas = _reference_from_fields(bon_file)
    assert m["maj"][8].value == pytest.approx(maj)
    assert m["bon_first"][8].value == pytest.approx(rm)
    assert m["pass"][8].value == pytest.approx(pas)
    # N = 1 is the first sample for every selection rule; pass@1 is the mean per-sample accuracy.
    first = np.mean([d.candidates[0].correct for d in docs])
    assert m["maj"][1].value == m["bon_first"][1].value == m["weighted_vote"][1].value == pytest.approx(first)
    assert m["pass"][1].value == pytest.approx(np.mean([c.correct for d in docs for c in d.candidates]))
    assert sorted(m["maj"]) == [1, 2, 4, 8]


def test_math_equivalence_grouping_through_the_pipeline(bon, tmp_path):
    """Grouping by math-verify equivalence: the same numbers here (the file's answers are already
    canonical), and the classes merge forms that exact strings keep apart."""
    docs, rewards = bon
    checker = MathVerifyChecker()
    section = rerank_docs(docs, checker, precomputed={"file-rm": rewards}, out_dir=tmp_path, draws=100)
    assert section["grouping"] == "mathematical equivalence"
    assert section["baselines"]["maj"]["8"]["value"] == pytest.approx(0.93)
    assert section["baselines"]["pass"]["8"]["value"] == pytest.approx(0.96)
    entry = section["rerankers"]["file-rm"]
    assert entry["metrics"]["bon_first"]["8"]["value"] == pytest.approx(0.94)
    table = (tmp_path / "file-rm.md").read_text()
    assert [line.split(" | ")[0] for line in table.splitlines() if line[:3] in ("| 1", "| 2", "| 4", "| 8")] == \
        ["| 1", "| 2", "| 4", "| 8"]
    assert (tmp_path / "file-rm.svg").stat().st_size > 1000 and (tmp_path / "file-rm.png").stat().st_size > 1000
    merged = sum(len(a.classes) - len(b.classes) for a, b in
                 zip(doc_votes(docs, str.__eq__, 8), doc_votes(docs, checker.answers_equivalent, 8)))
    assert merged >= 1  # doc 72: "9999.857142857143" and "9999\\frac{6}{7}" are one answer
    assert checker.answers_equivalent("\\dfrac{1}{9}", "\\frac19") and not checker.answers_equivalent("1/9", "0.1")


def test_random_subset_bootstrap_estimates_the_exact_expectation(bon):
    docs, rewards = bon
    rng = np.random.default_rng(1)
    for d, r in list(zip(docs, rewards))[:30]:
        correct = np.array([c.correct for c in d.candidates])
        for k in (2, 4):
            exact = bon_random_exact(r, correct, k)
            est = bon_random_bootstrap(r, correct, k, 4000, rng)
            assert est == pytest.approx(exact, abs=0.03)
        assert bon_random_exact(r, correct, 8) == correct[int(np.argmax(r))]
