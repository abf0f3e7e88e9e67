"""MATH grading does not depend on machine load, and the gold solutions grade as correct.

The time limit counts the grading thread's CPU time (tasks/math/cpu_limit.py); these tests put the
scorer on a machine made busy by busy-loop processes and compare every verdict with an idle run.
"""

import json
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from harness import registry
from harness.task import Doc
from tasks.math import scorer
from tasks.math.answer import locate
from tasks.math.cpu_limit import CpuTimeExceeded, cpu_time_limit

SHARED = os.environ.get("HARNESS_DATA_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data")
MATH5000 = os.path.join(SHARED, "math", "math_test5000.jsonl")


@contextmanager
def busy_machine(per_core: int = 2):
    """per_core busy-loop processes for every CPU the machine has."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range((os.cpu_count() or 1) * per_core)]
    try:
        yield procs
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait()


def grade_all(docs):
    """Every doc's reference solution graded from cold caches (each gold and answer parsed anew)."""
    from sympy.core.cache import clear_cache

    clear_cache()
    scorer.parse_boxed.cache_clear()
    scorer._parse_stated.cache_clear()
    return {d.id: (s.record["verdicts"], s.record["extracted"])
            for d in docs for s in [scorer.score_math(d, [d.data["solution"]])]}


def test_cpu_limit_counts_cpu_not_waiting():
    with cpu_time_limit(0.05):
        time.sleep(0.3)  # six times the limit in wall-clock time, almost no CPU: no timeout
    with pytest.raises(CpuTimeExceeded):
        with cpu_time_limit(0.05):
            while True:
                pass


def test_timeout_is_its_own_verdict_and_counted(monkeypatch):
    heavy = "\\boxed{" + "+".join(f"\\frac{{{i}}}{{{i + 1}}}x^{{{i}}}" for i in range(1, 150)) + "}"
    doc = Doc("synthetic", {"answer": "1"})
    scorer.parse_boxed.cache_clear()
    monkeypatch.setattr(scorer, "CPU_LIMIT_S", 0.02)  # the heavy parse needs about 2 s of CPU
    s = scorer.score_math(doc, [heavy, "\\boxed{1}"])
    assert s.record["verdicts"] == ["timeout", "correct"]
    assert s.values["grading_timeout"] == 0.5 and s.values["extraction_failure"] == 0.0
    assert s.values["accuracy"] == 0.5


def test_math500_gold_verdicts_are_the_same_under_cpu_load(monkeypatch):
    docs = registry.resolve("math500")[0].load_docs(None)
    assert len(docs) == 500
    # A tighter limit than the default 5 s (the slowest of these gradings uses about 0.15 s of CPU);
    # that the limit counts CPU and not waiting is test_cpu_limit_counts_cpu_not_waiting.
    monkeypatch.setattr(scorer, "CPU_LIMIT_S", 1.0)
    idle = grade_all(docs)
    with busy_machine() as procs:
        wall, cpu = time.perf_counter(), time.thread_time()
        loaded = grade_all(docs)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        assert all(p.poll() is None for p in procs)
    assert cpu < 0.75 * wall, "precondition: the busy loops took CPU from the scorer"
    assert loaded == idle
    assert all(v == (["correct"], v[1]) for v in idle.values()), [k for k, v in idle.items() if v[0] != ["correct"]]


@pytest.mark.slow
@pytest.mark.needs_shared_data
def test_all_5000_gold_solutions_grade_correct():
    """The last box is the answer, as the reference graders take it: every reference solution of
    the full test set scores 1 (before issue 19, 8 that box an intermediate value scored 0)."""
    if not os.path.isfile(MATH5000):
        pytest.skip("../shared/data/math is absent (CI always has it)")
    rows = [json.loads(line) for line in open(MATH5000)]
    assert len(rows) == 5000
    wrong = []
    for r in rows:
        verdict, _ = scorer.grade(scorer.parse_gold(r["answer"]), locate(r["solution"]))
        if verdict != "correct":
            wrong.append((r["unique_id"], verdict))
    assert not wrong, wrong
