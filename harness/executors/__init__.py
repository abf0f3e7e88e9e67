"""Executors: where generation (and, for `ray`, sandbox scoring) runs. See base.py."""

from __future__ import annotations

from harness.errors import HarnessError
from harness.executors.base import EXECUTORS, Executor
from harness.executors.local import LocalExecutor

__all__ = ["EXECUTORS", "Executor", "LocalExecutor", "make_executor"]


def make_executor(name: str | None = "local", *, replicas: int | None = None,
                  tensor_parallel: int | None = None, address: str | None = None) -> Executor:
    """An executor by name; `ray` is imported only when asked for."""
    name = name or "local"
    if name == "local":
        if (replicas or 1) > 1:
            raise HarnessError(f"--replicas {replicas} needs a distributed executor", "add --executor ray")
        if address:
            raise HarnessError("--ray-address needs --executor ray")
        return LocalExecutor()
    if name == "ray":
        from harness.executors.ray import RayExecutor

        return RayExecutor(replicas=replicas or 1, tensor_parallel=tensor_parallel or 1, address=address)
    raise HarnessError(f"unknown executor '{name}'", f"use one of: {', '.join(EXECUTORS)}")
