"""What every job-running sandbox kind shares: the verdict cache, parallel run_many, batching.

A kind supplies `session(language)`: a context manager yielding a Session (one docker container,
or one bwrap namespace per job) that runs one job at a time, and `toolchain(language)` for the
cache key and provenance.

run_many runs each distinct program once (a model's n samples of a problem are often the same
string): identical programs share one verdict, and the verdict cache is consulted for each
distinct program before anything is dispatched.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from abc import abstractmethod
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import Any

from .base import Limits, Program, Reason, Sandbox, Verdict, run_each_once
from harness.errors import HarnessError

from .batching import STRATEGIES, BatchStrategy
from .cache import VerdictCache, program_key
from .judge import SCRATCH, build_job, job_proof, judge
from .languages import LanguageSpec, get_language


class Session:
    """One isolated place to run jobs, one at a time."""

    with_data_limit = False   # set RLIMIT_DATA when no memory cgroup fences the program
    kill_strays = False
    has_pch = False           # a C++ precompiled <bits/stdc++.h> is available at PCH_DIR

    @abstractmethod
    def execute(self, job: dict[str, Any], spec: LanguageSpec) -> tuple[dict[str, Any], dict[str, Any]]:
        """Run the job; return (inside.py's result, {"oom_killed", "pids_exhausted",
        "runner_killed": why the runner died without a result, "" when it did not})."""


def read_result(out: str, err: str, flags: dict[str, Any],
                stopped: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """inside.py's stdout -> (raw result, flags). Its first line says the job started, its last
    line is the result. Without a result the runner died: the memory cgroup killed it
    (flags["oom_killed"]), or the program killed or stopped it (flags["runner_killed"] says so:
    a program's own verdict, not the sandbox's failure), or it never started (a sandbox error).
    stopped: the host killed the runner after its hard time limit."""
    parsed = []
    for line in out.strip().splitlines():
        with contextlib.suppress(ValueError):
            parsed.append(json.loads(line))
    flags = {**flags, "runner_killed": ""}
    result = next((p for p in reversed(parsed) if isinstance(p, dict) and "steps" in p), None)
    if result is not None:
        return result, flags
    if flags.get("oom_killed"):
        return {"steps": [{"name": "run", "exit_code": None, "signal": 9, "timed_out": False,
                           "output_exceeded": False, "stdout": "", "stderr": err}]}, flags
    if any(isinstance(p, dict) and p.get("started") for p in parsed):
        flags["runner_killed"] = ("the program stopped the sandbox's runner (no answer within the "
                                  "hard time limit)" if stopped else
                                  "the program killed the sandbox's runner (e.g. kill -9 -1)")
        return {"steps": []}, flags
    return {"steps": [], "error": (err or out or "the sandbox's runner gave no result").strip()[-500:]}, flags


class JobSandbox(Sandbox):
    def __init__(self, workers: int | None = None, cache: bool | VerdictCache = True,
                 batch: bool = True, batch_size: int | None = None, dedupe: bool = True):
        self.workers = workers or os.cpu_count() or 1
        self.cache = (VerdictCache() if cache is True else cache) or None
        self.batch = batch
        self.batch_size = batch_size  # None: each strategy's own (batching.py)
        self.dedupe = dedupe  # False only to measure what running every copy costs (bench/)

    # -- provided by a kind ----------------------------------------------------------------
    @abstractmethod
    def session(self, language: str, limits: Limits) -> AbstractContextManager[Session]:
        """A place to run jobs under these limits, one at a time; no job sees another's files."""

    @abstractmethod
    def toolchain(self, language: str) -> str: ...

    @abstractmethod
    def missing(self, spec: LanguageSpec) -> str:
        """One line: what this kind lacks to run the language, and the fix."""

    def unavailable(self, language: str) -> str | None:
        """None when this sandbox can run the language, else missing()'s line."""
        toolchain = self.toolchain(language)
        if toolchain != "missing" and not toolchain.startswith("unavailable"):
            return None
        return self.missing(get_language(language))

    # -- running ---------------------------------------------------------------------------
    def _key(self, program: Program) -> str | None:
        if self.cache is None:
            return None
        spec = get_language(program.language)
        return program_key(self.kind, self.toolchain(program.language), program,
                           [spec.compile, spec.run, spec.proof if program.proof else None])

    def _normalise(self, program: Program) -> Program:
        spec = get_language(program.language)
        if spec.key == program.language:
            return program
        return Program(spec.key, program.files, program.stdin, program.limits, program.proof)

    def _one(self, session: Session, program: Program, spec: LanguageSpec) -> Verdict:
        workdir = f"{SCRATCH}/{uuid.uuid4().hex[:12]}"
        strategy = STRATEGIES.get(spec.batch)
        job = build_job(program, spec, workdir, with_data_limit=session.with_data_limit,
                        kill_strays=session.kill_strays)
        if strategy and session.has_pch:
            strategy.adjust_single(job, program, spec)
        raw, flags = session.execute(job, spec)
        return judge(spec, raw, **flags, proof=job_proof(job))

    def run(self, program: Program) -> Verdict:
        return self.run_many([program])[0]

    def run_many(self, programs: list[Program]) -> list[Verdict]:
        programs = [self._normalise(p) for p in programs]
        return run_each_once(programs, self._run_distinct) if self.dedupe else self._run_distinct(programs)

    def _run_distinct(self, programs: list[Program]) -> list[Verdict]:
        verdicts: list[Verdict | None] = [None] * len(programs)
        todo: dict[tuple[str, Limits], list[int]] = defaultdict(list)
        keys: list[str | None] = []
        for i, program in enumerate(programs):
            key = self._key(program)
            keys.append(key)
            hit = self.cache.get(key) if (self.cache is not None and key) else None
            if hit is not None:
                verdicts[i] = hit
            else:
                todo[(program.language, program.limits)].append(i)
        tasks: list[list[int]] = []
        for (language, _), indices in todo.items():
            spec = get_language(language)
            strategy = STRATEGIES.get(spec.batch)
            if self.batch and strategy and strategy.batches and len(indices) > 1:
                # enough batches for the workers, none above batch_size, none of one program
                size = self.batch_size or strategy.batch_size
                count = max(-(-len(indices) // size),
                            min(self.workers, len(indices) // 2))
                tasks += [indices[j::count] for j in range(count)]
            else:
                tasks += [[i] for i in indices]

        def work(group: list[int]) -> None:
            spec = get_language(programs[group[0]].language)
            limits = programs[group[0]].limits
            for attempt in (1, 2):  # a broken container/namespace gets one retry in a fresh one
                try:
                    with self.session(spec.key, limits) as session:
                        if len(group) == 1:
                            results = [self._one(session, programs[group[0]], spec)]
                        else:
                            results = self._batch(session, [programs[i] for i in group], spec,
                                                  STRATEGIES[spec.batch])
                    break
                except HarnessError as exc:  # e.g. the language's image is missing: no retry
                    results = [Verdict(False, Reason.SANDBOX_ERROR, stderr=str(exc),
                                       detail=str(exc)) for _ in group]
                    break
                except Exception as exc:  # the sandbox failed, not the program
                    results = [Verdict(False, Reason.SANDBOX_ERROR, stderr=str(exc),
                                       detail=f"sandbox error: {type(exc).__name__}: {exc}")
                               for _ in group]
            for i, verdict in zip(group, results):
                verdicts[i] = verdict
                if self.cache is not None and keys[i]:
                    self.cache.put(keys[i], verdict)

        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            list(pool.map(work, sorted(tasks, key=len, reverse=True)))
        return [v for v in verdicts if v is not None]

    def _batch(self, session: Session, programs: list[Program], spec: LanguageSpec,
               strategy: BatchStrategy) -> list[Verdict]:
        """Compile all programs in one compiler process, in a job of its own whose compiled files
        come back; then run each program alone, in a fresh scratch directory holding only its
        source and its compiled files: no program sees another's."""
        root = f"{SCRATCH}/b{uuid.uuid4().hex[:10]}"
        dirs = [f"p{i}" for i in range(len(programs))]
        files = {f"{d}/{spec.source_file}": next(iter(p.files.values())) if spec.source_file
                 not in p.files else p.files[spec.source_file] for d, p in zip(dirs, programs)}
        job = build_job(programs[0], spec, root, with_data_limit=session.with_data_limit,
                        kill_strays=session.kill_strays)
        job.update(files=files, collect=dirs, steps=[strategy.batch_step(spec, dirs, programs[0].limits)])
        built = session.execute(job, spec)[0].get("collected") or {}  # p<i>: its compile.json, classes
        verdicts = []
        for d, program in zip(dirs, programs):
            one = build_job(program, spec, f"{SCRATCH}/{uuid.uuid4().hex[:12]}",
                            with_data_limit=session.with_data_limit, kill_strays=session.kill_strays)
            one["binary"] = {name: data for name, data in built.get(d, {}).items()
                             if name != spec.source_file}
            one["steps"][0]["from_file"] = "compile.json"  # falls back to argv when missing
            raw, flags = session.execute(one, spec)
            verdict = judge(spec, raw, **flags, proof=job_proof(one))
            verdict.meta["batched"] = "compile.json" in one["binary"]
            verdicts.append(verdict)
        return verdicts
