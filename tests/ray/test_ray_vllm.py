"""The Ray executor with the real SmolLM2-135M on two vLLM CPU replicas, in-process: the same
per-sample records as the local engine; a replica killed mid-run loses only its requests in
flight, is reported in one line, and a re-run completes the rest from the store. (Replacing a
lost replica is tested without a model in test_ray_executor.py, through the CLI in
test_ray_cli.py.)"""

from __future__ import annotations

import pytest

from harness.errors import BackendError
from harness.evaluate import RunConfig, evaluate
from harness.results import load_results
from harness.store import SampleStore

from .conftest import KillOnThirdDispatch

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

BASE = dict(model="vllm:smollm2-135m-instruct", tasks="math500", max_tokens=48,
            backend_options={"dtype": "float32"})


@pytest.fixture(scope="module")
def replicas(ray_cluster, smollm2_path):
    """Two vLLM replicas (float32, like the session's local engine), 1 GiB of KV cache each."""
    from harness.executors.ray import RayExecutor

    ex = RayExecutor(replicas=2, env={"VLLM_CPU_KVCACHE_SPACE": "1"})
    ex.load("model", BASE["model"], None, BASE["backend_options"])
    yield ex
    ex.close()


def _records(run_dir, task="math500"):
    return (run_dir / "samples" / f"{task}.jsonl").read_bytes()


def _replicas_used(run_dir) -> set:
    store = SampleStore(run_dir / "store")
    try:
        return {r["generation"]["meta"].get("replica") for r in store.records("generation")}
    finally:
        store.close()


def test_two_replicas_give_the_local_records(vllm_backend, replicas, tmp_path):
    cfg = RunConfig(**BASE, limit=6)
    evaluate(cfg, tmp_path / "local", backends={"model": vllm_backend}, progress=False)
    run = evaluate(RunConfig(**BASE, limit=6, executor="ray", replicas=2), tmp_path / "ray",
                   executor=replicas, progress=False)
    assert _records(tmp_path / "ray") == _records(tmp_path / "local")
    local = load_results(tmp_path / "local").model  # same engine, same store identity
    assert run.model.model_dump(exclude={"settings"}) == local.model_dump(exclude={"settings"})
    assert run.model.settings["dtype"] == local.settings["dtype"] == "float32"
    # how each engine ran (threads on its slice of cores, KV cache) is recorded, per engine
    assert 1 <= run.model.settings["engine"]["threads"] <= local.settings["engine"]["threads"]
    assert _replicas_used(tmp_path / "ray") == {0, 1}
    ex = run.provenance.executor
    assert ex["name"] == "ray" and ex["replicas"] == 2
    placement = ex["roles"]["model"]["placement"]
    assert sorted(tuple(p["cpus"]) for p in placement) == [(0,), (1,)] or all("cpus" not in p for p in placement)


def test_replica_killed_mid_run_loses_only_its_chunk_then_rerun(vllm_backend, replicas, tmp_path):
    cfg = RunConfig(**BASE, limit=8, executor="ray", replicas=2)
    replicas.chunk_size = 2  # 4 chunks of 2, so a third dispatch always happens
    # the third chunk goes to the replica that finished its first one first (whichever it is)
    replicas.on_dispatch = kill = KillOnThirdDispatch(confirm_dead=False)
    replicas.replace_lost = False  # the re-run below goes on with the survivor (no third engine load)
    try:
        with pytest.raises(BackendError) as failed:
            evaluate(cfg, tmp_path / "ray", executor=replicas, progress=False)
    finally:
        replicas.on_dispatch = None
    message = str(failed.value)
    assert "\n" not in message
    assert f"1 of 2 model replicas died (replica {kill.killed}: " in message
    assert "2 of 8 request(s) lost, 6 finished and stored" in message
    assert "run the same command again" in message
    assert len(_replicas_used(tmp_path / "ray")) == 2 and not (tmp_path / "ray" / "results.json").exists()

    try:  # the same run again: only the lost two are generated
        run = evaluate(cfg, tmp_path / "ray", executor=replicas, progress=False)
    finally:
        replicas.chunk_size, replicas.replace_lost = None, True
    assert run.timing.generations_cached == 6 and run.timing.generations_new == 2
    evaluate(RunConfig(**BASE, limit=8), tmp_path / "local", backends={"model": vllm_backend}, progress=False)
    assert _records(tmp_path / "ray") == _records(tmp_path / "local")
