"""Shared fixtures for the CRUXEval / CRUXEval-X tests: data locations and a real sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "cruxeval"


def shared_data() -> Path | None:
    env = os.environ.get("HARNESS_DATA_DIR")
    cand = Path(env) if env else REPO.parent / "shared" / "data"
    return cand if (cand / "cruxeval-x").is_dir() and (cand / "cruxeval").is_dir() else None


@pytest.fixture(scope="session")
def fixture_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def data_dir() -> Path:
    d = shared_data()
    if d is None:
        pytest.skip("../shared/data (or $HARNESS_DATA_DIR) with cruxeval and cruxeval-x is absent; CI has it")
    return d


class SandboxPool:
    """One sandbox per kind for the whole session; per language, the kind that can run it:
    docker when its image is built, else bwrap with a host toolchain, else a skip reason."""

    def __init__(self):
        self.boxes: dict[str, object] = {}
        self.errors: dict[str, str] = {}

    def _box(self, kind: str):
        if kind not in self.boxes and kind not in self.errors:
            import sandboxes
            from harness.errors import HarnessError

            try:
                self.boxes[kind] = sandboxes.get_sandbox(kind, cache=False)
            except HarnessError as e:
                self.errors[kind] = str(e)
            except Exception as e:  # an engine that answers but misbehaves
                self.errors[kind] = f"{type(e).__name__}: {e}"
        return self.boxes.get(kind)

    def for_language(self, lang: str):
        """(sandbox, None) or (None, why it cannot run here)."""
        pinned = os.environ.get("HARNESS_TEST_SANDBOX")
        reasons = []
        for kind in ([pinned] if pinned else ["docker", "bwrap"]):
            box = self._box(kind)
            if box is None:
                reasons.append(f"{kind}: {self.errors.get(kind, 'unavailable')}")
                continue
            why = box.unavailable(lang)
            if why:
                reasons.append(f"{kind}: {why}")
                continue
            return box, None
        return None, "; ".join(reasons)

    def close(self):
        for box in self.boxes.values():
            box.close()


@pytest.fixture(scope="session")
def sandbox_pool():
    pool = SandboxPool()
    yield pool
    pool.close()
