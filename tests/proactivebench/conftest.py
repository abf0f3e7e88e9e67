"""Shared helpers: where the data is, and a small in-process round driver.

The driver plays the runner's part for one document (ask next_requests, answer each request
through a backend *function*, record outputs or failures, repeat until []), so the task's state
machine can be tested without a model. The real model end to end is a separate, manual check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest

from harness.requests import Generation, Request
from harness.task import Doc, DocState, RunSettings, Task

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"

Backend = Callable[[Request], str]


def _data_root() -> Path | None:
    root = Path(os.environ.get("HARNESS_DATA_DIR") or REPO.parent / "shared" / "data")
    return root if (root / "proactivebench" / "test_data").is_dir() else None


@pytest.fixture
def real_data() -> Path:
    root = _data_root()
    if root is None:
        pytest.skip("../shared/data/proactivebench is absent (CI has it; set HARNESS_DATA_DIR)")
    return root


def drive(task: Task, doc: Doc, model: Backend, judge: Backend | None = None,
          state: DocState | None = None, max_rounds: int = 1000) -> tuple[DocState, list[list[Request]]]:
    """Run a document's rounds; a backend that raises leaves its tag in state.failed."""
    state = state or DocState()
    rounds: list[list[Request]] = []
    sampling = task.sampling(RunSettings())
    for _ in range(max_rounds):
        reqs = task.next_requests(doc, state, sampling)
        if not reqs:
            return state, rounds
        rounds.append(reqs)
        for r in reqs:
            fn = model if r.role == "model" else judge
            assert fn is not None, f"request for role {r.role} with no backend"
            state.requests[r.tag] = r
            try:
                state.outputs[r.tag] = [Generation(text=fn(r))]
            except Exception as e:  # the runner records the error the same way
                state.failed[r.tag] = f"{type(e).__name__}: {e}"
    raise AssertionError("document never finished")


def replay(state: DocState) -> DocState:
    """What a second run starts from: the stored generations, not the failures."""
    return DocState(outputs=dict(state.outputs), requests=dict(state.requests))
