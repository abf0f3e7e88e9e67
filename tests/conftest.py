"""Shared fixtures: the data mirror, and the real model loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.paths import data_root

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


def pytest_configure(config):
    config.addinivalue_line("markers", "loads_engine_first: runs first, so the session's one vLLM engine loads "
                                       "inside it (tests/core/test_first_command.py checks the terminal meanwhile)")


def pytest_collection_modifyitems(session, config, items):
    first = [item for item in items if item.get_closest_marker("loads_engine_first")]
    if first:
        items[:] = first + [item for item in items if item not in first]


def live_engines_of(path) -> list:
    """The live engines loaded from this checkpoint (other tests' real engines may be live too)."""
    from harness.backends import models

    return [key for key in models._LIVE if str(path) in map(str, key)]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = data_root()
    if root is None or not (root / "math").is_dir():
        pytest.skip("needs ../shared/data (the real benchmark data; CI always has it)")
    return root


@pytest.fixture(scope="session")
def smollm2_path() -> Path:
    from harness.backends.embedded import ensure_smollm2

    return ensure_smollm2()


@pytest.fixture(scope="session")
def tiny_vlm_path(smollm2_path, tmp_path_factory) -> Path:
    """A tiny vision-language checkpoint (Idefics3, random weights, SmolLM2's tokenizer), built once."""
    from tests.tiny_vlm import build_tiny_idefics3

    return build_tiny_idefics3(smollm2_path, tmp_path_factory.mktemp("tiny-vlm"))


@pytest.fixture(scope="session")
def vllm_backend(smollm2_path):
    """One vLLM engine for the whole session (float32 so it agrees with transformers)."""
    from harness.backends.models import make_backend

    backend = make_backend("vllm:smollm2-135m-instruct", options={"dtype": "float32"})
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def hf_backend(smollm2_path):
    from harness.backends.models import make_backend

    # float32 like vllm_backend: on a CPU with native bfloat16 both would otherwise choose bfloat16
    backend = make_backend("hf:smollm2-135m-instruct", options={"batch_size": 8, "dtype": "float32"})
    yield backend
    backend.close()
