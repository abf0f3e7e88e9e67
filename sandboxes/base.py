"""The sandbox interface: files in, a command with stdin and limits, a verdict out.

Every sandbox kind (docker, bwrap) implements `Sandbox`; the language table (sandboxes/languages.py)
says how each language is compiled and run. Modelled on a small lifecycle: `start()` once
(pools, containers), `run_many()` for throughput, `close()` at the end.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Reason(str, Enum):
    OK = "ok"                      # exit status 0 (and the language's failure rules say pass)
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"  # non-zero exit, failed assertion
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    SANDBOX_ERROR = "sandbox_error"  # the sandbox itself failed; not the program's fault


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 10.0
    compile_timeout_s: float = 60.0
    memory_mb: int = 1024
    pids: int = 128
    cpus: float = 1.0
    output_bytes: int = 64 * 1024


@dataclass(frozen=True)
class Program:
    """One program to run: its language, source files by name, stdin."""

    language: str
    files: dict[str, str]
    stdin: str = ""
    limits: Limits = Limits()


@dataclass
class Verdict:
    passed: bool
    reason: Reason
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


class Sandbox(ABC):
    kind: str = ""

    def start(self, languages: list[str]) -> None:
        """Prepare for these languages (start pools). Optional."""

    @abstractmethod
    def run(self, program: Program) -> Verdict:
        """Run one program to completion and judge it."""

    def run_many(self, programs: list[Program]) -> list[Verdict]:
        """Run many programs; kinds override this to run in parallel and batch compiles."""
        return [self.run(p) for p in programs]

    def describe(self) -> dict[str, Any]:
        """Image digests and toolchain versions, for the results' provenance."""
        return {"kind": self.kind}

    def close(self) -> None:
        """Stop pools, remove containers. Optional."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
