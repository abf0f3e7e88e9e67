"""The sandbox interface: files in, a command with stdin and limits, a verdict out.

Every sandbox kind (docker, bwrap) implements `Sandbox`; the language table (sandboxes/languages.py)
says how each language is compiled and run. Modelled on a small lifecycle: `start()` once
(pools, containers), `run_many()` for throughput, `close()` at the end.
"""

from __future__ import annotations

import copy
import json
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any, Callable


class Reason(str, Enum):
    OK = "ok"                      # exit status 0 (and the language's failure rules say pass)
    COMPILE_ERROR = "compile_error"
    RUNTIME_ERROR = "runtime_error"  # non-zero exit, failed assertion
    TIMEOUT = "timeout"
    MEMORY = "memory"
    OUTPUT_LIMIT = "output_limit"
    PROCESS_LIMIT = "process_limit"  # the pids limit stopped a fork bomb
    DENIED = "denied"              # failed on a sandbox denial: no network, read-only or hidden files
    INCOMPLETE = "incomplete"      # exit 0 without the completion proof: it stopped before the end
    RUNNER_KILLED = "runner_killed"  # the program killed (or stopped) the sandbox's runner
    SANDBOX_ERROR = "sandbox_error"  # the sandbox itself failed; not the program's fault


@dataclass(frozen=True)
class Limits:
    """Per-program limits. None for a timeout means the language's default (languages.py)."""

    timeout_s: float | None = None
    compile_timeout_s: float | None = None
    memory_mb: int = 2048
    pids: int = 256
    cpus: float = 1.0
    output_bytes: int = 64 * 1024
    scratch_mb: int = 256


@dataclass(frozen=True)
class Program:
    """One program to run: its language, source files by name, stdin.

    proof: the program ends with the language's proof statement (languages.proof_statement) and
    passes only if it prints the per-run secret that statement reads (judge.py): exit status
    alone never passes then, so a program that stops early with status 0 fails.
    """

    language: str
    files: dict[str, str]
    stdin: str = ""
    limits: Limits = Limits()
    proof: bool = False


@dataclass
class Verdict:
    passed: bool
    reason: Reason
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    detail: str = ""               # one line saying why, e.g. "killed after 15 s wall time"
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "reason": self.reason.value, "exit_code": self.exit_code,
                "stdout": self.stdout, "stderr": self.stderr, "duration_s": self.duration_s,
                "detail": self.detail, "meta": self.meta}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Verdict":
        return cls(passed=data["passed"], reason=Reason(data["reason"]),
                   exit_code=data.get("exit_code"), stdout=data.get("stdout", ""),
                   stderr=data.get("stderr", ""), duration_s=data.get("duration_s", 0.0),
                   detail=data.get("detail", ""), meta=data.get("meta", {}))


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


def program_identity(program: Program) -> str:
    """Programs with equal identities are the same run: one verdict serves them all."""
    return json.dumps([program.language, program.files, program.stdin, asdict(program.limits),
                       program.proof], sort_keys=True)


def run_each_once(programs: list[Program], run: Callable[[list[Program]], list[Verdict]]) -> list[Verdict]:
    """Verdicts for `programs`, running each distinct one once (`run` judges a list); the copies
    get a copy of its verdict, marked meta["duplicate"]. A model's n samples of a problem are
    often the same string."""
    slot_of: dict[str, int] = {}
    slots = [slot_of.setdefault(program_identity(p), len(slot_of)) for p in programs]
    distinct: list[Program] = []
    for program, slot in zip(programs, slots):
        if slot == len(distinct):  # slots are numbered in order of first appearance
            distinct.append(program)
    verdicts = run(distinct)
    out: list[Verdict] = []
    seen: set[int] = set()
    for slot in slots:
        if slot in seen:
            again = copy.deepcopy(verdicts[slot])
            again.meta = {**again.meta, "duplicate": True}
            out.append(again)
        else:
            seen.add(slot)
            out.append(verdicts[slot])
    return out
