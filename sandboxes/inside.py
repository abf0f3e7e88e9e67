"""The program runner that executes INSIDE a sandbox (a docker container or a bwrap namespace).

Standard library only (it runs under the image's python3). Reads one job as JSON on stdin (never
argv or the environment: /proc shows those to the program), writes the files into a fresh scratch
directory, runs the steps (compile, run) each in a new session with rlimits, a wall-clock timeout
that kills the whole process group, and an output cap; prints one JSON result line. The host turns
the raw result into a Verdict.

Job: {"dir", "files": {name: text}, "binary": {name: base64}, "steps": [{"name", "argv", "timeout",
      "stdin"?, "from_file"?, "proof"?}], "env", "output_bytes", "rlimits": {"cpu", "fsize", "data",
      "nproc", "nofile"}, "cleanup": bool, "kill_strays": bool, "seed": {read-only dir: copy it
      here first}, "collect": [subdirs whose files come back in the result, base64]}
kill_strays (docker: one program at a time per container) also empties /tmp and /scratch.
A step with "from_file" is not run when that file exists: a batched compile wrote its result there.
A step with "proof" gets that text on fd 3 (a pipe) and fd 4 to write it back to (a pipe read after
the step, "proof" in its result): the completion proof, see judge.py. No other step gets them.
This process makes itself non-dumpable first, so the program (same uid) can neither read its
memory nor its /proc/<pid>/{environ,fd,mem}, nor ptrace it. Its first output line says the job
started (the host tells a killed runner from one that never started).
"""

import base64
import ctypes
import json
import os
import resource
import selectors
import shutil
import signal
import subprocess
import sys
import time


def _limits(rlimits):
    def apply():
        os.umask(0o077)
        table = {"cpu": resource.RLIMIT_CPU, "fsize": resource.RLIMIT_FSIZE,
                 "data": resource.RLIMIT_DATA, "nproc": resource.RLIMIT_NPROC,
                 "nofile": resource.RLIMIT_NOFILE, "core": resource.RLIMIT_CORE}
        for name, value in rlimits.items():
            if value is not None and name in table:
                try:
                    resource.setrlimit(table[name], (int(value), int(value)))
                except (ValueError, OSError):
                    pass
    return apply


PROOF_IN, PROOF_OUT = 3, 4
PR_SET_DUMPABLE = 4


def _not_dumpable():
    """No ptrace and no /proc/<pid>/{mem,environ,fd} of this process for same-uid processes."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def oom_kills():
    """The memory cgroup's OOM-kill counter, where /sys/fs/cgroup is visible (docker); else None."""
    for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except (OSError, ValueError):
            continue
    return None


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _place(fd, target):
    """Move `fd` to the number `target` (dup2 replaces whatever was there)."""
    if fd != target:
        os.dup2(fd, target)
        os.close(fd)


def _hold_proof_fds():
    """/dev/null at the proof fds, so nothing else of this process ever lands there."""
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (PROOF_IN, PROOF_OUT):
        if fd != null:
            os.dup2(null, fd)
    if null not in (PROOF_IN, PROOF_OUT):
        os.close(null)


def _proof_pipes(text):
    """fd PROOF_IN: a pipe holding `text`; fd PROOF_OUT: a pipe whose other end (returned, not
    inherited) this process reads after the step. The step inherits only these two."""
    read, write = os.pipe()
    os.write(write, text.encode())
    os.close(write)
    _place(read, PROOF_IN)
    back, out = os.pipe()
    _place(out, PROOF_OUT)
    os.set_blocking(back, False)
    return back


def _read_proof(back):
    try:
        data = os.read(back, 256)
    except BlockingIOError:
        data = b""
    os.close(back)
    return data.decode("utf-8", "replace")


