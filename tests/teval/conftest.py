"""Shared fixtures: the real T-Eval files, and one embedding model for the whole test session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from harness.task import DocState, ScoringContext
from harness.requests import Generation

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "teval"


def shared_teval() -> Path | None:
    root = Path(os.environ["HARNESS_DATA_DIR"]) if os.environ.get("HARNESS_DATA_DIR") else REPO.parent / "shared" / "data"
    d = root / "teval" / "data"
    return d if (d / "plan_json_v1.json").is_file() else None


@pytest.fixture(scope="session")
def teval_data() -> Path:
    d = shared_teval()
    if d is None:
        pytest.skip("../shared/data/teval is absent (CI always has it)")
    return d


@pytest.fixture(scope="session")
def rows(teval_data):
    """The three real files, loaded once: name -> {id: row}."""
    return {n: json.loads((teval_data / f"{n}.json").read_text()) for n in ("plan_json_v1", "plan_str_v1", "review_str_v1")}


@pytest.fixture(scope="session")
def embedder():
    from harness.embeddings import load_embedder
    from harness.errors import HarnessError

    try:
        return load_embedder()
    except HarnessError as e:
        pytest.skip(f"embedding model not installed: {e} (CI installs harness[teval])")


@pytest.fixture(scope="session")
def ctx(embedder) -> ScoringContext:
    return ScoringContext(resources={"embedder": embedder})


def answered(text: str) -> DocState:
    return DocState(outputs={"main": [Generation(text=text)]})

