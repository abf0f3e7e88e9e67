"""ProactiveBench data: the 12 real activity traces with their splits, and the reward model's
human-labelled validation set.

Two layouts are understood: the staged mirror (`<data root>/proactivebench/{test_data,
reward_data}`) and a checkout of github.com/thunlp/ProactiveAgent (`<checkout>/dataset/...`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import DataMissing
from harness.paths import data_root

UPSTREAM = "https://github.com/thunlp/ProactiveAgent"
UPSTREAM_COMMIT = "86383616ee530e9bcd1e9fe2269703ef3e3d8478"
SPLITS_FILE = "splits.json"
REWARD_TEST_FILE = "test_data.jsonl"
#: the split whose numbers are the headline (the reference's first row)
HEADLINE_SPLIT = "real_average"

_HINT = (
    "put the ProactiveBench data under <data dir>/proactivebench (see its SOURCE.md) or pass "
    f"--data-dir pointing at it or at a checkout of {UPSTREAM}"
)


def bench_dir(data_dir: Path | str | None) -> Path:
    """The folder holding test_data/ and reward_data/."""
    root = data_root(data_dir)
    if root is None:
        raise DataMissing("ProactiveBench data not found", _HINT)
    root = Path(root)
    for cand in (root / "proactivebench", root / "dataset", root):
        if (cand / "test_data").is_dir() or (cand / "reward_data").is_dir():
            return cand
    raise DataMissing(f"no ProactiveBench data under {root}", _HINT)


def load_splits(test_dir: Path) -> dict[str, list[str]]:
    path = test_dir / SPLITS_FILE
    try:
        raw = json.loads(path.read_text())
        return {name: list(cfg["files"]) for name, cfg in raw.items()}
    except FileNotFoundError:
        raise DataMissing(f"{path} is missing", _HINT) from None
    except (ValueError, KeyError, TypeError) as e:
        raise DataMissing(f"{path} is not a ProactiveBench splits file ({e})", _HINT) from None


def trace_files(data_dir: Path | str | None) -> list[Path]:
    """The trace files in the order of the widest split (code_11 ... writing_16)."""
    test_dir = bench_dir(data_dir) / "test_data"
    splits = load_splits(test_dir)
    names: list[str] = []
    for files in splits.values():
        names += [f for f in files if f not in names]
    missing = [n for n in names if not (test_dir / n).is_file()]
    if missing:
        raise DataMissing(f"trace files missing from {test_dir}: {', '.join(missing)}", _HINT)
    return [test_dir / n for n in names]


def load_trace(path: Path) -> list[dict[str, str]]:
    """A trace's observations ({"time", "event"}, kept as stored: the judge sees them verbatim)."""
    try:
        events = json.loads(path.read_text())
        observations = [dict(e["observation"]) for e in events]
        for o in observations:
            if "time" not in o or "event" not in o:
                raise KeyError("observation without time/event")
        return observations
    except (ValueError, KeyError, TypeError) as e:
        raise DataMissing(f"{path} is not a ProactiveBench trace ({type(e).__name__}: {e})",
                          "restore the file from the upstream snapshot") from None


def load_traces(data_dir: Path | str | None) -> list[dict[str, Any]]:
    """One record per trace: id, file, observations and the splits it belongs to."""
    files = trace_files(data_dir)
    splits = load_splits(files[0].parent)
    return [
        {
            "id": p.stem,
            "file": p.name,
            "observations": load_trace(p),
            "splits": [s for s, members in splits.items() if p.name in members],
        }
        for p in files
    ]


def reward_test_file(data_dir: Path | str | None) -> Path:
    path = bench_dir(data_dir) / "reward_data" / REWARD_TEST_FILE
    if not path.is_file():
        raise DataMissing(f"{path} is missing", _HINT)
    return path


def load_reward_items(data_dir: Path | str | None) -> list[dict[str, Any]]:
    """The reward model's 120 human-labelled items (obs, pred_task, valid, category)."""
    path = reward_test_file(data_dir)
    items = []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append({k: row[k] for k in ("obs", "pred_task", "valid", "category")})
        except (ValueError, KeyError, TypeError) as e:
            raise DataMissing(f"{path} line {n} is not a reward-model item ({type(e).__name__}: {e})",
                              "restore the file from the upstream snapshot") from None
    return items
