"""Per-program cgroups (memory, pids) for the bwrap sandbox, cgroup v1 or v2; None when not writable.

The cgroup is the real fence: RLIMIT_AS/DATA break runtimes that reserve address space (JVM,
Go, mono), and RLIMIT_NPROC counts every process of the user on the machine.
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from harness.cgroups import own_cgroups

ROOT = Path("/sys/fs/cgroup")


def _own_path(controller: str) -> str | None:
    for controllers, path in own_cgroups():
        if controller in controllers:  # "" finds v2's unified hierarchy
            return path
    return None


def _counter(path: Path, name: str) -> int:
    try:
        match = re.search(rf"^{name} (\d+)", path.read_text(), re.M)
    except OSError:
        return 0
    return int(match.group(1)) if match else 0


class ProgramCgroup:
    """Create with `ProgramCgroup.create(memory_mb, pids)`; `procs_files` get the program's pid."""

    def __init__(self, dirs: dict[str, Path], v2: bool):
        self.dirs = dirs
        self.v2 = v2

    @classmethod
    def create(cls, memory_mb: int, pids: int) -> "ProgramCgroup | None":
        name = f"harness-sbx-{uuid.uuid4().hex[:12]}"
        v2 = not (ROOT / "memory").is_dir() and (ROOT / "cgroup.controllers").exists()
        dirs: dict[str, Path] = {}
        try:
            if v2:
                own = _own_path("") or "/"
                dirs["unified"] = ROOT / own.lstrip("/") / name
                dirs["unified"].mkdir()
                (dirs["unified"] / "memory.max").write_text(str(memory_mb * 2**20))
                _try_write(dirs["unified"] / "memory.swap.max", "0")
                (dirs["unified"] / "pids.max").write_text(str(pids))
            else:
                for controller in ("memory", "pids"):
                    own = _own_path(controller)
                    if own is None:
                        raise OSError(f"no {controller} cgroup")
                    dirs[controller] = ROOT / controller / own.lstrip("/") / name
                    dirs[controller].mkdir()
                (dirs["memory"] / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
                _try_write(dirs["memory"] / "memory.memsw.limit_in_bytes", str(memory_mb * 2**20))
                (dirs["pids"] / "pids.max").write_text(str(pids))
        except OSError:
            cls(dirs, v2).destroy()
            return None
        return cls(dirs, v2)

    @property
    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs.values()]

    def oom_killed(self) -> bool:
        if self.v2:
            return _counter(self.dirs["unified"] / "memory.events", "oom_kill") > 0
        return _counter(self.dirs["memory"] / "memory.oom_control", "oom_kill") > 0

    def pids_exhausted(self) -> bool:
        key = "unified" if self.v2 else "pids"
        return _counter(self.dirs[key] / "pids.events", "max") > 0

    def destroy(self) -> None:
        for directory in self.dirs.values():
            try:
                os.rmdir(directory)
            except OSError:
                pass


def _try_write(path: Path, value: str) -> None:
    try:
        path.write_text(value)
    except OSError:
        pass


def available() -> bool:
    group = ProgramCgroup.create(64, 16)
    if group is None:
        return False
    group.destroy()
    return True
