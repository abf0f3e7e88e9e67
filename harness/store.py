"""The sample store: every generation, written as it arrives, keyed by what produced it.

An append-only JSON-lines file. Each line carries a checksum of its own content, so a line torn
by a kill -9 (or damaged later) is detected, skipped, reported, and regenerated. The store is the
cache, the resume point, and the input of `harness score`.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterator

from harness.requests import Generation, Request
from harness.task import canonical_json

STORE_FILE = "generations.jsonl"


def generation_key(model_fingerprint: str, task_version: str, request: Request, index: int) -> str:
    """The identity of one sample: model, task version, prompt, sampling (less n), seed, index."""
    ident = {
        "model": model_fingerprint,
        "task": request.task,
        "task_version": task_version,
        "role": request.role,
        "prompt": request.content(),
        "sampling": request.sampling.identity(),
        "index": index,
    }
    return hashlib.sha256(canonical_json(ident).encode()).hexdigest()


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:16]


class SampleStore:
    """Append-only store of generations and other per-key records (judge verdicts, reward scores)."""

    def __init__(self, root: Path, fsync_every: int = 1):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.path = self.root / STORE_FILE
        self._records: dict[str, dict[str, Any]] = {}
        self.corrupted = 0
        self._lock = threading.Lock()
        self._fsync_every = fsync_every
        self._unsynced = 0
        self._load()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._mend_torn_tail()

    def _load(self) -> None:
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for raw in f:
                rec = self._parse(raw)
                if rec is None:
                    self.corrupted += 1
                    continue
                self._records[rec["key"]] = rec

    @staticmethod
    def _parse(raw: bytes) -> dict[str, Any] | None:
        if not raw.endswith(b"\n"):
            return None  # torn by a crash mid-write
        try:
            line = json.loads(raw)
            body = line["body"]
            if _checksum(body) != line["sum"]:
                return None
            return json.loads(body)
        except (ValueError, KeyError, TypeError):
            return None

    def _mend_torn_tail(self) -> None:
        size = os.fstat(self._fd).st_size
        if size == 0:
            return
        with self.path.open("rb") as f:
            f.seek(size - 1)
            if f.read(1) != b"\n":
                os.write(self._fd, b"\n")

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: str) -> bool:
        return key in self._records

    def get(self, key: str) -> dict[str, Any] | None:
        return self._records.get(key)

    def get_generation(self, key: str) -> Generation | None:
        rec = self._records.get(key)
        if rec is None or rec.get("kind") != "generation":
            return None
        return Generation(**rec["generation"])

    def put(self, key: str, kind: str, payload: dict[str, Any], meta: dict[str, Any] | None = None) -> None:
        rec = {"key": key, "kind": kind, **({"meta": meta} if meta else {}), kind: payload}
        body = json.dumps(rec, ensure_ascii=False, default=str)
        line = json.dumps({"sum": _checksum(body), "body": body}, ensure_ascii=False) + "\n"
        data = line.encode()
        with self._lock:
            # One write call per record, so a crash leaves at most the last line torn.
            os.write(self._fd, data)
            self._unsynced += 1
            if self._unsynced >= self._fsync_every:
                os.fsync(self._fd)
                self._unsynced = 0
            self._records[key] = rec

    def put_generation(self, key: str, gen: Generation, meta: dict[str, Any] | None = None) -> None:
        self.put(key, "generation", asdict(gen), meta)

    def records(self, kind: str | None = None) -> Iterator[dict[str, Any]]:
        for rec in self._records.values():
            if kind is None or rec.get("kind") == kind:
                yield rec

    def sync(self) -> None:
        with self._lock:
            os.fsync(self._fd)
            self._unsynced = 0

    def close(self) -> None:
        if self._fd >= 0:
            self.sync()
            os.close(self._fd)
            self._fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