def run_step(step, cwd, env, cap, rlimits):
    start = time.monotonic()
    proof = step.get("proof")
    back = _proof_pipes(proof) if proof else None
    try:
        proc = subprocess.Popen(step["argv"], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=_limits(rlimits),
                                pass_fds=(PROOF_IN, PROOF_OUT) if proof else ())
    except OSError as exc:  # command missing: the toolchain is not installed here
        if back is not None:
            os.close(back)
        return {"name": step["name"], "exit_code": 127, "signal": None, "timed_out": False,
                "output_exceeded": False, "stdout": "", "duration_s": 0.0,
                "stderr": f"sandbox: cannot start {step['argv'][0]}: {exc}", "not_found": True}
    finally:
        if proof:
            _hold_proof_fds()  # the program holds the only copies now
    data = (step.get("stdin") or "").encode()
    try:
        proc.stdin.write(data)
    except BrokenPipeError:
        pass
    proc.stdin.close()
    buffers = {"stdout": bytearray(), "stderr": bytearray()}
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "stdout")
    sel.register(proc.stderr, selectors.EVENT_READ, "stderr")
    deadline = start + float(step["timeout"])
    timed_out = exceeded = False
    open_streams = 2
    while open_streams:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        for key, _ in sel.select(timeout=min(left, 0.5)):
            chunk = os.read(key.fileobj.fileno(), 65536)
            if not chunk:
                sel.unregister(key.fileobj)
                open_streams -= 1
                continue
            buf = buffers[key.data]
            buf.extend(chunk[: max(0, cap + 1 - len(buf))])
            if len(buffers["stdout"]) + len(buffers["stderr"]) > cap:
                exceeded = True
        if exceeded:
            break
    _kill_group(proc) if (timed_out or exceeded) else None
    try:
        proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        proc.wait()
    _kill_group(proc)  # strays left in the group (background children) die with the step
    sel.close()
    code = proc.returncode
    result = {"name": step["name"], "exit_code": code if code >= 0 else None,
              "signal": -code if code < 0 else None, "timed_out": timed_out,
              "output_exceeded": exceeded, "duration_s": round(time.monotonic() - start, 4),
              "stdout": bytes(buffers["stdout"][:cap]).decode("utf-8", "replace"),
              "stderr": bytes(buffers["stderr"][:cap]).decode("utf-8", "replace")}
    if back is not None:
        result["proof"] = _read_proof(back)
    return result


def run_job(job):
    workdir = job["dir"]
    os.makedirs(workdir, exist_ok=True)
    for name, text in job.get("files", {}).items():
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    for name, data in job.get("binary", {}).items():
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
    for source, dest in (job.get("seed") or {}).items():
        if os.path.isdir(source) and not os.path.exists(dest):
            shutil.copytree(source, dest)  # a private copy of a warm cache (Go's GOCACHE)
    env = dict(job.get("env", {}))
    for name in ("HOME", "GOCACHE", "GOPATH", "TMPDIR"):
        if env.get(name):
            os.makedirs(env[name], exist_ok=True)
    results = []
    for step in job["steps"]:
        done = os.path.join(workdir, step.get("from_file") or "\0")
        if step.get("from_file") and os.path.exists(done):
            with open(done, encoding="utf-8") as handle:
                result = json.load(handle)
        else:
            result = run_step(step, workdir, env, int(job.get("output_bytes", 65536)),
                              job.get("rlimits", {}))
        results.append(result)
        if result["exit_code"] != 0 or result["timed_out"] or result["output_exceeded"]:
            break
    collected = {sub: _collect(os.path.join(workdir, sub)) for sub in job.get("collect", [])}
    if job.get("cleanup", True):
        shutil.rmtree(workdir, ignore_errors=True)
    if job.get("kill_strays"):
        # One program at a time per container: anything still alive is a runaway (setsid, a
        # daemonised child). kill(-1) spares pid 1 of the namespace and this process.
        try:
            os.kill(-1, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        # and nothing it wrote outside its own directory reaches the next program
        for shared in ("/tmp", "/scratch"):
            for entry in os.listdir(shared) if os.path.isdir(shared) else []:
                path = os.path.join(shared, entry)
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
    out = {"steps": results}
    if collected:
        out["collected"] = collected
    return out


def _collect(directory):
    """Every file under `directory` (a batch compile's output), base64, by relative path."""
    found = {}
    for root, _, names in os.walk(directory):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                found[os.path.relpath(path, directory)] = base64.b64encode(handle.read()).decode()
    return found


def main():
    _not_dumpable()
    _hold_proof_fds()
    if sys.argv[1:] == ["--oom-kills"]:
        sys.stdout.write(json.dumps({"oom_kills": oom_kills()}) + "\n")
        return
    job = json.loads(sys.stdin.buffer.read())
    # the first line says the job started and the OOM count then: if this process dies, the
    # host compares it with a fresh count to tell an OOM kill from a program that killed it
    sys.stdout.write(json.dumps({"started": True, "oom_kills": oom_kills()}) + "\n")
    sys.stdout.flush()
    sys.stdout.write(json.dumps(run_job(job)) + "\n")


if __name__ == "__main__":
    main()
