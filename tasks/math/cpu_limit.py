"""A time limit on the CPU time this thread spends, so a verdict does not depend on machine load.

math-verify's own limit is wall-clock (`signal.alarm`): on a busy machine the same parse takes
longer in seconds and times out where it passed on an idle one. Here the limit counts the CPU
seconds the grading thread itself uses (the process timer ITIMER_PROF fires, then the handler
checks this thread's `time.thread_time()` and re-arms for the rest when other threads used the
process's time). Like every Python signal handler it runs between bytecodes, so it cannot stop a
single call stuck in C, exactly as math-verify's alarm cannot.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator


class CpuTimeExceeded(BaseException):
    """Grading used more CPU time than allowed. A BaseException, so that math-verify's and
    sympy's `except Exception` clauses let it through to the scorer, which reports it."""


def available() -> bool:
    """A CPU limit can be set here: POSIX timers, and only the main thread may handle signals."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def cpu_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise CpuTimeExceeded in the block once it has used `seconds` of this thread's CPU time.
    No limit when `seconds` is None or where `available()` is false."""
    if not seconds or not available():
        yield
        return
    start = time.thread_time()
    state = {"done": False}

    def handler(signum, frame):
        if state["done"]:
            return
        used = time.thread_time() - start
        if used >= seconds:
            raise CpuTimeExceeded(f"grading used more than {seconds:g} s of CPU time")
        signal.setitimer(signal.ITIMER_PROF, seconds - used)  # other threads' time counted: wait on

    previous_handler = signal.signal(signal.SIGPROF, handler)
    previous_timer = signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        state["done"] = True
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous_handler)
        if previous_timer[0] > 0:  # someone else's profiling timer: give it back
            signal.setitimer(signal.ITIMER_PROF, *previous_timer)
