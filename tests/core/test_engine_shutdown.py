"""No engine outlives a killed run.

The guard and the signal handling on small stand-in processes (cheap), then the real thing: a
`harness run` on vLLM killed mid-generation with SIGTERM, resumed, and killed again with SIGKILL;
no VLLM:: process of those runs may survive. Only the runs' own processes are looked at (other
engines may be running on this machine)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from harness.backends.engine_guard import alive, cmdline, descendants, start_time
from tests.conftest import REPO

# A parent that starts an "engine" the way vLLM does (a multiprocessing spawn child that starts
# a child of its own before it reports ready), guarded; it prints the pid, then waits to be killed.
# Its own shutdown on SIGTERM ends the engine but not the engine's child: the guard must.
PARENT = textwrap.dedent("""
    import multiprocessing as mp, signal, subprocess, sys, time
    from harness.backends.engine_guard import EngineGuard, install_signal_handlers

    def engine(ready):
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])  # its "Worker"
        ready.set()
        time.sleep(600)

    if __name__ == "__main__":
        install_signal_handlers()
        ctx = mp.get_context("spawn")
        with EngineGuard.started() as guards:
            ready = ctx.Event()
            p = ctx.Process(target=engine, args=(ready,))
            p.start()
            ready.wait()
        try:  # the pid inside: a signal may come as soon as it is read
            print(p.pid, flush=True)
            time.sleep(600)
        except KeyboardInterrupt as e:
            print("unwound", getattr(e, "signum", None), flush=True)
            p.terminate()
            p.join()
            for g in guards:
                g.close()
""")


def _snapshot(pid: int) -> list[tuple[int, int | None, str]]:
    return [(p, start_time(p), cmdline(p)) for p in descendants(pid)]


def _survivors(procs, wait_s: float) -> list[str]:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        left = [cmd for p, s, cmd in procs if alive(p, s)]
        if not left:
            return []
        time.sleep(0.2)
    return [cmd for p, s, cmd in procs if alive(p, s)]


def _start_parent(tmp_path: Path) -> tuple[subprocess.Popen, list]:
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=REPO,
                            env=dict(os.environ, PYTHONPATH=str(REPO)), start_new_session=True)
    engine_pid = int(proc.stdout.readline())
    # A process that has just exec'd shows an empty cmdline for a moment (the kernel fills it in
    # after the point where Popen returns), longer on a loaded machine: look again until it shows.
    deadline = time.monotonic() + 30
    while True:
        procs = _snapshot(proc.pid)
        if all(cmd for _, _, cmd in procs) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    try:
        assert engine_pid in [p for p, _, _ in procs]
        assert any("engine_guard" in cmd for _, _, cmd in procs), f"no watcher was started for the engine: {procs}"
        assert len([c for _, _, c in procs if "time.sleep(600)" in c]) == 1, procs  # the engine's own child
    except AssertionError:
        os.killpg(proc.pid, signal.SIGKILL)
        for p, _, _ in procs:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        raise
    return proc, procs


def test_sigkilled_parent_leaves_no_engine(tmp_path):
    proc, procs = _start_parent(tmp_path)
    os.kill(proc.pid, signal.SIGKILL)  # the parent alone: no handler, no finalizer runs
    proc.wait()
    assert _survivors(procs, 30) == []


def test_sigterm_unwinds_like_ctrl_c(tmp_path):
    proc, procs = _start_parent(tmp_path)
    os.kill(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=60)
    assert out.strip() == f"unwound {int(signal.SIGTERM)}"
    assert _survivors(procs, 30) == []


# ---- the real engine ----------------------------------------------------------------------------

def _store_lines(run_dir: Path) -> int:
    p = run_dir / "store" / "generations.jsonl"
    return p.read_bytes().count(b"\n") if p.exists() else 0


def _run_until(cmd: list[str], run_dir: Path, lines: int, log: Path) -> tuple[subprocess.Popen, list]:
    """Start `harness run`; once the store has `lines` lines, the run's processes."""
    with log.open("w") as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 1500
    while _store_lines(run_dir) < lines and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    procs = _snapshot(proc.pid)
    assert proc.poll() is None, f"the run ended before it could be killed: {log.read_text()[-1500:]}"
    assert any(c.startswith("VLLM::EngineCore") for _, _, c in procs), procs
    assert any(c.startswith("VLLM::Worker") for _, _, c in procs), procs
    return proc, procs


@pytest.mark.slow
def test_killed_run_leaves_no_vllm_process(smollm2_path, shared_data, tmp_path):
    n_docs = 12
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "harness.cli", "run", "--model", "vllm:smollm2-135m-instruct", "--dtype", "float32",
           "--tasks", "math500", "--limit", str(n_docs), "--max-tokens", "384", "--output", str(out), "--no-progress"]

    # SIGTERM mid-generation: an orderly unwind (exit status 143), the engine shut down.
    proc, procs = _run_until(cmd, out, 1, tmp_path / "first.log")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=300) == 128 + signal.SIGTERM, (tmp_path / "first.log").read_text()[-1500:]
    done = _store_lines(out)
    assert 1 <= done < n_docs, f"not killed mid-generation ({done} of {n_docs} done)"
    assert "interrupted" in (tmp_path / "first.log").read_text()
    assert _survivors(procs, 30) == []

    # The same command resumes; SIGKILL of the harness process alone: its watcher ends the engine.
    proc, procs = _run_until(cmd, out, done + 1, tmp_path / "second.log")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _store_lines(out) < n_docs, "the resumed run finished before it could be killed"
    assert _survivors(procs, 60) == []
