"""The program runner that executes INSIDE a sandbox (a docker container or a bwrap namespace).

Standard library only (it runs under the image's python3). Reads one job as JSON (argv[1] as
base64, or stdin), writes the files into a fresh scratch directory, runs the steps (compile, run)
each in a new session with rlimits, a wall-clock timeout that kills the whole process group, and
an output cap; prints one JSON result line. The host turns the raw result into a Verdict.

Job: {"dir", "files": {name: text}, "steps": [{"name", "argv", "timeout", "stdin"?, "from_file"?}],
      "env", "output_bytes", "rlimits": {"cpu", "fsize", "data", "nproc", "nofile"},
      "cleanup": bool, "kill_strays": bool, "keep": [dirs under /scratch to keep],
      "seed": {read-only dir: copy it here first}}
kill_strays (docker: one program at a time per container) also empties /tmp and /scratch.
A step with "from_file" is not run when that file exists: a batched compile wrote its result there.
"""

import base64
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


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def run_step(step, cwd, env, cap, rlimits):
    start = time.monotonic()
    try:
        proc = subprocess.Popen(step["argv"], cwd=cwd, env=env, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, preexec_fn=_limits(rlimits))
    except OSError as exc:  # command missing: the toolchain is not installed here
        return {"name": step["name"], "exit_code": 127, "signal": None, "timed_out": False,
                "output_exceeded": False, "stdout": "", "duration_s": 0.0,
                "stderr": f"sandbox: cannot start {step['argv'][0]}: {exc}", "not_found": True}
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
    return {"name": step["name"], "exit_code": code if code >= 0 else None,
            "signal": -code if code < 0 else None, "timed_out": timed_out,
            "output_exceeded": exceeded, "duration_s": round(time.monotonic() - start, 4),
            "stdout": bytes(buffers["stdout"][:cap]).decode("utf-8", "replace"),
            "stderr": bytes(buffers["stderr"][:cap]).decode("utf-8", "replace")}


def run_job(job):
    workdir = job["dir"]
    os.makedirs(workdir, exist_ok=True)
    for name, text in job.get("files", {}).items():
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
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
        keep = set(job.get("keep", []))
        for shared in ("/tmp", "/scratch"):
            for entry in os.listdir(shared) if os.path.isdir(shared) else []:
                path = os.path.join(shared, entry)
                if path in keep:
                    continue
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
    return {"steps": results}


def main():
    raw = base64.b64decode(sys.argv[1]) if len(sys.argv) > 1 else sys.stdin.buffer.read()
    sys.stdout.write(json.dumps(run_job(json.loads(raw))) + "\n")


if __name__ == "__main__":
    main()
