"""Batched compiles for compile-bound languages, with verdicts equal to one-by-one compiles.

- java: one JVM compiles every program with its own javac task (helpers/BatchJavac.java).
- scala: one JVM runs scalac (a fresh compiler per program) for every program
        (helpers/BatchScalac.java), JIT-compiled by C1 only: half the CPU of the default tiers
        for the same class files.
- ts:   one node process compiles every program as its own ts.Program, sharing the parsed lib
        .d.ts files (helpers/batch_tsc.js).
- cpp:  no multi-program compiler process (each needs its own main and binary); instead a
        precompiled <bits/stdc++.h> (PCH_DIR) for programs whose first lines are only standard
        #includes, the expensive part of every compile. Same translation unit, same verdict.
- go:   not batched; each program gets a private copy of a warm build cache of the standard
        packages (judge.GO_SEED), so `go test` compiles only the program.
Not batched (documented in README): cs (mcs builds one assembly
from all its inputs: every program declares `class Problem`), d, swift.
A program missing from the batch's results (the batch crashed or timed out) is compiled alone.
"""

from __future__ import annotations

import re
from typing import Any

from .base import Limits, Program
from .languages import SCALA_CLASSPATH, LanguageSpec

HELPERS_IN_SANDBOX = "/opt/harness/helpers"
PCH_DIR = "/opt/pch"
PCH_FLAGS = ("-std=c++17",)  # must equal the compile flags of LANGUAGES["cpp"]


class BatchStrategy:
    batches = False  # True: a batch_step compiles many programs in one process
    batch_size = 16  # programs per compiler process at most (JIT warm-up is paid once per batch)

    def batch_step(self, spec: LanguageSpec, dirs: list[str], limits: Limits) -> dict[str, Any]:
        raise NotImplementedError

    def adjust_single(self, job: dict[str, Any], program: Program, spec: LanguageSpec) -> None:
        """Speed up a one-program job without changing its verdict (e.g. a PCH)."""


def _batch_timeout(spec: LanguageSpec, limits: Limits, n: int) -> float:
    per = limits.compile_timeout_s if limits.compile_timeout_s is not None else spec.compile_timeout_s
    return per * n  # the budget the programs would have had one by one


class CompilerBatch(BatchStrategy):
    """One compiler process for up to batch_size programs: `argv` followed by their directories."""

    batches = True
    batch_size = 64

    def __init__(self, *argv: str):
        self.argv = list(argv)

    def batch_step(self, spec, dirs, limits):
        return {"name": "batch-compile", "timeout": _batch_timeout(spec, limits, len(dirs)),
                "argv": [*self.argv, *dirs]}


_STD_INCLUDE = re.compile(r"\s*#\s*include\s*<[\w./+]+>\s*$")
_BITS = re.compile(r"\s*#\s*include\s*<bits/stdc\+\+\.h>\s*$")


def pch_applies(source: str) -> bool:
    """True when the source starts with standard #includes only, one of them <bits/stdc++.h>."""
    for line in source.splitlines():
        if not line.strip():
            continue
        if _BITS.match(line):
            return True
        if not _STD_INCLUDE.match(line):
            return False
    return False


class CppPch(BatchStrategy):
    batches = False

    def adjust_single(self, job, program, spec):
        source = next(iter(program.files.values()), "")
        if not pch_applies(source):
            return
        for step in job["steps"]:
            if step["name"] == "compile" and step.get("argv"):
                argv = step["argv"]
                step["argv"] = [argv[0], *PCH_FLAGS, "-I", PCH_DIR, "-include", "bits/stdc++.h",
                                *argv[1 + len(PCH_FLAGS):]]


STRATEGIES: dict[str, BatchStrategy] = {
    "java": CompilerBatch("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                          f"{HELPERS_IN_SANDBOX}/BatchJavac.java"),
    "scala": CompilerBatch("java", "-Xmx512M", "-XX:TieredStopAtLevel=1", "-cp", SCALA_CLASSPATH,
                           f"{HELPERS_IN_SANDBOX}/BatchScalac.java"),
    "ts": CompilerBatch("node", f"{HELPERS_IN_SANDBOX}/batch_tsc.js"),
    "cpp": CppPch(),
}
