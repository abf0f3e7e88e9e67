"""Hostile programs are stopped or denied, the verdict says why, and the next program runs."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from sandboxes import Limits, Program, Reason

FAST = Limits(timeout_s=4, memory_mb=256, output_bytes=16 * 1024)
# few pids and room in memory, so the pids limit (not the memory limit) stops the fork bombs
FORKS = Limits(timeout_s=4, memory_mb=1024, pids=32, output_bytes=16 * 1024)
GOOD = Program("py", {"main.py": "assert sum([1, 2]) == 3\nprint('fine')\n"})


def _run_then_good(sandbox, program):
    bad = sandbox.run(program)
    good = sandbox.run(GOOD)
    assert good.passed and good.reason is Reason.OK, f"the next program failed: {good}"
    return bad


def test_network_is_denied(sandbox):
    code = ("import socket\n"
            "socket.create_connection(('1.1.1.1', 80), timeout=3)\n"
            "print('connected')\n")
    verdict = _run_then_good(sandbox, Program("py", {"main.py": code}, limits=FAST))
    assert not verdict.passed and "connected" not in verdict.stdout
    assert verdict.reason is Reason.DENIED and "network" in verdict.detail


def test_host_secret_file_is_invisible(sandbox, tmp_path_factory):
    secret_dir = Path("/var/tmp") / f"harness-secret-{uuid.uuid4().hex[:8]}"
    secret_dir.mkdir()
    secret = secret_dir / "secret.txt"
    secret.write_text("TOP-SECRET-HOST-DATA")
    try:
        code = f"print(open({str(secret)!r}).read())\n"
        verdict = _run_then_good(sandbox, Program("py", {"main.py": code}, limits=FAST))
    finally:
        secret.unlink()
        secret_dir.rmdir()
    assert "TOP-SECRET" not in verdict.stdout
    assert verdict.reason is Reason.DENIED and "not visible" in verdict.detail


def test_shadow_is_unreadable(sandbox):
    verdict = _run_then_good(sandbox, Program("py", {"main.py": "print(open('/etc/shadow').read())"},
                                              limits=FAST))
    assert not verdict.passed and "root:" not in verdict.stdout
    assert verdict.reason is Reason.DENIED and "permission denied" in verdict.detail


@pytest.mark.parametrize("target", ["/usr/pwned.txt", "/etc/pwned.txt", "/opt/harness/pwned.txt"])
def test_writes_outside_scratch_are_denied(sandbox, target):
    code = f"open({target!r}, 'w').write('x')\nprint('wrote')\n"
    verdict = _run_then_good(sandbox, Program("py", {"main.py": code}, limits=FAST))
    assert not verdict.passed and "wrote" not in verdict.stdout
    assert verdict.reason is Reason.DENIED
    assert not os.path.exists(target)


def test_fork_bomb_is_stopped(sandbox):
    code = "import os\nwhile True:\n    os.fork()\n"
    verdict = _run_then_good(sandbox, Program("py", {"main.py": code}, limits=FORKS))
    assert not verdict.passed
    assert verdict.reason is Reason.PROCESS_LIMIT, verdict


def test_shell_fork_bomb_is_stopped(sandbox):
    verdict = _run_then_good(sandbox, Program("sh", {"main.sh": ":(){ :|:& };:\n"}, limits=FORKS))
    assert not verdict.passed
    assert verdict.reason in (Reason.PROCESS_LIMIT, Reason.TIMEOUT), verdict


def test_endless_allocation_is_stopped(sandbox):
    code = "chunks = []\nwhile True:\n    chunks.append(bytearray(16 * 1024 * 1024))\n"
    verdict = _run_then_good(sandbox, Program("py", {"main.py": code}, limits=FAST))
    assert not verdict.passed
    assert verdict.reason is Reason.MEMORY, verdict


def test_endless_loop_is_killed_at_the_timeout(sandbox):
    verdict = _run_then_good(sandbox, Program("py", {"main.py": "while True:\n    pass\n"},
                                              limits=Limits(timeout_s=2)))
    assert verdict.reason is Reason.TIMEOUT and "wall-clock" in verdict.detail
    assert verdict.duration_s < 10


def test_detached_children_die_with_the_program(sandbox):
    # a daemonised grandchild (new session, stdio closed) must not outlive its program, and
    # nothing the program leaves in /tmp reaches the next one
    code = ("import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            "        for fd in (0, 1, 2):\n"
            "            os.close(fd)\n"
            "        time.sleep(1.5)\n"
            "        open('/tmp/alive', 'w').write('still here')\n"
            "    os._exit(0)\n"
            "open('/tmp/left-behind', 'w').write('x')\n"
            "print('parent done')\n")
    verdict = _run_then_good(sandbox, Program("py", {"main.py": code}, limits=FAST))
    assert verdict.passed  # the program itself is fine
    probe = Program("py", {"main.py": "import os, time\ntime.sleep(3)\n"
                                      "assert not os.path.exists('/tmp/alive')\n"
                                      "assert not os.path.exists('/tmp/left-behind')\n"}, limits=FAST)
    assert sandbox.run(probe).passed


def test_endless_output_is_capped(sandbox):
    verdict = _run_then_good(sandbox, Program("py", {"main.py": "while True:\n    print('y' * 1000)\n"},
                                              limits=FAST))
    assert verdict.reason is Reason.OUTPUT_LIMIT and "output" in verdict.detail
    assert len(verdict.stdout) <= FAST.output_bytes
