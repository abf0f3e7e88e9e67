"""The executor layer: where generation runs, between the runner and the backends.

The runner hands an executor one round's requests for one role ("model", "judge") and gets each
result back through `on_result(i, generations)` / `on_error(i, message)` as soon as it is done,
exactly as from a backend; the runner writes it to the sample store at once. Executors:

    local   every role's backend in this process (today's behaviour; the default)
    ray     each local-engine role (vllm, hf) as N replica actors on a Ray cluster, one engine
            each; requests interleaved by prompt length so replicas finish together

An executor never changes what is generated: same requests, same engine build, same greedy
outputs, so the per-sample records are the same whatever the executor and replica count.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from harness.backends.base import Backend, OnError, OnResult
from harness.backends.models import make_backend
from harness.errors import HarnessError
from harness.requests import Request
from harness.results import ModelInfo

EXECUTORS = ("local", "ray")


class Executor(ABC):
    name: str = ""
    replicas: int = 1

    def __init__(self) -> None:
        self._backends: dict[str, Backend] = {}
        self._owned: set[str] = set()

    # -- roles ------------------------------------------------------------------------------
    def add_backend(self, role: str, backend: Backend) -> None:
        """A backend built by the caller, run in this process; the caller closes it."""
        self._backends[role] = backend

    def load(self, role: str, spec: str, backend: str | None = None,
             options: dict[str, Any] | None = None) -> None:
        """Build the role's backend from a model spec, where this executor runs engines."""
        self._backends[role] = make_backend(spec, backend, options)
        self._owned.add(role)

    @property
    def roles(self) -> list[str]:
        return list(self._backends)

    def info(self, role: str) -> ModelInfo:
        return self._backend(role).info()

    def start(self, role: str) -> None:
        """Load the role's engine if it is not yet (engines start only when a request misses the store)."""
        if role in self._backends:
            self._backends[role].start()

    def kind(self, role: str) -> str:
        return self._backend(role).kind

    def _backend(self, role: str) -> Backend:
        if role not in self._backends:
            raise HarnessError(f"no '{role}' model was given", f"pass --{role} MODEL")
        return self._backends[role]

    # -- work -------------------------------------------------------------------------------
    @abstractmethod
    def generate(self, role: str, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        """Answer all of a role's requests, reporting each as it finishes (see backends/base.py).
        Raises BackendError, one line, when part of the work was lost (what finished was reported)."""

    def sandbox(self, kind: str | None = None, **options: Any):
        """A sandbox for the scorers (sandboxes.Sandbox): here, one pool in this process."""
        import sandboxes

        return sandboxes.get_sandbox(kind, **options)

    def describe(self) -> dict[str, Any]:
        """Recorded in the results' provenance."""
        return {"name": self.name, "replicas": self.replicas}

    def close(self) -> None:
        for role in list(self._owned):
            self._backends.pop(role).close()
        self._owned.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
