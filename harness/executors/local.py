"""The local executor: every backend in this process, called directly (today's behaviour)."""

from __future__ import annotations

from harness.backends.base import Backend, OnError, OnResult
from harness.executors.base import Executor
from harness.requests import Request


class LocalExecutor(Executor):
    name = "local"

    def __init__(self, backends: dict[str, Backend] | None = None):
        super().__init__()
        for role, backend in (backends or {}).items():
            self.add_backend(role, backend)

    def generate(self, role: str, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        self._backend(role).generate(requests, on_result, on_error)
