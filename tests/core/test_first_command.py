"""What a new user sees from the README's first command: a loading line with its time, the
progress, the results table, and nothing from the libraries (those go to RUN_DIR/harness.log).
Then the same command again: everything comes from the store and no engine starts.

The run here is the first command on the session's engine (`vllm:smollm2-135m-instruct
--dtype float32`, tests/conftest.py) with a shorter limit, so the session loads the model once:
this test runs first (marker loads_engine_first), and the engine loads inside it, under the
terminal capture. .ci/first-command.sh runs the command exactly as written, in a clean venv."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from harness.cli import main
from harness.results import load_results
from tests.conftest import REPO

pytestmark = [pytest.mark.slow, pytest.mark.loads_engine_first]

#: the only lines the terminal may show (stderr: loading and progress; stdout: the table and after)
OURS_ERR = (r"loading model smollm2-135m-instruct \(vllm\) \.\.\.", r"  done in \d+\.\ds \(float32 .*\)",
            r"round 1: model \(vllm\): 3/3 in .*")
OURS_OUT = (r"\s*smollm2-135m-instruct \(vllm\)\s*", r"[┏┃┡│└].*", r"3 of 3 documents scored",
            r"generations: \d+ new, \d+ from the store; .*", r"results: .*results\.json")


def _unexpected(text: str, allowed: tuple[str, ...]) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not any(re.fullmatch(p, line) for p in allowed)]


def test_first_command_shows_only_its_own_lines(vllm_backend, tmp_path, capfd):
    out = tmp_path / "demo"
    argv = ["run", "--model", "vllm:smollm2-135m-instruct", "--dtype", "float32", "--tasks", "math500",
            "--limit", "3", "--max-tokens", "64", "--output", str(out)]
    assert main(argv) == 0
    got = capfd.readouterr()
    assert _unexpected(got.err, OURS_ERR) == [] and _unexpected(got.out, OURS_OUT) == []
    assert re.search(r"^loading model .*\n  done in \d+\.\ds", got.err, re.M)  # the load, timed
    assert re.search(r"│ math500 +│ accuracy +│", got.out)  # the table
    log = (out / "harness.log").read_text()
    assert "=== " in log and len(log.splitlines()) > 3  # the libraries' output is kept, not lost
    assert load_results(out).timing.generations_new == 3
    assert vllm_backend._engine.backend is not None  # the session's engine: the one load, shared

    # The same command again, as a new process: all from the store, and no engine starts.
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    again = subprocess.run([sys.executable, "-m", "harness.cli", *argv], cwd=REPO, env=env, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "loading model" not in again.stderr and _unexpected(again.stderr, OURS_ERR) == []
    assert "generations: 0 new, 3 from the store" in again.stdout and "3 of 3 documents scored" in again.stdout
