"""From a Program to a job for sandboxes/inside.py, and from the job's raw result to a Verdict.

Shared by every sandbox kind, so the verdict rules live in one place (with the language table).

The completion proof (Program.proof): each run of such a program gets a fresh 128-bit secret on
fd 3 of its run step only (a pipe inside.py fills and closes; not in the source, argv, environment
or any file, and never seen by the compile step). The program's last statement, after its check,
copies it to fd 4 (a pipe inside.py reads after the step; languages.LanguageSpec.proof). The
verdict passes only when the reference's rules pass AND the secret came back, so exit status alone
never passes: any way of stopping before the end (exit in any spelling, a signal, exec, killing
the runner) fails without being recognised. stdout and stderr are left as the reference has them.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from .base import Limits, Program, Reason, Verdict
from .languages import BASE_ENV, LanguageSpec

SCRATCH = "/scratch"          # every program gets a fresh directory under here
HELPERS = "/opt/harness"      # sandboxes/ (inside.py, helpers/) mounted read-only
GO_SEED = "/opt/gocache-seed"  # a warm Go build cache of the standard packages, read-only

# Messages a program prints when the sandbox denied it something (network, host files, writes).
DENIAL_MARKERS = {
    "Network is unreachable": "network access denied (the sandbox has no network)",
    "Temporary failure in name resolution": "network access denied (the sandbox has no network)",
    "Name or service not known": "network access denied (the sandbox has no network)",
    "Cannot assign requested address": "network access denied (the sandbox has no network)",
    "Read-only file system": "write outside the scratch directory denied (read-only file system)",
    "Permission denied": "access denied by the sandbox (permission denied)",
    "No such file or directory": "host file not visible in the sandbox (no such file)",
}
MEMORY_MARKERS = ("MemoryError", "std::bad_alloc", "java.lang.OutOfMemoryError",
                  "Cannot allocate memory", "out of memory", "memory allocation of",
                  "Out of memory", "cannot allocate vector", "OutOfMemoryException",
                  "Allowed memory size", "failed to allocate", "heap out of memory")
FORK_MARKERS = ("Resource temporarily unavailable", "fork: retry", "Cannot fork",
                "unable to create native thread", "pthread_create failed")


def effective_timeouts(spec: LanguageSpec, limits: Limits) -> tuple[float, float]:
    run = limits.timeout_s if limits.timeout_s is not None else spec.run_timeout_s
    compile_ = (limits.compile_timeout_s if limits.compile_timeout_s is not None
                else spec.compile_timeout_s)
    return run, compile_


def rlimits(limits: Limits, run_timeout: float, with_data_limit: bool) -> dict[str, Any]:
    """Per-process limits set inside the sandbox; the cgroup (memory, pids) is the real fence."""
    return {
        "cpu": int(max(run_timeout, 1) * 2 + 5),             # CPU seconds, a backstop to the wall clock
        "fsize": limits.scratch_mb * 1024 * 1024,           # no file larger than the scratch dir
        "core": 0,
        "nofile": 1024,
        "data": limits.memory_mb * 1024 * 1024 if with_data_limit else None,
    }


def new_proof() -> str:
    """A per-run secret: what a program must print to show it reached the end of its check."""
    return secrets.token_hex(16) + "\n"


def build_job(program: Program, spec: LanguageSpec, workdir: str, *, with_data_limit: bool,
              env_extra: dict[str, str] | None = None, compile_from_file: str | None = None,
              write_files: bool = True, kill_strays: bool = False) -> dict[str, Any]:
    """The job for inside.py; with Program.proof its run step carries a new secret
    (job["steps"][-1]["proof"]), which judge() needs back."""
    run_timeout, compile_timeout = effective_timeouts(spec, program.limits)
    files = dict(program.files)
    if write_files and spec.source_file not in files and len(files) == 1:
        # a single source under any name is the program
        files = {spec.source_file: next(iter(files.values()))}
    steps: list[dict[str, Any]] = []
    if compile_from_file:
        steps.append({"name": "compile", "from_file": compile_from_file})
    elif spec.compile:
        steps.append({"name": "compile", "argv": list(spec.compile), "timeout": compile_timeout})
    steps.append({"name": "run", "argv": list(spec.run), "timeout": run_timeout,
                  "stdin": program.stdin})
    if program.proof:
        steps[-1]["proof"] = new_proof()
    env = {**BASE_ENV, **spec.env, **(env_extra or {})}
    env["HOME"] = f"{workdir}/.home"
    seed = {}
    if "GOCACHE" in env:
        env["GOCACHE"] = f"{workdir}/.gocache"
        env["GOPATH"] = f"{workdir}/.gopath"
        seed = {GO_SEED: env["GOCACHE"]}
    return {"dir": workdir, "files": files if write_files else {}, "steps": steps, "env": env,
            "output_bytes": program.limits.output_bytes,
            "rlimits": rlimits(program.limits, max(run_timeout, compile_timeout), with_data_limit),
            "cleanup": True, "kill_strays": kill_strays, "seed": seed,
            "sandbox": {"memory_mb": program.limits.memory_mb, "pids": program.limits.pids,
                        "cpus": program.limits.cpus, "scratch_mb": program.limits.scratch_mb}}


def _denial(text: str) -> str:
    for marker, why in DENIAL_MARKERS.items():
        if marker in text:
            return why
    return ""


def job_proof(job: dict[str, Any]) -> str | None:
    """The secret a job's program must print, None when it needs none."""
    return next((s["proof"] for s in job.get("steps", []) if s.get("proof")), None)


