"""Joining a Ray cluster, shared by the Ray executor (model replicas, harness/executors/ray.py)
and the Ray sandbox pool (sandboxes/ray_pool.py). Ray is imported only when asked for."""

from __future__ import annotations

import os
from pathlib import Path

from harness.errors import HarnessError

#: driver environment passed on to the actors (vLLM's CPU settings, offline flags, cache dirs)
FORWARD_PREFIXES = ("VLLM_", "HF_", "HUGGING_FACE_", "TRANSFORMERS_", "TOKENIZERS_", "HARNESS_")
FORWARD_NAMES = ("XDG_CACHE_HOME",)
NAMESPACE = "harness"
REPO_ROOT = Path(__file__).resolve().parents[1]


def import_ray():
    try:
        import ray
    except ImportError:
        raise HarnessError("--executor ray needs the `ray` package",
                           "pip install 'harness[ray]' (or pip install ray)") from None
    return ray


def connect(address: str | None) -> bool:
    """Join the cluster at `address` (ray://HEAD:10001, HEAD:6379, auto), or start a local Ray
    instance when None. Nothing happens when this process is already connected. True when this
    call connected (the caller then disconnects when done)."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    try:
        ray.init(address=address or None, namespace=NAMESPACE, include_dashboard=False,
                 log_to_driver=bool(os.environ.get("HARNESS_RAY_LOGS")), logging_level="WARNING",
                 configure_logging=True)
    except Exception as e:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise HarnessError(f"could not connect to {where}: {type(e).__name__}: {error_line(e)}",
                           "check --ray-address (ray://HEAD:10001 or HEAD:6379), or leave it out "
                           "to start a local instance") from None
    return True


def forwarded_env(address: str | None = None) -> dict[str, str]:
    """Environment the actors need: the driver's vLLM/HF/harness settings, and, on a cluster this
    machine runs, where to import harness from."""
    env = {k: v for k, v in os.environ.items()
           if k.startswith(FORWARD_PREFIXES) or k in FORWARD_NAMES}
    if not (address or "").startswith("ray://"):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p)
    return env


def error_line(e: BaseException) -> str:
    cause = getattr(e, "cause", None)  # RayTaskError: the exception raised in the actor
    if isinstance(cause, BaseException) and cause is not e:
        return f"{type(cause).__name__}: {error_line(cause)}"
    text = str(e).strip()
    return text.splitlines()[0][:300] if text else type(e).__name__
