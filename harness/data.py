"""Loading a task's rows: a local file under the data mirror, a copy shipped with the task, or the
Hugging Face hub at a pinned revision, in that order. Rows are read through `datasets`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import DataMissing
from harness.paths import DATA_ENV, data_root


@dataclass(frozen=True)
class HubSource:
    repo: str
    revision: str
    split: str = "test"
    config: str | None = None


@dataclass(frozen=True)
class DataSource:
    """Where a task's rows come from. `local` is relative to the data mirror (../shared/data)."""

    local: str | None = None
    bundled: Path | None = None
    hub: HubSource | None = None

    def local_file(self, data_dir: Path | None) -> Path | None:
        root = data_root(data_dir)
        if self.local and root is not None and (root / self.local).is_file():
            return root / self.local
        if self.bundled is not None and self.bundled.is_file():
            return self.bundled
        return None

    def load(self, data_dir: Path | None) -> list[dict[str, Any]]:
        path = self.local_file(data_dir)
        if path is not None:
            return read_rows(path)
        if self.hub is not None:
            return _from_hub(self.hub, self.local, data_dir)
        raise DataMissing(_missing_message(self.local, data_dir), _missing_hint())


def read_rows(path: Path) -> list[dict[str, Any]]:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    kind = "json" if path.suffix in (".jsonl", ".json") else path.suffix.lstrip(".")
    try:
        ds = datasets.load_dataset(kind, data_files=str(path), split="train", keep_in_memory=True)
    except Exception as e:
        raise DataMissing(f"cannot read {path}: {type(e).__name__}: {str(e).splitlines()[0][:200]}",
                          "check the file is valid JSON lines") from None
    return list(ds)


def _from_hub(hub: HubSource, local: str | None, data_dir: Path | None) -> list[dict[str, Any]]:
    import datasets

    try:
        ds = datasets.load_dataset(hub.repo, hub.config, split=hub.split, revision=hub.revision)
    except Exception as e:
        raise DataMissing(
            f"{_missing_message(local, data_dir)}, and the hub copy {hub.repo}@{hub.revision[:12]} "
            f"could not be loaded ({type(e).__name__})", _missing_hint()) from None
    return list(ds)


def _missing_message(local: str | None, data_dir: Path | None) -> str:
    root = data_root(data_dir)
    where = f"{root}/{local}" if root and local else (local or "the task's data")
    return f"dataset file {where} not found"


def _missing_hint() -> str:
    return f"pass --data-dir DIR (or set {DATA_ENV}) pointing at a copy of the benchmark data"
