"""Where the harness keeps things: its cache and the benchmark data."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "HARNESS_DATA_DIR"
CACHE_ENV = "HARNESS_CACHE"
REPO_ROOT = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "harness")


def data_root(explicit: Path | str | None = None) -> Path | None:
    """The local data mirror: --data-dir, then $HARNESS_DATA_DIR, then ../shared/data beside the
    checkout (where CI and the developers keep it)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    for base in (Path.cwd(), REPO_ROOT):
        for d in (base, *base.parents):
            cand = d / "shared" / "data"
            if cand.is_dir():
                return cand
    return None
