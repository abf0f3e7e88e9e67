"""This process's cgroups, as /proc/self/cgroup lists them (read by the engine settings, for the
CPU quota and memory limit, and by the bwrap sandbox, to nest a program's cgroup in its own)."""

from __future__ import annotations

from pathlib import Path


def own_cgroups() -> list[tuple[tuple[str, ...], str]]:
    """(controllers, path) per hierarchy; cgroup v2's unified one has no controllers: ("",)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return []
    out = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        out.append((tuple(controllers.split(",")), path))
    return out
