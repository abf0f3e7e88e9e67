"""What a run shows in the terminal: the harness's own lines (loading, progress, results) and,
unless --verbose, nothing from the libraries underneath.

Libraries reach the terminal in many ways: Python warnings, logging handlers, tqdm bars, C code
writing to file descriptors 1 and 2, and child processes (vLLM's engine core) that inherit those
descriptors. `capture(log)` points descriptors 1 and 2, and sys.stdout/sys.stderr, at the run's
log file for its duration, so all of that, from this process and its children, lands in the log;
the harness's own lines go to `terminal.stdout` / `terminal.stderr`, which always reach the real
terminal. With verbose=True the same output is copied to the terminal as well (nothing is lost
either way: the log file always has it).
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Iterator, TextIO

LOG_FILE = "harness.log"
#: environment while captured: what the libraries would not show unasked still reaches the log
ENV_WHILE_CAPTURED = {"VLLM_LOGGING_LEVEL": "INFO"}


class _Capture:
    def __init__(self, log_path: Path, verbose: bool):
        self.log_path, self.verbose = Path(log_path), verbose
        self.streams: dict[str, TextIO] = {}  # the terminal, for the harness's own lines
        self._made: list[TextIO] = []
        self._saved_fds: dict[int, int] = {}
        self._saved_sys: tuple[TextIO, TextIO] | None = None
        self._tee: threading.Thread | None = None
        self._pipe_w: int | None = None
        self._handlers: list[tuple[logging.StreamHandler, TextIO]] = []
        self._env: dict[str, str | None] = {}

    def start(self) -> None:
        for s in (sys.stdout, sys.stderr):
            _flush(s)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        stamp = datetime.now().isoformat(timespec="seconds")
        os.write(log_fd, f"=== {stamp} {' '.join(['harness', *sys.argv[1:]])}\n".encode())
        self._saved_fds = {1: os.dup(1), 2: os.dup(2)}
        self.streams = {"stdout": self._terminal(sys.stdout, 1), "stderr": self._terminal(sys.stderr, 2)}
        if self.verbose:  # descriptors 1 and 2 -> a pipe -> the log and the terminal
            r, w = os.pipe()
            self._tee = threading.Thread(target=_tee, args=(r, log_fd, self._saved_fds[2]), daemon=True,
                                         name="harness-log-tee")
            self._tee.start()
            target, self._pipe_w = w, w
        else:
            target = log_fd
        os.dup2(target, 1)
        os.dup2(target, 2)
        self._saved_sys = (sys.stdout, sys.stderr)
        # Python-level writers (warnings, print, tqdm, logging handlers made from now on) follow
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False, buffering=1)
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False, buffering=1)
        # (never closed: handlers made meanwhile keep them; after the capture they reach the terminal)
        # logging handlers made before (vLLM configures its own on import) hold the old streams
        self._handlers = _redirect_handlers({id(self._saved_sys[0]): sys.stdout, id(self._saved_sys[1]): sys.stderr,
                                             id(sys.__stdout__): sys.stdout, id(sys.__stderr__): sys.stderr})
        # vLLM's engine process reads its log level when it starts: all of it goes to the log file
        # (unless the user chose a level)
        self._env = {k: os.environ.get(k) for k in ENV_WHILE_CAPTURED}
        for k, v in ENV_WHILE_CAPTURED.items():
            os.environ.setdefault(k, v)
        if not self.verbose:
            os.close(log_fd)  # descriptors 1 and 2 hold it now; with verbose the tee thread does

    def _terminal(self, current: TextIO, fd: int) -> TextIO:
        """The stream the harness's own lines go to: the current sys stream, unless that writes to
        descriptor `fd` itself (which is about to point at the log): then a copy of the descriptor."""
        try:
            same = current.fileno() == fd
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            same = False
        if not same:
            return current
        stream = open(os.dup(self._saved_fds[fd]), "w", encoding=getattr(current, "encoding", None) or "utf-8",
                      errors="replace", buffering=1)
        self._made.append(stream)
        return stream

    def stop(self) -> None:
        for s in (sys.stdout, sys.stderr, *self.streams.values()):
            _flush(s)
        if self._saved_sys is not None:
            sys.stdout, sys.stderr = self._saved_sys
        for handler, stream in self._handlers:
            handler.setStream(stream)
        for k, v in self._env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for fd, saved in self._saved_fds.items():
            os.dup2(saved, fd)
            os.close(saved)
        if self._pipe_w is not None:
            os.close(self._pipe_w)
        if self._tee is not None:
            self._tee.join(timeout=5)  # a child still holding the pipe keeps it open; don't wait for it
        for s in self._made:
            s.close()


def _tee(read_fd: int, log_fd: int, term_fd: int) -> None:
    term_fd = os.dup(term_fd)
    try:
        while chunk := os.read(read_fd, 65536):
            os.write(log_fd, chunk)
            try:
                os.write(term_fd, chunk)
            except OSError:
                pass
    finally:
        for fd in (read_fd, log_fd, term_fd):
            os.close(fd)


def _redirect_handlers(streams: dict[int, TextIO]) -> list[tuple[logging.StreamHandler, TextIO]]:
    """Point every logging handler that writes to one of the old streams at its new one; returns
    (handler, old stream) pairs to undo it."""
    loggers = [logging.getLogger(), *(lg for lg in logging.Logger.manager.loggerDict.values()
                                       if isinstance(lg, logging.Logger))]
    moved = []
    for lg in loggers:
        for h in lg.handlers:
            if type(h) is logging.StreamHandler and id(h.stream) in streams:
                moved.append((h, h.setStream(streams[id(h.stream)])))
    return moved


def _flush(stream) -> None:
    try:
        stream.flush()
    except (AttributeError, OSError, ValueError):
        pass


_ACTIVE: _Capture | None = None


@contextmanager
def capture(log_path: Path, verbose: bool = False) -> Iterator[Path]:
    """Library output (this process and its children) goes to `log_path` while inside; with
    verbose=True it is shown as well. Nested calls keep the outer capture."""
    global _ACTIVE
    if _ACTIVE is not None:
        yield _ACTIVE.log_path
        return
    cap = _Capture(log_path, verbose)
    cap.start()
    _ACTIVE = cap
    try:
        yield cap.log_path
    finally:
        _ACTIVE = None
        cap.stop()


class _TerminalStream(io.TextIOBase):
    """sys.stdout or sys.stderr as the user sees it, even while library output is captured."""

    def __init__(self, name: str):
        self._name = name

    def _target(self) -> TextIO:
        if _ACTIVE is not None:
            return _ACTIVE.streams[self._name]
        return getattr(sys, self._name)

    def write(self, s: str) -> int:
        return self._target().write(s)

    def flush(self) -> None:
        _flush(self._target())

    def isatty(self) -> bool:
        try:
            return bool(self._target().isatty())
        except (AttributeError, ValueError):
            return False

    def fileno(self) -> int:
        return self._target().fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target(), "encoding", None) or "utf-8"


stdout = _TerminalStream("stdout")
stderr = _TerminalStream("stderr")


def echo(message: str, err: bool = False) -> None:
    """One of the harness's own lines, on the terminal whatever is being captured."""
    stream = stderr if err else stdout
    stream.write(message + "\n")
    stream.flush()
