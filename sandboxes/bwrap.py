"""The bubblewrap sandbox: host toolchains, no daemon.

Each job runs as `bwrap` under an unprivileged uid (nobody) in fresh user, pid, net, ipc, uts and
cgroup namespaces: no network, /usr and /etc read-only, no host home or /tmp, a size-capped tmpfs
scratch directory of its own, a per-program cgroup for memory (= memory+swap) and pids, and rlimits
for CPU time and file size. The timeout kills the whole tree: inside.py kills the step's process
group, and the host kills bwrap's process group as a backstop; when bwrap's pid-namespace init dies
the kernel kills every process left in the namespace (--die-with-parent, --unshare-pid).

Secrets: the launcher (sh, setpriv, bwrap) starts with LAUNCH_ENV only, never this process's
environment, so bwrap's init, the one host-side process a program sees in its /proc, carries no
API key or token; the job goes to inside.py on stdin, never on a command line.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any, Iterator

from harness.errors import HarnessError

from .base import Limits
from .batching import PCH_DIR, PCH_FLAGS
from .cgroups import ProgramCgroup
from .common import JobSandbox, Session, read_result
from .judge import GO_SEED, HELPERS, SCRATCH
from .languages import BASE_ENV, LANGUAGES, LanguageSpec

SANDBOXES_DIR = Path(__file__).resolve().parent
STATE_DIR = Path(os.environ.get("HARNESS_BWRAP_DIR", "/var/tmp/harness-bwrap"))
NOBODY = 65534
LAUNCH_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


@functools.lru_cache(maxsize=1)
def helpers_dir() -> Path:
    """inside.py and helpers/ copied where the unprivileged sandbox user can read them: bwrap
    resolves bind sources as that user, and a checkout under /root (mode 700) is unreadable."""
    files = [SANDBOXES_DIR / "inside.py",
             *sorted(f for f in (SANDBOXES_DIR / "helpers").iterdir() if f.is_file())]
    digest = hashlib.sha256(b"".join(f.name.encode() + f.read_bytes() for f in files)).hexdigest()
    target = STATE_DIR / f"helpers-{digest[:16]}"
    if not (target / "inside.py").is_file():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        os.chmod(STATE_DIR, 0o755)
        staging = Path(tempfile.mkdtemp(prefix="helpers-", dir=STATE_DIR))
        (staging / "helpers").mkdir()
        for f in files:
            shutil.copy(f, staging / ("inside.py" if f.name == "inside.py" else f"helpers/{f.name}"))
        for path in [staging, *staging.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        try:
            staging.rename(target)
        except OSError:  # another process got there first
            shutil.rmtree(staging, ignore_errors=True)
    return target


def bwrap_available() -> str | None:
    """None when bwrap can create its namespaces here, else the reason it cannot."""
    if not shutil.which("bwrap"):
        return "bubblewrap is not installed (apt-get install bubblewrap)"
    probe = _bwrap_argv(scratch_mb=8) + ["true"]
    result = subprocess.run(_as_nobody(probe), capture_output=True, text=True, env=LAUNCH_ENV)
    if result.returncode != 0:
        return f"bwrap cannot create namespaces: {result.stderr.strip()[:200]}"
    return None


def _as_nobody(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def _bwrap_argv(scratch_mb: int) -> list[str]:
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc",
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(256 * 2**20), "--tmpfs", "/tmp",
            "--ro-bind", str(helpers_dir()), HELPERS]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            argv += ["--symlink", os.readlink(path), f"/{name}"]
        elif path.is_dir():
            argv += ["--ro-bind", str(path), f"/{name}"]
    pch = STATE_DIR / "pch"
    if (pch / "bits" / "stdc++.h").is_symlink():
        argv += ["--ro-bind", str(pch), PCH_DIR]
    if (STATE_DIR / "gocache-seed").is_dir():
        argv += ["--ro-bind", str(STATE_DIR / "gocache-seed"), GO_SEED]
    argv += ["--size", str(scratch_mb * 2**20), "--tmpfs", SCRATCH]
    return argv + ["--chdir", "/", "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--"]


class BwrapSession(Session):
    def __init__(self, sandbox: "BwrapSandbox"):
        self.sandbox = sandbox
        self.with_data_limit = not sandbox.cgroups
        self.has_pch = (STATE_DIR / "pch" / "bits" / "stdc++.h").is_symlink()

    def execute(self, job: dict[str, Any], spec: LanguageSpec) -> tuple[dict[str, Any], dict[str, bool]]:
        limits: Limits = self.sandbox.limits_for(job)
        group = ProgramCgroup.create(limits.memory_mb, limits.pids) if self.sandbox.cgroups else None
        argv = _bwrap_argv(limits.scratch_mb)
        argv = _as_nobody(argv + ["python3", "-I", f"{HELPERS}/inside.py"])
        if group is not None:
            enter = "; ".join(f"echo $$ > {f}" for f in group.procs_files)
            argv = ["sh", "-c", f'{enter}; exec "$@"', "sh", *argv]
        hard_timeout = sum(float(s.get("timeout", 0)) for s in job["steps"]) + 30
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True, env=LAUNCH_ENV)
        stopped = False
        try:
            out, err = proc.communicate(json.dumps(job).encode(), timeout=hard_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            stopped = True
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        flags = {"oom_killed": bool(group and group.oom_killed()),
                 "pids_exhausted": bool(group and group.pids_exhausted())}
        if group is not None:
            group.destroy()
        return read_result(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
                           flags, stopped)


class BwrapSandbox(JobSandbox):
    kind = "bwrap"

    def __init__(self, limits: Limits | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        problem = bwrap_available()
        if problem:
            raise HarnessError(f"the bwrap sandbox cannot run: {problem}",
                               "install bubblewrap and allow unprivileged user namespaces")
        probe = ProgramCgroup.create(64, 16)
        self.cgroups = probe is not None
        if probe is not None:
            probe.destroy()
        self.default_limits = limits or Limits()
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        os.chmod(STATE_DIR, 0o755)

    def limits_for(self, job: dict[str, Any]) -> Limits:
        given = job.get("sandbox") or {}
        return Limits(**{**{k: getattr(self.default_limits, k) for k in
                            ("memory_mb", "pids", "cpus", "scratch_mb")}, **given})

    def start(self, languages: list[str]) -> None:
        if "cpp" in languages:
            self.ensure_pch()
        if "go" in languages:
            self.ensure_go_seed()

    def ensure_pch(self) -> None:
        """Precompile <bits/stdc++.h> with the exact C++ flags, once (see batching.py)."""
        target = STATE_DIR / "pch" / "bits" / "stdc++.h.gch"
        if (target.exists() and target.with_suffix("").is_symlink()) or not shutil.which("g++"):
            return
        probe = subprocess.run(["g++", *PCH_FLAGS, "-x", "c++", "-E", "-H", "-"], input="#include <bits/stdc++.h>\n",
                               capture_output=True, text=True)
        header = next((l.split(" ", 1)[1] for l in probe.stderr.splitlines() if l.startswith(". ")), None)
        if not header:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{uuid.uuid4().hex[:6]}")
        if subprocess.run(["g++", *PCH_FLAGS, "-x", "c++-header", header, "-o", str(tmp)],
                          capture_output=True).returncode == 0:
            os.replace(tmp, target)
            # the program's own `#include <bits/stdc++.h>` finds this directory first (-I): it
            # must find the real header beside the PCH (every sub-header is already guarded)
            with contextlib.suppress(FileNotFoundError):
                target.with_suffix("").unlink()
            target.with_suffix("").symlink_to(header)
            for path in (STATE_DIR / "pch", target.parent):
                os.chmod(path, 0o755)
            os.chmod(target, 0o644)

    def ensure_go_seed(self) -> None:
        """Seed a Go build cache with the standard packages, once (see judge.GO_SEED)."""
        seed = STATE_DIR / "gocache-seed"
        if seed.is_dir() or not shutil.which("go"):
            return
        with tempfile.TemporaryDirectory(dir=STATE_DIR) as tmp:
            shutil.copy(SANDBOXES_DIR / "helpers" / "go_warmup_test.go", tmp)
            cache = Path(tmp) / "cache"
            env = {**os.environ, "GOCACHE": str(cache), "GOPATH": f"{tmp}/gopath",
                   "GOFLAGS": "-count=1", "CGO_ENABLED": "0"}
            if subprocess.run(["go", "test", "go_warmup_test.go"], cwd=tmp, env=env,
                              capture_output=True).returncode == 0:
                subprocess.run(["chmod", "-R", "a+rX", str(cache)], check=True)
                with contextlib.suppress(OSError):
                    cache.rename(seed)

    @contextlib.contextmanager
    def session(self, language: str, limits: Limits | None = None) -> Iterator[Session]:
        if language == "cpp":
            self.ensure_pch()
        if language == "go":
            self.ensure_go_seed()
        yield BwrapSession(self)

    def missing(self, spec: LanguageSpec) -> str:
        fix = (f"no Debian package: install it on the host, or use --kind docker where the official "
               f"'{spec.official_image}' can be pulled" if spec.official_image
               else f"install the Debian packages {' '.join(spec.debian_packages)}")
        return f"no {spec.name} toolchain on this host ({fix})"

    @functools.lru_cache(maxsize=None)
    def toolchain(self, language: str) -> str:
        # on the sandbox's PATH, not this process's: a host's rustup or pyenv is not what runs
        spec = LANGUAGES[language]
        exe = spec.version_command and shutil.which(spec.version_command[0], path=BASE_ENV["PATH"])
        if not exe:
            return "missing"
        result = subprocess.run([exe, *spec.version_command[1:]], capture_output=True, text=True, timeout=60,
                                env={**os.environ, "PATH": BASE_ENV["PATH"]})
        text = (result.stdout + result.stderr).strip()
        lines = [l for l in text.splitlines() if l.strip() and "Picked up" not in l]
        return lines[0].strip() if lines else "unknown"

    def describe(self) -> dict[str, Any]:
        return {"kind": self.kind, "bwrap": _first_line(["bwrap", "--version"]),
                "cgroups": self.cgroups,
                "toolchains": {k: self.toolchain(k) for k in LANGUAGES}}


def _first_line(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"
