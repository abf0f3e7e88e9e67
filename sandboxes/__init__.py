"""Code execution: run a program in a language and return a verdict. Knows nothing of tasks or
models (see sandboxes/base.py for the interface, sandboxes/languages.py for the language table).

    from sandboxes import get_sandbox, Program
    with get_sandbox() as sandbox:             # docker when an engine is reachable, else bwrap
        verdicts = sandbox.run_many([Program("java", {"Problem.java": source})])
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError

from .base import Limits, Program, Reason, Sandbox, Verdict
from .languages import LANGUAGES, LanguageSpec, get_language

KINDS = ("docker", "bwrap")

__all__ = ["KINDS", "LANGUAGES", "LanguageSpec", "Limits", "Program", "Reason", "Sandbox",
           "Verdict", "get_language", "get_sandbox"]


def get_sandbox(kind: str | None = None, **options: Any) -> Sandbox:
    """A sandbox of this kind; None: docker when an engine is reachable, else bwrap.

    options go to the sandbox (workers, cache, batch, limits). Raises HarnessError, one line,
    when the kind cannot run here.
    """
    if kind not in (None, *KINDS):
        raise HarnessError(f"unknown sandbox kind '{kind}'", f"use one of: {', '.join(KINDS)}")
    if kind in (None, "docker"):
        from .docker import DockerSandbox, engine_reachable
        if kind == "docker" or engine_reachable():
            return DockerSandbox(**options)
    from .bwrap import BwrapSandbox, bwrap_available
    problem = bwrap_available()
    if problem:
        raise HarnessError(
            f"no sandbox can run here: no Docker Engine reachable and {problem}",
            "run .ci/setup-sandboxes.sh (installs docker.io and bubblewrap, starts dockerd)")
    return BwrapSandbox(**options)
