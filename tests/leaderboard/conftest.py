"""Result trees for the leaderboard tests.

`real_runs` are result files stored from real `harness run` invocations (SmolLM2-135M-Instruct on
MATH-500, two sampling setups) under tests/fixtures/leaderboard/runs. `family_runs` adds result
files written through the pydantic schema for the benchmark families no stored run covers yet.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

FIXTURE_RUNS = HERE.parent / "fixtures" / "leaderboard" / "runs"


def real_run_dirs() -> list[Path]:
    return sorted(p.parent for p in FIXTURE_RUNS.glob("*/results.json"))


@pytest.fixture
def real_runs(tmp_path) -> Path:
    dirs = real_run_dirs()
    if len(dirs) < 2:
        pytest.fail(f"expected stored real runs under {FIXTURE_RUNS}")
    root = tmp_path / "results"
    for d in dirs:
        shutil.copytree(d, root / d.name)
    return root


def write_family_runs(root: Path, small: bool = False) -> None:
    """Three models on MATH (with best-of-N), READoc, ProactiveBench, CRUXEval-X and T-Eval, the
    last three named as the harness registers them (one task per subset / mode and language / ability)."""
    for i, (name, skill) in enumerate([("alpha-7b", 0.8), ("beta-3b", 0.6), ("gamma-1b", 0.35)]):
        model = synth.model_info(name)
        math = synth.math_scores(skill, 10 + i)
        bon = {"maj": {1: skill * 0.8, 4: skill * 0.9, 8: skill * 0.95}, "rm": {1: skill * 0.8, 4: skill, 8: skill * 1.05}}
        tasks = {
            "math500": (synth.task_result("math500", math, extra={"best_of_n": bon}), math),
            "readoc-arxiv": synth.readoc_task("arxiv", 20 + i),
            "readoc-github": synth.readoc_task("github", 25 + i),
            "proactivebench": synth.proactive_task(40 + i),
            **synth.crux_x_tasks(skill, i),
        }
        if small:  # two benchmarks are enough where only publishing or exporting is tested
            tasks = {k: tasks[k] for k in ("math500", "proactivebench")}
        for j, ability in enumerate([] if small else ["instruct", "plan-json", "plan-str", "review"]):
            scores = synth.grouped_metric_scores(30 + 7 * i + j, ["score"], {}, n=10)
            tasks[f"teval-{ability}"] = (synth.task_result(f"teval-{ability}", scores), scores)
        synth.write_run(root, f"family-{name}", model, tasks,
                        sandbox={"images": {"cruxeval-x": f"sha256:{'ab' * 8}{i}"}})


@pytest.fixture
def family_runs(tmp_path) -> Path:
    root = tmp_path / "family-results"
    write_family_runs(root)
    return root
