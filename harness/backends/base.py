"""The backend interface.

A backend answers `Request`s (chat messages or a raw prompt, sampling settings, n) with
`Generation`s. It calls `on_result(i, generations)` as soon as request i is finished, so the
runner can write each result to the store while the rest are still running. A request that
fails calls `on_error(i, message)` instead; the others go on.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Callable

from harness.requests import Generation, Request
from harness.results import ModelInfo

OnResult = Callable[[int, list[Generation]], None]
OnError = Callable[[int, str], None]


class Backend(ABC):
    kind: str = ""

    @abstractmethod
    def info(self) -> ModelInfo:
        """Identity of the model as served by this backend (its fingerprint keys the store)."""

    @abstractmethod
    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        """Answer all requests, reporting each as it finishes."""

    def start(self) -> None:
        """Load the engine now; local engines otherwise load when first asked to generate."""

    def close(self) -> None:
        """Free the engine, the GPU, the connections."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
