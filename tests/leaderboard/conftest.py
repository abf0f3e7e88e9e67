"""Result trees for the leaderboard tests.

`real_runs` are result files stored from real `harness run` invocations (SmolLM2-135M-Instruct on
MATH-500, two sampling setups) under tests/fixtures/leaderboard/runs. lb_synth.write_family_runs
writes result files through the pydantic schema for the benchmark families no stored run covers.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

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
