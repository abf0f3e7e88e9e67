"""`harness run --executor ray` end to end through the command line, on the test's Ray instance:
two transformers replicas of the real SmolLM2-135M (cheap to load); one is killed mid-run from
outside, the run ends with a one-line report and a non-zero exit, the same command completes
the rest, and the per-sample records equal those of `--executor local`, byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness.evaluate import RunConfig, evaluate
from harness.results import load_results

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow

N_DOCS, MAX_TOKENS = 6, 16
RUN = ["run", "--model", "hf:smollm2-135m-instruct", "--batch-size", "1", "--dtype", "float32", "--tasks", "math500",
       "--limit", str(N_DOCS), "--max-tokens", str(MAX_TOKENS), "--no-progress"]


def _cmd(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "harness.cli", *RUN, "--output", str(out), *extra]


def _stored(run_dir: Path) -> list[dict]:
    path = run_dir / "store" / "generations.jsonl"
    if not path.exists():
        return []
    return [json.loads(json.loads(line)["body"]) for line in path.read_text().splitlines() if line.strip()]


def _replica_actor(index: int):
    names = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
             if a["name"].startswith(f"harness-model-{index}-")]
    return ray.get_actor(names[0], namespace="harness") if names else None


def test_cli_replica_killed_mid_run_then_rerun_completes(ray_cluster, hf_backend, tmp_path):
    run_dir = tmp_path / "ray"
    cmd = _cmd(run_dir, "--executor", "ray", "--replicas", "2", "--ray-address", ray_cluster)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 900
    while len(_stored(run_dir)) < 2 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    victim = _replica_actor(1)
    assert proc.poll() is None and victim is not None, "the run ended before a replica could be killed"
    ray.kill(victim)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 2, (out[-1000:], err[-2000:])
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err[-2000:]
    done = len(_stored(run_dir))
    assert "1 of 2 model replicas died (replica 1: " in errors[0]
    assert f"{N_DOCS - done} of {N_DOCS} request(s) lost, {done} finished and stored" in errors[0]
    assert "run the same command again" in errors[0]
    assert 2 <= done < N_DOCS and not (run_dir / "results.json").exists()

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-2000:]
    run = load_results(run_dir)
    assert run.timing.generations_cached == done and run.timing.generations_new == N_DOCS - done
    assert run.provenance.executor["name"] == "ray" and run.provenance.executor["replicas"] == 2
    assert {g["generation"]["meta"]["replica"] for g in _stored(run_dir)} <= {0, 1}

    # the records equal those of the local executor (what `--executor local` runs), byte for byte
    cfg = RunConfig(model="hf:smollm2-135m-instruct", tasks="math500", limit=N_DOCS, max_tokens=MAX_TOKENS,
                    backend_options={"batch_size": 1, "dtype": "float32"})
    hf_backend.batch_size = 1
    try:
        local = evaluate(cfg, tmp_path / "local", backends={"model": hf_backend}, progress=False)
    finally:
        hf_backend.batch_size = 8
    assert local.provenance.executor == {"name": "local", "replicas": 1}
    assert (run_dir / "samples" / "math500.jsonl").read_bytes() == \
        (tmp_path / "local" / "samples" / "math500.jsonl").read_bytes()
