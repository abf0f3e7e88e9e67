"""The Ray executor's mechanics without a model: chunk planning, a replica lost mid-run (replay
replicas: no engine to load), its replacement on the next run, and CRUXEval-X scored by sandbox
pools on Ray workers giving the same records as the local sandbox."""

from __future__ import annotations

import json

import pytest

from harness import registry
from harness.cli import build_parser, default_run_dir, run_config_from_args
from harness.errors import BackendError, HarnessError
from harness.evaluate import RunConfig, evaluate
from harness.executors import make_executor
from harness.executors.ray import plan_chunks
from harness.results import load_results, load_samples

from .conftest import KillOnThirdDispatch

ray = pytest.importorskip("ray")

TASK = "cruxeval-x-output-py"


def test_chunks_interleave_prompt_lengths():
    lengths = [10, 50, 20, 40, 30, 60, 5, 15]
    chunks = plan_chunks(lengths, replicas=2, chunk_size=2)
    assert sorted(i for c in chunks for i in c) == list(range(8))
    order = sorted(range(8), key=lambda i: -lengths[i])  # 5, 1, 3, 4, 2, 7, 0, 6
    assert chunks == [[order[c], order[7 - c]] for c in range(4)]  # the k-th longest with the k-th shortest
    assert [sum(lengths[i] for i in c) for c in chunks] == [65, 60, 55, 50]  # round-robin: 80, 65, 50, 35
    # default: every replica gets work, a few chunks each, none tiny
    assert len(plan_chunks([1] * 6, replicas=2)) == 2
    assert len(plan_chunks([1] * 5000, replicas=8)) == 32
    assert plan_chunks([], replicas=2) == []


def test_executor_flags_and_run_identity():
    args = build_parser().parse_args(["run", "--model", "m", "--tasks", "math500", "--executor", "ray",
                                      "--replicas", "8", "--tensor-parallel", "2", "--ray-address", "ray://h:10001"])
    cfg = run_config_from_args(args)
    assert (cfg.executor, cfg.replicas, cfg.ray_address) == ("ray", 8, "ray://h:10001")
    assert cfg.backend_options["tensor_parallel_size"] == 2
    local = run_config_from_args(build_parser().parse_args(["run", "--model", "m", "--tasks", "math500",
                                                            "--tensor-parallel", "2"]))
    assert local.executor == "local" and local.replicas == 1
    assert default_run_dir(cfg) == default_run_dir(local)  # where it runs is not part of the run's identity
    with pytest.raises(HarnessError, match="--executor ray"):
        make_executor("local", replicas=2)


@pytest.fixture()
def crux_replay(shared_data, tmp_path):
    """Predictions for the first 8 CRUXEval-X Python output problems: the gold answer for even
    ones, a wrong one for odd ones."""
    if not (shared_data / "cruxeval-x").is_dir():
        pytest.skip("needs ../shared/data/cruxeval-x")
    from tasks.cruxeval_x.task import problem_of

    docs = registry.resolve(TASK)[0].load_docs(None)[:8]
    rows = [{"task": TASK, "doc_id": d.id,
             "outputs": [(problem_of(d).gold("output")[0] if k % 2 == 0 else "-12345") + "\n[/ANSWER]"]}
            for k, d in enumerate(docs)]
    path = tmp_path / "preds.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_replica_lost_mid_run_then_replaced_and_sandboxes_on_ray(ray_cluster, crux_replay, tmp_path, monkeypatch):
    from harness.executors.ray import RayExecutor
    from sandboxes.bwrap import bwrap_available

    if bwrap_available():
        pytest.skip(f"bwrap cannot run here: {bwrap_available()}")
    base = dict(model=f"replay:{crux_replay}", tasks=TASK, limit=8, scoring_options={"sandbox": "bwrap"})
    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache-ray"))  # programs really run, on Ray
    ex = RayExecutor(replicas=2, chunk_size=2)
    try:
        ex.load("model", base["model"], replicate=True)
        ex.on_dispatch = kill = KillOnThirdDispatch()
        with pytest.raises(BackendError) as failed:
            evaluate(RunConfig(**base, executor="ray", replicas=2), tmp_path / "ray", executor=ex, progress=False)
        ex.on_dispatch = None
        assert f"1 of 2 model replicas died (replica {kill.killed}: " in str(failed.value)
        assert "2 of 8 request(s) lost, 6 finished and stored" in str(failed.value)
        run = evaluate(RunConfig(**base, executor="ray", replicas=2), tmp_path / "ray", executor=ex, progress=False)
        assert all(r.alive for r in ex._pools["model"].replicas)  # the lost replica was replaced
    finally:
        ex.close()
    assert run.timing.generations_cached == 6 and run.timing.generations_new == 2
    assert run.provenance.sandbox["kind"] == "bwrap" and run.provenance.sandbox["ray"]["workers"] == 1

    monkeypatch.setenv("HARNESS_CACHE_DIR", str(tmp_path / "cache-local"))
    local = evaluate(RunConfig(**base), tmp_path / "local", progress=False)
    assert "ray" not in local.provenance.sandbox
    recs = load_samples(tmp_path / "ray", TASK)
    verdicts = [s["verdict"] for r in recs for s in r.record["samples"]]
    assert verdicts.count("ok") == 4 and len(verdicts) == 8, verdicts
    assert (tmp_path / "ray" / "samples" / f"{TASK}.jsonl").read_bytes() == \
        (tmp_path / "local" / "samples" / f"{TASK}.jsonl").read_bytes()
    assert load_results(tmp_path / "ray").tasks[TASK].metrics == local.tasks[TASK].metrics


def test_sandbox_worker_lost_its_programs_run_elsewhere(ray_cluster):
    from sandboxes import Program
    from sandboxes.bwrap import bwrap_available
    from sandboxes.ray_pool import RaySandbox

    if bwrap_available():
        pytest.skip(f"bwrap cannot run here: {bwrap_available()}")
    programs = [Program("py", {"main.py": f"assert {i} + 1 == {i + 1 if i % 3 else i}\n"}) for i in range(8)]
    box = RaySandbox("bwrap", workers=2, threads=1, cache=False)
    try:
        assert box.workers == 2
        ray.kill(box.actors[1])
        verdicts = box.run_many(programs)
        assert box.workers == 1
    finally:
        box.close()
    assert [v.passed for v in verdicts] == [bool(i % 3) for i in range(8)]
    assert {v.reason.value for v in verdicts} == {"ok", "runtime_error"}
