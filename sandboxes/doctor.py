"""The sandboxes' section of `harness doctor`: which kinds can run programs here."""

from __future__ import annotations

from harness.errors import HarnessError

FIX = "bash .ci/setup-sandboxes.sh (installs docker.io and bubblewrap, starts dockerd)"


def doctor_lines(missing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    lines = []
    try:
        from sandboxes.docker import docker_client

        client = docker_client(timeout=5)
        lines.append(("docker", f"available (Docker Engine {client.version().get('Version', '?')})"))
    except HarnessError as e:
        lines.append(("docker", f"not available: {e.problem}"))
    except ImportError as e:
        lines.append(("docker", f"not available: {e}"))
    try:
        from sandboxes.bwrap import bwrap_available

        problem = bwrap_available()
    except (ImportError, OSError) as e:
        problem = str(e)
    lines.append(("bwrap", "available" if problem is None else f"not available: {problem}"))
    if all("not available" in v for _, v in lines):
        missing.append(("a sandbox (code-execution tasks: cruxeval, cruxeval-x)", FIX))
    return lines
