"""Progress bars with throughput for long steps (rich), quiet when output is not a terminal."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

console = Console(stderr=True)


class _Bar:
    def __init__(self, owner: "Progress", label: str, total: int):
        self.owner, self.label, self.total = owner, label, total
        self.done = self.tokens = 0
        self.t0 = time.perf_counter()
        self.task_id = owner._rich.add_task(label, total=total, rate="") if owner._rich else None

    def advance(self, n: int = 1, tokens: int = 0) -> None:
        self.done += n
        self.tokens += tokens
        if self.task_id is not None:
            dt = max(time.perf_counter() - self.t0, 1e-6)
            self.owner._rich.update(self.task_id, advance=n, rate=f"{self.done / dt:.1f} gen/s {self.tokens / dt:.0f} tok/s")

    def close(self) -> None:
        dt = time.perf_counter() - self.t0
        if self.task_id is not None:
            self.owner._rich.remove_task(self.task_id)
        if self.total:
            console.print(f"{self.label}: {self.done}/{self.total} in {dt:.1f}s "
                          f"({self.done / max(dt, 1e-6):.2f} gen/s, {self.tokens / max(dt, 1e-6):.0f} tok/s)")


class Progress:
    def __init__(self, enabled: bool | None = None):
        enabled = sys.stderr.isatty() if enabled is None else enabled
        self._rich = RichProgress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True,
        ) if enabled else None

    def __enter__(self):
        if self._rich:
            self._rich.start()
        return self

    def __exit__(self, *exc):
        if self._rich:
            self._rich.stop()

    def bar(self, label: str, total: int) -> _Bar:
        return _Bar(self, label, total)
