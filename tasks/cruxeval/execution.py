"""Shared by CRUXEval and CRUXEval-X: answer extraction, batched program runs through the
sandbox from the ScoringContext, and per-document pass@k values."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from harness.metrics import pass_at_k
from harness.task import ScoringContext

#: the k of pass@k reported when at least k samples were drawn (the papers report 1 and 5)
PASS_KS = (1, 5, 10)


@dataclass
class Attempt:
    """One sample of one document: the answer, the program to run (None when rejected before
    running), and, once judged, whether it passed and why."""

    answer: str
    program: Any = None  # sandboxes.base.Program
    rejected: str | None = None  # splice-guard reason
    passed: bool = False
    reason: str = ""
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        out = {"answer": self.answer, "passed": self.passed, "verdict": self.reason}
        if self.detail:
            out["detail"] = self.detail
        if self.rejected:
            out["rejected"] = self.rejected
        out.update(self.extra)
        return out


def sandbox_from(ctx: ScoringContext):
    """The run's sandbox: one per run, made on first use. Its kind: the scoring option `sandbox`,
    else $HARNESS_SANDBOX, else the sandboxes' default (docker when reachable, else bwrap). The
    run's executor says where it runs: in this process, or (--executor ray) a pool per node."""

    def make():
        kind = ctx.options.get("sandbox") or os.environ.get("HARNESS_SANDBOX") or None
        if ctx.executor is not None:
            return ctx.executor.sandbox(kind)
        import sandboxes

        return sandboxes.get_sandbox(kind)

    return ctx.get("sandbox", make)


def run_attempts(attempts: list[Attempt], ctx: ScoringContext) -> None:
    """Judge every attempt that has a program, all in one batch through the sandbox."""
    todo = [a for a in attempts if a.program is not None and a.rejected is None]
    for a in attempts:
        if a.rejected is not None:
            a.passed, a.reason = False, "rejected"
    if not todo:
        return
    box = sandbox_from(ctx)
    languages = sorted({a.program.language for a in todo})
    if hasattr(box, "start"):
        box.start(languages)
    verdicts = box.run_many([a.program for a in todo])
    for a, v in zip(todo, verdicts):
        a.passed = bool(v.passed)
        a.reason = getattr(v.reason, "value", str(v.reason))
        a.detail = getattr(v, "detail", "") or ""
        if not a.passed and a.reason != "ok":
            a.extra["stderr_tail"] = scratch_free(v.stderr or "")[-400:]


#: a program's scratch directory (sandboxes/common.py: random per program, batch dirs p<i>)
_SCRATCH_DIR = re.compile(r"/scratch/(?:b[0-9a-f]{10}/p\d+|[0-9a-f]{12})(?=/|\b)")


def scratch_free(text: str) -> str:
    """Error output with the program's random scratch directory replaced by a fixed name, so the
    records are the same from run to run, machine to machine and executor to executor."""
    return _SCRATCH_DIR.sub("/scratch/program", text)


def pass_values(attempts: list[Attempt], ks=PASS_KS, suffix: str = "",
                include: bool = True) -> dict[str, float | None]:
    """pass@k for every k <= n; None (left out of the mean) when `include` is False."""
    n = len(attempts)
    c = sum(a.passed for a in attempts)
    out: dict[str, float | None] = {}
    for k in ks:
        if k <= n:
            out[f"pass@{k}{suffix}"] = pass_at_k(n, c, k) if include else None
    return out
