"""One local Ray instance for the Ray tests, started by the tests (2 CPUs: two CPU replicas)."""

from __future__ import annotations

import os

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
