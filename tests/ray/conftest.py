"""One local Ray instance for the Ray tests, started by the tests (2 CPUs: two CPU replicas)."""

from __future__ import annotations

import os
import time

import pytest

ray = pytest.importorskip("ray", reason="the Ray tests need `ray` (pip install 'harness[ray]')")


@pytest.fixture(scope="package")
def ray_cluster() -> str:
    """A fresh local Ray instance (never a cluster found on the machine); its GCS address, so a
    `harness run --ray-address` in a subprocess joins the same one. Ray's own out-of-memory
    killer is off: on a shared test machine it would kill these workers for others' memory."""
    os.environ.setdefault("RAY_memory_monitor_refresh_ms", "0")
    ctx = ray.init(address="local", num_cpus=2, include_dashboard=False, namespace="harness",
                   log_to_driver=False)
    yield ctx.address_info["gcs_address"]
    ray.shutdown()


class KillOnThirdDispatch:
    """Kills the replica that gets the third chunk, just before it is sent: that replica has
    finished its first chunk (the run is under way) and, with 4 chunks and 2 replicas, a third
    dispatch always happens, whichever replica is faster. Replay answers in microseconds, so the
    replica is dead (not merely dying) when the chunk is sent (confirm_dead waits for that)."""

    def __init__(self, confirm_dead: bool = True):
        self.dispatched, self.killed, self.confirm_dead = 0, None, confirm_dead

    def __call__(self, ex, role, index, chunks):
        self.dispatched += 1
        if self.dispatched == 3:
            self.killed = index
            actor = ex.replica_actors(role)[index]
            ray.kill(actor)
            if self.confirm_dead:
                wait_until_dead(actor)


def wait_until_dead(actor, timeout: float = 60.0) -> None:
    """ray.kill only asks: a call sent right after it can still be answered. Ask until one fails."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            ray.get(actor.where.remote(), timeout=timeout)
        except ray.exceptions.RayActorError:
            return
        assert time.monotonic() < deadline, f"the replica still answers {timeout:.0f} s after ray.kill"
        time.sleep(0.05)
