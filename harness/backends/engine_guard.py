"""No engine outlives the process that started it.

vLLM runs its engine in child processes (VLLM::EngineCore, which starts VLLM::Worker). They
stop when the parent shuts the engine down, but a parent killed by SIGTERM/SIGHUP (default
action: exit at once, no finalizers) or SIGKILL leaves them running at 100% CPU. Two defences:

- `install_signal_handlers()`: SIGTERM and SIGHUP raise `Interrupted` (a KeyboardInterrupt, like
  SIGINT), so the run unwinds: the store is closed and every engine is shut down in order.
- `EngineGuard`: a tiny watcher process per engine, in its own session (a kill of the run's
  process group spares it), holding the read end of a pipe from the parent. When the parent ends,
  however it ends, the pipe closes and the watcher ends the engine's processes (SIGTERM, then
  SIGKILL after a grace period). Linux's PR_SET_PDEATHSIG would do this, but it can only be set
  by the child itself, and vLLM starts its children.

Standard library only: the watcher runs this file as a script.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

GRACE_S = 10.0  # an engine's own orderly shutdown (it stops its workers) gets this long
REFRESH_S = 2.0  # how often the watcher notes the engines' children
HANDLED = (signal.SIGTERM, signal.SIGHUP)


class Interrupted(KeyboardInterrupt):
    """A termination signal turned into an orderly unwind; `signum` gives the exit status."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP unwind the main thread like Ctrl-C. A second signal acts at once (the
    default action), while the watchers still end the engines."""

    def handler(signum, frame):
        for s in HANDLED:
            signal.signal(s, signal.SIG_DFL)
        raise Interrupted(signum)

    for s in HANDLED:
        try:
            if signal.getsignal(s) in (signal.SIG_DFL, None):
                signal.signal(s, handler)
        except ValueError:  # not the main thread: leave the signals to it
            return


# ---- processes ---------------------------------------------------------------------------------

def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2:].split()  # fields from 3 on (the name may hold spaces)


def start_time(pid: int) -> int | None:
    """Boot-relative start time: with the pid, the identity of a process (pids are reused)."""
    f = _stat(pid)
    return int(f[19]) if f else None


def alive(pid: int, started: int | None) -> bool:
    f = _stat(pid)
    return bool(f) and f[0] not in ("Z", "X") and (started is None or int(f[19]) == started)


def children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    try:
        threads = list(tasks.iterdir())
    except OSError:
        return []  # the process is gone
    if not any((t / "children").exists() for t in threads):
        return _children_by_scan(pid)  # a kernel without CONFIG_PROC_CHILDREN
    out = []
    for t in threads:  # the kernel's own list, per thread of the process
        try:
            out += [int(c) for c in (t / "children").read_text().split()]
        except OSError:
            continue  # that thread ended meanwhile; its children went to another thread, listed there
    return out


def _children_by_scan(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            f = _stat(int(d.name))
            if f and int(f[1]) == pid:
                out.append(int(d.name))
    return out


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        kids = children(todo.pop())
        out += kids
        todo += kids
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def end_processes(procs: list[tuple[int, int | None]], grace_s: float = GRACE_S) -> None:
    """SIGTERM each (pid, start time) still alive, and its descendants; SIGKILL what is left."""
    targets = [(p, s) for p, s in procs if alive(p, s)]
    for pid in [p for p, _ in targets]:
        targets += [(d, start_time(d)) for d in descendants(pid)]
    for pid, _ in targets:
        _kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline and any(alive(p, s) for p, s in targets):
        time.sleep(0.1)
    for pid, s in targets:
        if alive(pid, s):
            _kill(pid, signal.SIGKILL)


def _kill(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


# ---- the guard ---------------------------------------------------------------------------------

class EngineGuard:
    """Watches the engine processes that appeared while `started()` ran."""

    _open: list["EngineGuard"] = []

    def __init__(self, procs: list[tuple[int, int | None]]):
        self.procs = procs
        self._watcher: subprocess.Popen | None = None
        if not procs:
            return
        # Not in the run's session or process group, output nowhere (a caller capturing the
        # run's output must not wait for it), stdin the only link to the parent.
        self._watcher = subprocess.Popen([sys.executable, "-I", str(Path(__file__).resolve()), json.dumps(procs)],
                                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL, start_new_session=True)
        EngineGuard._open.append(self)

    @classmethod
    @contextmanager
    def started(cls) -> Iterator[list["EngineGuard"]]:
        """with EngineGuard.started() as guards: start the engine. The new child processes that
        run Python's multiprocessing (vLLM's engine) are guarded from then on."""
        if not Path("/proc/self/stat").exists():  # not Linux: nothing to watch with
            yield []
            return
        me = os.getpid()
        before = set(children(me))
        guards: list[EngineGuard] = []
        try:
            yield guards
        finally:
            new = [p for p in children(me) if p not in before and _is_engine(p)]
            new += [d for p in new for d in descendants(p)]  # the engine's workers, started by now
            guards.append(cls([(p, start_time(p)) for p in new]))

    def close(self, wait_s: float = GRACE_S + 5) -> None:
        """After the engine's own shutdown: the watcher ends whatever is left, then exits."""
        w, self._watcher = self._watcher, None
        if w is None:
            return
        if self in EngineGuard._open:
            EngineGuard._open.remove(self)
        try:
            w.stdin.close()
            w.wait(timeout=wait_s)
        except (OSError, subprocess.TimeoutExpired):
            pass


def _is_engine(pid: int) -> bool:
    # vLLM names its processes; before it does, they are multiprocessing's spawned children.
    # (multiprocessing's resource tracker is the process's own, shared: not the engine's.)
    cmd = cmdline(pid)
    return "VLLM::" in cmd or "multiprocessing.spawn" in cmd


def _close_pipes_in_child() -> None:
    # A fork of the parent (a multiprocessing worker) would hold the pipe open after the parent
    # died, and the watcher would never see the end. /dev/null takes the pipe's place, so the
    # file object still closes a descriptor of its own.
    for g in EngineGuard._open:
        if g._watcher is not None and g._watcher.stdin is not None:
            try:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, g._watcher.stdin.fileno())
                os.close(null)
            except OSError:
                pass
    EngineGuard._open.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_pipes_in_child)


def _watch(argv: list[str]) -> None:
    known = {(int(p), s) for p, s in json.loads(argv[0])}
    for s in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)  # only the parent's end ends the watch
    while True:
        # Remember the engines' own children while they are theirs: should an engine die first,
        # its orphans are no longer anyone's descendants.
        known |= {(d, start_time(d)) for p, s in list(known) if alive(p, s) for d in descendants(p)}
        try:
            ready = select.select([sys.stdin], [], [], REFRESH_S)[0]
            if ready and not os.read(sys.stdin.fileno(), 65536):
                break  # the parent closed the pipe, or died
        except OSError:
            break
    end_processes(sorted(known))


if __name__ == "__main__":
    _watch(sys.argv[1:])
