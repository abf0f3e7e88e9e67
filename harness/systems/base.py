"""Systems under test that are not language models: document converters (PDF -> Markdown).

A `System` converts one file. `SystemBackend` puts a system behind the ordinary Backend
interface, so the runner, the store and the tasks treat it like any model: it answers each
Request by converting `request.media[0]` (a (path, sha256) pair) and ignores the prompt.
Adding a converter is one small subclass registered in `harness.systems`.
"""

from __future__ import annotations

import hashlib
import json
import time
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

from harness.backends.base import Backend, OnError, OnResult
from harness.errors import HarnessError
from harness.requests import Generation, Request
from harness.results import ModelInfo


class System(ABC):
    """A document converter. Subclasses set `name` and implement version() and convert()."""

    name: str = ""
    #: the package extra or apt package that provides it (for error hints)
    install_hint: str = ""

    def __init__(self, **settings: Any):
        self.settings: dict[str, Any] = dict(settings)

    @abstractmethod
    def version(self) -> str:
        """The converter's version string (raises HarnessError when it is not installed)."""

    @abstractmethod
    def convert(self, pdf_path: Path) -> str:
        """The Markdown (or plain text) the system makes of one PDF."""

    def check(self) -> None:
        """Raise HarnessError with an install hint when the system cannot run here."""
        self.version()

    def fingerprint(self) -> str:
        ident = {"system": self.name, "version": self.version(), "settings": self.settings}
        return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]


class SystemBackend(Backend):
    """Answers each request by converting its first media file with a System."""

    kind = "system"

    def __init__(self, system: System):
        system.check()
        self.system = system

    def info(self) -> ModelInfo:
        s = self.system
        return ModelInfo(
            spec=f"system:{s.name}",
            backend=self.kind,
            name=s.name,
            fingerprint=s.fingerprint(),
            backend_version=s.version(),
            settings=dict(s.settings),
        )

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        for i, req in enumerate(requests):
            try:
                path = self._input_path(req)
                start = time.perf_counter()
                text = self.system.convert(path)
                seconds = time.perf_counter() - start
            except HarnessError as e:
                on_error(i, str(e))
                continue
            except Exception as e:  # noqa: BLE001 - one broken PDF must not stop the others
                on_error(i, f"{self.system.name} failed on {req.doc_id}: {type(e).__name__}: {e}")
                continue
            meta = {"seconds": round(seconds, 4), "system": self.system.name, "input": path.name}
            on_result(i, [Generation(text=text, meta=dict(meta)) for _ in range(max(1, req.sampling.n))])

    @staticmethod
    def _input_path(req: Request) -> Path:
        if not req.media:
            raise HarnessError(
                f"request {req.task}/{req.doc_id} carries no input file",
                "a document converter (--system) can only answer tasks whose requests carry media, e.g. readoc-*",
            )
        path = Path(req.media[0][0])
        if not path.is_file():
            raise HarnessError(f"input file {path} of {req.task}/{req.doc_id} does not exist",
                               "check the task's data directory")
        return path
