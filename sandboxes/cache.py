"""A small on-disk verdict cache keyed by a hash of (sandbox kind, language, toolchain, the
language's compile and run commands, program).

SQLite (stdlib), one row per key. Timeouts and sandbox errors are not cached: they depend on load.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .base import Program, Reason, Verdict

UNCACHED = {Reason.SANDBOX_ERROR, Reason.TIMEOUT}
RULES = 2  # the judge's rules; a change (2: the completion proof, runner_killed) voids old verdicts


def default_cache_path() -> Path:
    root = os.environ.get("HARNESS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "harness")
    return Path(root) / "sandbox-verdicts.sqlite"


def program_key(kind: str, toolchain: str, program: Program, commands: list[Any]) -> str:
    """commands: how the language is compiled and run; a changed flag must not reuse old verdicts."""
    payload = json.dumps({"rules": RULES, "kind": kind, "language": program.language, "toolchain": toolchain,
                          "commands": commands,
                          "files": program.files, "stdin": program.stdin,
                          "limits": asdict(program.limits)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class VerdictCache:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
        self._db.execute("CREATE TABLE IF NOT EXISTS verdicts (key TEXT PRIMARY KEY, verdict TEXT)")
        self._db.commit()

    def get(self, key: str) -> Verdict | None:
        with self._lock:
            row = self._db.execute("SELECT verdict FROM verdicts WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        verdict = Verdict.from_dict(json.loads(row[0]))
        verdict.meta = {**verdict.meta, "cached": True}
        return verdict

    def put(self, key: str, verdict: Verdict) -> None:
        if verdict.reason in UNCACHED:
            return
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO verdicts VALUES (?, ?)",
                             (key, json.dumps(verdict.to_dict())))
            self._db.commit()

    def close(self) -> None:
        with self._lock:
            self._db.close()
