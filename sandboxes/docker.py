"""The docker sandbox: Docker Engine through the `docker` Python SDK, with a warm pool.

Per language, up to `workers` long-lived containers (`sleep infinity`) from the language's image,
each running one job at a time through `docker exec` of sandboxes/inside.py: a fresh scratch
directory per program on the container's tmpfs, removed after it; after each program every
process left in the container is killed (kill -1 as the program's user spares only pid 1).
Containers: no network, memory = memory+swap, pids limit, CPU limit, read-only root, tmpfs
/scratch and /tmp, non-root user, all capabilities dropped, no-new-privileges.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import queue
import select
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

from harness.errors import HarnessError

from .base import Limits
from .build import image_for
from .common import JobSandbox, Session, read_result
from .judge import HELPERS, SCRATCH
from .languages import LANGUAGES, LanguageSpec

SANDBOXES_DIR = Path(__file__).resolve().parent
LABEL = "org.harness.sandbox"


def docker_client(timeout: int = 600):
    """A client for the local engine, or a HarnessError saying why there is none."""
    try:
        import docker
    except ImportError as exc:
        raise HarnessError("the docker Python SDK is not installed", "pip install docker") from exc
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
        return client
    except Exception as exc:
        raise HarnessError(f"no Docker Engine reachable ({type(exc).__name__})",
                           "start dockerd (see .ci/setup-sandboxes.sh) or use --kind bwrap") from exc


def engine_reachable() -> bool:
    try:
        docker_client(timeout=5)
        return True
    except HarnessError:
        return False


def _exchange(sock, payload: bytes, timeout: float) -> tuple[str, str, bool]:
    """Send the job on the exec's stdin, close it, read the multiplexed stdout/stderr frames until
    EOF; (stdout, stderr, True when the timeout passed first)."""
    raw = getattr(sock, "_sock", sock)
    raw.sendall(payload)
    raw.shutdown(socket.SHUT_WR)
    deadline = time.monotonic() + timeout
    pending, streams = bytearray(), {1: bytearray(), 2: bytearray()}
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        if not select.select([raw], [], [], min(left, 5.0))[0]:
            continue
        chunk = raw.recv(1 << 16)
        if not chunk:
            break
        pending += chunk
        while len(pending) >= 8:  # frame: stream id, 3 zero bytes, 4-byte big-endian size
            size = int.from_bytes(pending[4:8], "big")
            if len(pending) < 8 + size:
                break
            streams.get(pending[0], streams[2]).extend(pending[8:8 + size])
            del pending[:8 + size]
    with contextlib.suppress(OSError):
        raw.close()
    return (streams[1].decode("utf-8", "replace"), streams[2].decode("utf-8", "replace"), timed_out)


class ContainerSession(Session):
    with_data_limit = False   # the container's memory cgroup is the fence
    kill_strays = True

    def __init__(self, container, spec: LanguageSpec):
        self.container = container
        self.spec = spec
        self.has_pch = spec.key == "cpp"
        self.broken = False  # the runner died mid-job: strays and files may be left; retire it

    def _runner(self, *args: str, payload: bytes = b"", timeout: float = 60) -> tuple[str, str, bool]:
        """inside.py in the container as the sandbox user, the job on its stdin (never argv)."""
        api = self.container.client.api
        exec_id = api.exec_create(self.container.id, ["python3", "-I", f"{HELPERS}/inside.py", *args],
                                  stdin=True, user="runner", workdir="/")["Id"]
        return _exchange(api.exec_start(exec_id, socket=True), payload, timeout)

    def execute(self, job: dict[str, Any], spec: LanguageSpec) -> tuple[dict[str, Any], dict[str, Any]]:
        hard_timeout = sum(float(s.get("timeout", 0)) for s in job["steps"]) + 30
        out, err, stopped = self._runner(payload=json.dumps(job).encode(), timeout=hard_timeout)
        flags = {"oom_killed": False, "pids_exhausted": False}
        if '"steps"' not in out:  # no result: the runner died; was it the memory cgroup?
            self.broken = True
            flags["oom_killed"] = not stopped and _oom_kills_since(out, self._runner("--oom-kills")[0])
        return read_result(out, err, flags, stopped)


def _oom_kills_since(started: str, now: str) -> bool:
    """True when the container's OOM-kill count grew since the job's first line."""
    def count(text: str) -> int | None:
        for line in text.splitlines():
            with contextlib.suppress(ValueError, AttributeError):
                return json.loads(line).get("oom_kills")
        return None
    before, after = count(started), count(now)
    return before is not None and after is not None and after > before


class DockerSandbox(JobSandbox):
    kind = "docker"

    def __init__(self, limits: Limits | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.client = docker_client()
        self.limits = limits or Limits()
        self._pools: dict[tuple, queue.LifoQueue] = {}
        self._created: dict[tuple, list] = {}
        self._lock = threading.Lock()
        remove_orphans(self.client)
        atexit.register(self.close)

    # -- pool ------------------------------------------------------------------------------
    def _new_container(self, language: str, lim: Limits):
        import docker
        spec = LANGUAGES[language]
        image = image_for(language)
        try:
            self.client.images.get(image)
        except docker.errors.ImageNotFound:
            raise HarnessError(f"docker image {image} for {spec.name} is missing",
                               f"run: harness sandbox build --languages {language}") from None
        memory = f"{lim.memory_mb}m"
        return self.client.containers.run(
            image, ["sleep", "infinity"], detach=True,
            auto_remove=True,  # stopping it is enough: the engine deletes its layer later
            name=f"harness-sbx-{language}-{uuid.uuid4().hex[:8]}",
            labels={LABEL: "1", f"{LABEL}.pid": str(os.getpid()),
                    f"{LABEL}.host": socket.gethostname()},
            user="runner", working_dir="/",
            network_mode="none", network_disabled=True,
            mem_limit=memory, memswap_limit=memory,
            pids_limit=lim.pids, nano_cpus=int(lim.cpus * 1e9),
            read_only=True, cap_drop=["ALL"], security_opt=["no-new-privileges"],
            tmpfs={SCRATCH: f"rw,exec,nosuid,size={lim.scratch_mb}m,uid=1000,gid=1000,mode=700",
                   "/tmp": "rw,exec,nosuid,size=256m,uid=1000,gid=1000,mode=1777"},
            volumes={str(SANDBOXES_DIR): {"bind": HELPERS, "mode": "ro"}},
            environment={"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TZ": "UTC"},
            ulimits=[docker.types.Ulimit(name="core", soft=0, hard=0)],
        )

    @staticmethod
    def _pool_key(language: str, limits: Limits) -> tuple:
        # containers carry the limits: programs with other limits get other containers
        return (language, limits.memory_mb, limits.pids, limits.cpus, limits.scratch_mb)

    def _pool(self, key: tuple) -> queue.LifoQueue:
        with self._lock:
            if key not in self._pools:
                self._pools[key] = queue.LifoQueue()
                self._created[key] = []
            return self._pools[key]

    @contextlib.contextmanager
    def session(self, language: str, limits: Limits | None = None) -> Iterator[Session]:
        limits = limits or self.limits
        key = self._pool_key(language, limits)
        pool = self._pool(key)
        try:
            container = pool.get_nowait()
        except queue.Empty:
            container = self._new_container(language, limits)
            with self._lock:
                self._created[key].append(container)
        healthy = True
        session = ContainerSession(container, LANGUAGES[language])
        try:
            yield session
        except Exception:
            healthy = False
            raise
        finally:
            if healthy and not session.broken and self._alive(container):
                pool.put(container)
            else:
                self._remove(container)

    def _alive(self, container) -> bool:
        try:
            container.reload()
            return container.status == "running"
        except Exception:
            return False

    def _remove(self, container) -> None:
        # kill, not remove: removal can take long (vfs copies); auto_remove deletes it afterwards
        with contextlib.suppress(Exception):
            container.kill()

    def start(self, languages: list[str]) -> None:
        """Containers are made on first use, so a run over many languages keeps warm only what
        it uses; a language without its image gets sandbox_error verdicts saying so."""

    def warm(self, languages: list[str]) -> None:
        """Make `workers` containers per language now (default limits), e.g. before timing."""
        for language in languages:
            key = self._pool_key(language, self.limits)
            pool = self._pool(key)
            while len(self._created[key]) < self.workers:
                container = self._new_container(language, self.limits)
                self._created[key].append(container)
                pool.put(container)

    def close(self) -> None:
        with self._lock:
            containers = [c for cs in self._created.values() for c in cs]
            self._pools.clear()
            self._created.clear()
        if containers:
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(self._remove, containers))

    # -- provenance ------------------------------------------------------------------------
    @functools.lru_cache(maxsize=None)
    def image_digest(self, language: str) -> str:
        try:
            return self.client.images.get(image_for(language)).id
        except Exception:
            return "missing"

    def missing(self, spec: LanguageSpec) -> str:
        fix = (f"it starts from the official '{spec.official_image}', which needs a registry"
               if spec.official_image else f"run: harness sandbox build --languages {spec.key}")
        return f"no {spec.name} image ({fix})"

    def toolchain(self, language: str) -> str:
        """The image digest: it pins every toolchain version in the image (the cache key)."""
        return self.image_digest(language)

    @functools.lru_cache(maxsize=None)
    def toolchain_version(self, language: str) -> str:
        """`--version` of the language's toolchain, run in a pooled container."""
        spec = LANGUAGES[language]
        if self.image_digest(language) == "missing" or not spec.version_command:
            return "missing"
        try:
            with self.session(language) as session:
                result = session.container.exec_run(list(spec.version_command), user="runner")
            lines = [l for l in result.output.decode("utf-8", "replace").splitlines()
                     if l.strip() and "Picked up" not in l]
            return lines[0].strip() if lines else "unknown"
        except Exception as exc:
            return f"unavailable ({type(exc).__name__})"

    def describe(self) -> dict[str, Any]:
        info = self.client.version()
        return {"kind": self.kind, "engine": info.get("Version"),
                "images": {k: {"image": image_for(k), "digest": self.image_digest(k),
                               "toolchain": self.toolchain_version(k)} for k in self._used()}}

    def _used(self) -> list[str]:
        """Languages this sandbox ran (all available ones when it ran none yet)."""
        used = sorted({key[0] for key in self._created})
        return used or [k for k in LANGUAGES if self.image_digest(k) != "missing"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def remove_orphans(client) -> None:
    """Remove sandbox containers whose creating process (on this host) is gone: a killed run."""
    host = socket.gethostname()
    # the low-level list: no inspect per container, which fails on one removed meanwhile
    # (auto_remove deletes killed containers while another run lists them)
    for found in client.api.containers(all=True, filters={"label": LABEL}):
        labels = found.get("Labels") or {}
        pid = labels.get(f"{LABEL}.pid", "")
        if labels.get(f"{LABEL}.host") == host and pid.isdigit() and not _pid_alive(int(pid)):
            with contextlib.suppress(Exception):
                if found.get("State") == "running":
                    client.api.kill(found["Id"])
                else:
                    client.api.remove_container(found["Id"], force=True)


def remove_stale_containers() -> int:
    """Remove sandbox containers left by a killed run."""
    client = docker_client()
    stale = client.containers.list(all=True, filters={"label": LABEL})
    for container in stale:
        with contextlib.suppress(Exception):
            container.remove(force=True)
    return len(stale)
