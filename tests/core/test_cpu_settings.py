"""The engine settings chosen on CPU (dtype, threads, KV cache, eager) from made-up machines, the
store identity they give, and `harness doctor` in an install without the engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from harness.backends import cpu_settings as cs
from harness.backends.models import served_fingerprint
from tests.conftest import REPO

GiB = cs.GiB
AVX2 = frozenset({"avx", "avx2", "fma"})
ZEN4 = AVX2 | {"avx512f", "avx512_bf16"}
SPR = AVX2 | {"avx512f", "amx_tile", "amx_bf16"}


def machine(flags=AVX2, cpus=(0, 1), quota=None, memory=16 * GiB) -> cs.Machine:
    return cs.Machine(cpu_model="test", flags=frozenset(flags), cpus=tuple(cpus), quota=quota, memory_available=memory)


@pytest.fixture
def ckpt(tmp_path):
    """A SmolLM2-135M-shaped config.json (30 layers, 3 KV heads of 64)."""
    (tmp_path / "config.json").write_text(json.dumps({
        "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3, "hidden_size": 576,
        "max_position_embeddings": 8192, "torch_dtype": "float32"}))
    return tmp_path


@pytest.fixture(autouse=True)
def no_user_settings(monkeypatch):
    for var in (cs.BIND_ENV, cs.KV_ENV, "OMP_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)


def test_dtype_follows_the_cpu(ckpt):
    plain = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(AVX2))
    assert plain.dtype == "float32" and "no native bfloat16" in plain.why["dtype"]
    assert plain.checkpoint_dtype == "float32"
    assert cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(ZEN4)).dtype == "bfloat16"
    assert cs.choose("hf", ckpt, {}, on_gpu=False, machine=machine(SPR)).dtype == "bfloat16"
    assert cs.choose("hf", ckpt, {}, on_gpu=False, machine=machine(AVX2)).dtype == "float32"
    # an explicit choice wins, whatever the CPU
    explicit = cs.choose("vllm", ckpt, {"dtype": "bfloat16"}, on_gpu=False, machine=machine(AVX2))
    assert explicit.dtype == "bfloat16" and explicit.why["dtype"] == "--dtype"


def test_threads_use_every_allowed_core_within_the_quota(ckpt):
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(cpus=(0, 1)))
    assert (s.threads, s.cpus) == (2, "0-1")  # vLLM's "auto" would keep one of the two for its scheduler
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(cpus=(2, 3, 5)))  # affinity (taskset, Ray)
    assert (s.threads, s.cpus) == (3, "2-3,5")
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(cpus=range(8), quota=2.5))  # cgroup cpu.max
    assert (s.threads, s.cpus) == (2, "0-1") and "quota 2.5" in s.why["threads"]
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(cpus=range(16)))
    assert (s.threads, s.cpus) == (15, "0-14")  # many cores: one for the scheduler
    s = cs.choose("vllm", ckpt, {"tensor_parallel_size": 2}, on_gpu=False, machine=machine(cpus=range(4)))
    assert s.cpus == "0-1|2-3"  # one list per rank
    hf = cs.choose("hf", ckpt, {}, on_gpu=False, machine=machine(cpus=range(8), quota=4))
    assert hf.threads == 4 and hf.cpus is None


def test_the_users_environment_wins(ckpt, monkeypatch):
    monkeypatch.setenv(cs.BIND_ENV, "0")
    monkeypatch.setenv(cs.KV_ENV, "3")
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine())
    assert (s.cpus, s.threads, s.kv_cache_bytes) == ("0", 1, None)
    assert "environment" in s.why["threads"] and "environment" in s.why["kv_cache"]
    with s.vllm_environment():  # nothing of ours is set over the user's
        assert os.environ[cs.BIND_ENV] == "0"
    assert os.environ[cs.BIND_ENV] == "0"


def test_binding_is_set_only_while_the_engine_starts(ckpt):
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(cpus=(0, 1)))
    with s.vllm_environment():
        assert os.environ[cs.BIND_ENV] == "0-1"
    assert cs.BIND_ENV not in os.environ  # the next engine chooses afresh


def test_kv_cache_from_memory_and_cores(ckpt):
    per_token = 2 * 30 * 3 * 64 * 4  # float32 keys and values
    big = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(memory=16 * GiB))
    assert big.kv_cache_bytes == 2 * GiB  # 1/8 of the memory: less than 64 sequences of 8192 tokens
    short = cs.choose("vllm", ckpt, {"max_model_len": 256}, on_gpu=False, machine=machine(memory=16 * GiB))
    need = per_token * 256 * cs.SEQS_PER_THREAD * 2  # 64 sequences of 256 tokens: 0.7 GiB
    assert short.kv_cache_bytes == need // (GiB // 4) * (GiB // 4) == GiB // 2
    assert "64 sequences x 256 tokens" in short.why["kv_cache"]
    tight = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(memory=1 * GiB))
    assert tight.kv_cache_bytes == GiB // 2  # never more than half of what is available
    assert cs.choose("hf", ckpt, {}, on_gpu=False, machine=machine()).kv_cache_bytes is None


def test_compiled_only_for_runs_that_repay_the_compile(ckpt):
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine())
    assert s.enforce_eager is True
    assert s.for_work(None).enforce_eager is True and s.for_work(20 * 512).enforce_eager is True  # the main job
    big = s.for_work(5000 * 512)  # all of MATH at 512 tokens
    assert big.enforce_eager is False and "2,560,000 tokens" in big.why["enforce_eager"]
    assert s.enforce_eager is True  # the planned settings are not changed
    asked = cs.choose("vllm", ckpt, {"enforce_eager": True}, on_gpu=False, machine=machine())
    assert asked.for_work(10**7).enforce_eager is True  # an explicit choice wins
    assert cs.choose("vllm", ckpt, {}, on_gpu=True).for_work(10**7).enforce_eager is None  # GPU: vLLM decides


def test_gpu_keeps_the_engine_defaults(ckpt):
    s = cs.choose("vllm", ckpt, {}, on_gpu=True, machine=machine(AVX2))
    assert s.vllm_kwargs() == {"dtype": "auto"} and s.threads is None and s.kv_cache_bytes is None
    assert cs.describe(s) == "auto, engine defaults on GPU"
    assert cs.choose("vllm", ckpt, {"dtype": "float16"}, on_gpu=True).dtype == "float16"


def test_one_line_description(ckpt):
    s = cs.choose("vllm", ckpt, {}, on_gpu=False, machine=machine(AVX2, memory=16 * GiB))
    line = cs.describe(s)
    assert line == "float32 (no native bfloat16 on this CPU), 2 threads on CPUs 0-1, KV cache 2 GiB, eager"
    assert cs.describe(s.record()) == line  # also from what the results recorded
    assert "\n" not in cs.describe(cs.choose("hf", ckpt, {}, on_gpu=False, machine=machine(ZEN4)))


def test_the_dtype_is_part_of_the_store_identity():
    files = "c02feed58f84ef5b"
    assert served_fingerprint(files, "auto") == files  # the engine's own choice: as before
    assert len({served_fingerprint(files, d) for d in ("float32", "bfloat16", "auto")}) == 3


def test_this_machine_is_probed():
    m = cs.probe()
    assert m.cpus and m.memory_available > 0 and m.usable_cores >= 1
    if os.path.exists("/proc/cpuinfo"):
        assert m.flags  # x86 "flags" or aarch64 "Features"


def test_doctor_without_the_engines(tmp_path):
    """A core-only install: torch, vllm and docker cannot be imported; the doctor still answers,
    and says how to add the engines."""
    block = tmp_path / "sitecustomize.py"
    block.write_text("import sys\nclass Block:\n"
                     "    def find_spec(self, name, path=None, target=None):\n"
                     "        if name.split('.')[0] in ('torch', 'vllm', 'docker'):\n"
                     "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
                     "sys.meta_path.insert(0, Block())\n")
    env = dict(os.environ, PYTHONPATH=f"{tmp_path}{os.pathsep}{REPO}")
    r = subprocess.run([sys.executable, "-m", "harness.cli", "doctor"], capture_output=True, text=True,
                       env=env, cwd=REPO, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    for section in ("machine", "engines", "sandboxes", "data", "missing"):
        assert f"\n{section}" in f"\n{out}", out
    assert "vllm           not installed (pip install -e" in out and "[cpu]" in out
    assert "the vllm engine: pip install -e" in out and "the hf engine: pip install -e" in out
    assert "docker         not available" in out
    assert "Traceback" not in r.stderr