def judge(spec: LanguageSpec, raw: dict[str, Any], *, oom_killed: bool = False,
          pids_exhausted: bool = False, runner_killed: str = "", proof: str | None = None) -> Verdict:
    """Apply the language's verdict rules to the raw step results.

    runner_killed: why the runner died without a result (the program killed or stopped it);
    proof: the secret the program must print (build_job), None when it needs none."""
    if runner_killed:
        return Verdict(False, Reason.RUNNER_KILLED, detail=runner_killed)
    steps = raw.get("steps") or []
    if not steps:
        return Verdict(False, Reason.SANDBOX_ERROR, detail=raw.get("error", "no result"),
                       stderr=raw.get("error", ""))
    last = steps[-1]
    duration = round(sum(s.get("duration_s", 0.0) for s in steps), 4)
    out, err = last.get("stdout", ""), last.get("stderr", "")
    proved = bool(proof) and last.get("name") == "run" and last.get("proof", "").strip() == proof.strip()
    both = out + "\n" + err
    code, sig = last.get("exit_code"), last.get("signal")
    meta = {"steps": [{k: s.get(k) for k in ("name", "exit_code", "signal", "duration_s")}
                      for s in steps]}

    def verdict(reason: Reason, detail: str) -> Verdict:
        return Verdict(reason is Reason.OK, reason, code, out, err, duration, detail, meta)

    if last.get("not_found"):
        return verdict(Reason.SANDBOX_ERROR, err.splitlines()[0] if err else "toolchain missing")
    stage = last["name"]
    forky = pids_exhausted or any(m in err for m in FORK_MARKERS)
    if forky and (last.get("timed_out") or last.get("output_exceeded") or code or sig):
        return verdict(Reason.PROCESS_LIMIT, f"{stage} stopped at the process limit (fork bomb)")
    if last.get("timed_out"):
        return verdict(Reason.TIMEOUT, f"{stage} killed after its wall-clock limit "
                                       f"({last.get('duration_s', 0):.1f} s)")
    if last.get("output_exceeded"):
        return verdict(Reason.OUTPUT_LIMIT, f"{stage} killed: output over the cap")
    if stage == "compile" and (code != 0 or sig):
        if oom_killed or sig == 9:
            return verdict(Reason.MEMORY, "compiler killed at the memory limit")
        return verdict(Reason.COMPILE_ERROR, f"compile failed (exit {code if sig is None else -sig})")
    failed = code != 0 or sig is not None
    if not failed:
        if spec.fail_on_stderr and err.strip():
            failed = True
        elif any(m in err for m in spec.stderr_fail_markers) or any(m in both for m in spec.fail_markers):
            failed = True
        if failed and not any(m in both for m in spec.syntax_markers):
            return verdict(Reason.RUNTIME_ERROR, "test failed (exit 0, failure reported on "
                                                 + ("stderr" if err.strip() else "stdout") + ")")
    if not failed and proof and not proved:
        return verdict(Reason.INCOMPLETE, "exit status 0 without the completion proof: the program "
                                          "stopped before the end of its check")
    if not failed:
        return verdict(Reason.OK, "passed")
    if oom_killed or (sig == 9) or any(m in both for m in MEMORY_MARKERS):
        return verdict(Reason.MEMORY, "stopped at the memory limit")
    if pids_exhausted or any(m in both for m in FORK_MARKERS):
        return verdict(Reason.PROCESS_LIMIT, "stopped at the process/thread limit")
    if any(m in both for m in spec.syntax_markers):
        return verdict(Reason.COMPILE_ERROR, "syntax/build error")
    denial = _denial(err)
    if denial:
        return verdict(Reason.DENIED, denial)
    what = f"killed by signal {sig}" if sig else f"exit status {code}"
    return verdict(Reason.RUNTIME_ERROR, f"test failed ({what})")


def first_line(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().splitlines()[0]) if text.strip() else ""
