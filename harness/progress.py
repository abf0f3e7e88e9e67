"""Progress bars with throughput for long steps (rich), quiet when output is not a terminal."""

from __future__ import annotations

import time
from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from harness import terminal

console = Console(file=terminal.stderr)  # the terminal, even while library output goes to the run's log
_LIVE: list["Progress"] = []  # the progress display on screen, if any


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
        enabled = terminal.stderr.isatty() if enabled is None else enabled
        self._rich = RichProgress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True,
            # rich would route sys.stdout/stderr through the display: library output must stay in the log
            redirect_stdout=False, redirect_stderr=False,
        ) if enabled else None

    def __enter__(self):
        if self._rich:
            self._rich.start()
            _LIVE.append(self)
        return self

    def __exit__(self, *exc):
        if self._rich:
            _LIVE.remove(self)
            self._rich.stop()

    def bar(self, label: str, total: int) -> _Bar:
        return _Bar(self, label, total)


@contextmanager
def loading(what: str) -> Iterator[dict]:
    """`loading model X ... done in 48.2s`: one line on the terminal, with a running timer while a
    progress display is on screen. Put a `detail` in the yielded dict to end the line with it."""
    t0 = time.perf_counter()
    out: dict = {}
    live = _LIVE[-1]._rich if _LIVE else None
    task = live.add_task(f"{what} ...", total=None, rate="") if live else None
    if live is None:
        console.print(f"{what} ...", highlight=False, soft_wrap=True)
    ok = False
    try:
        yield out
        ok = True
    finally:
        dt = time.perf_counter() - t0
        if task is not None:
            live.remove_task(task)
        end = f"done in {dt:.1f}s" + (f" ({out['detail']})" if out.get("detail") else "") if ok else f"failed after {dt:.1f}s"
        console.print(f"{what} ... {end}" if live is not None else f"  {end}", highlight=False, soft_wrap=True)
