"""The real SmolLM2-135M-Instruct through vLLM (CPU build), transformers, and a real `vllm serve`.

The engines are loaded once per session (tests/conftest.py)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from harness.evaluate import RunConfig, evaluate
from harness.parity import compare_runs
from harness.results import load_results, load_samples
from tests.conftest import FIXTURES
from tests.thinking_model import thinking_checkpoint

pytestmark = pytest.mark.slow
ARITH = FIXTURES / "core" / "arith"
GREEDY = dict(tasks="math500", limit=4, max_tokens=96)


@pytest.fixture(scope="module")
def vllm_run(vllm_backend, tmp_path_factory):
    out = tmp_path_factory.mktemp("vllm-run")
    return out, evaluate(RunConfig(model="vllm:smollm2-135m-instruct", **GREEDY), out, backends={"model": vllm_backend}, progress=False)


@pytest.fixture(scope="module")
def hf_run(hf_backend, tmp_path_factory):
    out = tmp_path_factory.mktemp("hf-run")
    return out, evaluate(RunConfig(model="hf:smollm2-135m-instruct", **GREEDY), out, backends={"model": hf_backend}, progress=False)


def _check_run(out: Path, run, backend: str):
    tr = run.tasks["math500"]
    assert tr.n_docs == 4 and tr.failed_docs == 0
    assert 0.0 <= tr.metrics["accuracy"].value <= 1.0
    assert "extraction_failure" in tr.metrics and "subject" in tr.breakdown and "level" in tr.breakdown
    assert run.model.backend == backend and run.model.files["model.safetensors"]
    assert run.timing.generations_new == 4 and run.timing.tokens_per_s > 0
    recs = load_samples(out, "math500")
    assert all(len(r.outputs) == 1 and r.outputs[0].strip() for r in recs)
    assert run.provenance.packages["torch"].startswith("2.13")


def test_vllm_backend_end_to_end(vllm_run):
    _check_run(*vllm_run, "vllm")
    assert vllm_run[1].model.backend_version == "0.32.0"


def test_hf_backend_end_to_end(hf_run):
    _check_run(*hf_run, "hf")


def test_parity_vllm_vs_hf(vllm_run, hf_run):
    report = compare_runs(vllm_run[0], hf_run[0], ["math500"])["math500"]
    assert report["n"] == 4
    # Same weights (float32), same token ids, greedy: the outputs must agree at least at the start.
    va = {r.doc_id: r.outputs[0] for r in load_samples(vllm_run[0], "math500")}
    hb = {r.doc_id: r.outputs[0] for r in load_samples(hf_run[0], "math500")}
    for doc_id in va:
        assert va[doc_id][:40] == hb[doc_id][:40], (doc_id, va[doc_id][:80], hb[doc_id][:80])
    assert report["same_output"] + len(report["diverged"]) >= report["n"]


def test_sampling_n_per_prompt(vllm_backend, tmp_path):
    cfg = RunConfig(model="vllm:smollm2-135m-instruct", tasks="math500", limit=2, max_tokens=48, samples=4,
                    temperature=0.8, seed=7)
    run = evaluate(cfg, tmp_path, backends={"model": vllm_backend}, progress=False)
    tr = run.tasks["math500"]
    assert tr.sampling["n"] == 4 and tr.sampling["seed"] == 7
    assert {"pass@1", "pass@2", "pass@4", "maj@4"} <= set(tr.metrics)
    recs = load_samples(tmp_path, "math500")
    assert all(len(r.outputs) == 4 for r in recs)
    assert any(len(set(r.outputs)) > 1 for r in recs)  # real samples, not copies
    # A second run of the same command is answered from the store alone.
    again = evaluate(cfg, tmp_path, backends={"model": vllm_backend}, progress=False)
    assert again.timing.generations_new == 0 and again.timing.generations_cached == 8
    assert [r.outputs for r in load_samples(tmp_path, "math500")] == [r.outputs for r in recs]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_server(smollm2_path, tmp_path_factory):
    """SmolLM2 served with a reasoning parser: the same weights and, without chat-template kwargs,
    the same prompts (tests/thinking_model.py), so it answers as the offline engine does; with
    enable_thinking=true its template opens a thinking block and the server returns the thought apart."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    ckpt = thinking_checkpoint(smollm2_path, log.parent / "smollm2-thinking")
    env = dict(os.environ, VLLM_CPU_KVCACHE_SPACE="1")
    with log.open("w") as f:
        proc = subprocess.Popen([sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(ckpt),
                                 "--served-model-name", "smollm2", "--host", "127.0.0.1", "--port", str(port),
                                 "--dtype", "float32", "--enforce-eager", "--reasoning-parser", "hf"],
                                stdout=f, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 900
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"vllm serve exited with {proc.returncode}: {log.read_text()[-2000:]}")
            try:
                if requests.get(f"{url}/models", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(2)
        else:
            pytest.fail("vllm serve did not come up in 15 minutes")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_openai_backend_against_real_vllm_serve(vllm_server, vllm_run, tmp_path):
    cfg = RunConfig(model=f"openai:{vllm_server}#smollm2", **GREEDY)
    run = evaluate(cfg, tmp_path, progress=False)
    tr = run.tasks["math500"]
    assert tr.n_docs == 4 and tr.failed_docs == 0 and run.model.name == "smollm2"
    served = {r.doc_id: r.outputs[0] for r in load_samples(tmp_path, "math500")}
    offline = {r.doc_id: r.outputs[0] for r in load_samples(vllm_run[0], "math500")}
    # The server applies the same chat template to the same weights: greedy outputs agree.
    agree = sum(served[d][:40] == offline[d][:40] for d in offline)
    assert agree >= 3, (served, offline)


def test_real_vllm_serve_reasoning_parser_and_template_kwargs(vllm_server, tmp_path):
    """`vllm serve --reasoning-parser hf`: enable_thinking reaches the server's template, which
    opens a thinking block; SmolLM2 never closes it, so the server returns everything as the
    thought, the content empty: with max_tokens hit, a truncated thought, not a wrong answer."""
    cfg = RunConfig(model=f"openai:{vllm_server}#smollm2", chat_template_kwargs={"enable_thinking": True}, **GREEDY)
    run = evaluate(cfg, tmp_path, progress=False)
    r = run.tasks["math500"].reasoning
    assert run.model.reasoning["source"] == "tokenizer response_template"  # the served root is read here
    assert r.chat_template_kwargs == {"enable_thinking": True} and r.token_counter.startswith("the model's tokenizer")
    recs = load_samples(tmp_path, "math500")
    assert sum(r.verdicts.values()) == 4 and r.verdicts["reasoning_truncated"] >= 1
    for rec in recs:  # graded from nothing (a prompt may also end at once, with no thought)
        assert rec.outputs == [""] and rec.values["accuracy"] == 0.0
        assert rec.reasoning_info[0]["verdict"] in ("reasoning_truncated", "complete", "no_reasoning")
    assert any(rec.reasoning and rec.reasoning[0] for rec in recs)  # the thought is kept
    truncated = [rec for rec in recs if rec.reasoning_info[0]["verdict"] == "reasoning_truncated"]
    assert all(rec.reasoning_info[0]["reasoning_tokens"] == 96 for rec in truncated)


def _store_lines(run_dir: Path) -> int:
    p = run_dir / "store" / "generations.jsonl"
    return p.read_bytes().count(b"\n") if p.exists() else 0


def test_sigkill_mid_run_then_resume(smollm2_path, hf_backend, tmp_path):
    """Kill -9 a run after a few generations; the same command finishes the rest, and the
    records equal an uninterrupted run's."""
    n_docs = 5
    args = ["run", "--model", "hf:smollm2-135m-instruct", "--batch-size", "1", "--dtype", "float32",
            "--tasks", "math500", "--limit", str(n_docs), "--max-tokens", "32"]
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "harness.cli", *args, "--output", str(killed), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 1800
    while _store_lines(killed) < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    exited_early = proc.poll()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = _store_lines(killed)
    assert exited_early is None, f"the run exited with {exited_early} before it could be killed"
    assert 2 <= done_before < n_docs, f"the run should have been killed part-way ({done_before} done)"
    assert not (killed / "results.json").exists()

    rc = subprocess.run(cmd, capture_output=True, text=True, timeout=2400)
    assert rc.returncode == 0, rc.stderr[-2000:]
    resumed = load_results(killed)
    assert resumed.store_report["requested_per_round"] == n_docs - done_before
    assert resumed.timing.generations_cached == done_before

    ref = tmp_path / "ref"
    cfg = RunConfig(model="hf:smollm2-135m-instruct", tasks="math500", limit=n_docs, max_tokens=32,
                    backend_options={"batch_size": 1, "dtype": "float32"})
    hf_backend.batch_size = 1
    try:
        evaluate(cfg, ref, backends={"model": hf_backend}, progress=False)
    finally:
        hf_backend.batch_size = 8
    strip = lambda recs: [(r.doc_id, r.outputs, r.values, r.record) for r in recs]  # noqa: E731
    assert strip(load_samples(killed, "math500")) == strip(load_samples(ref, "math500"))
