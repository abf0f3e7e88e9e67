"""How a local engine (vLLM, transformers) runs on this machine: dtype, CPU threads, KV cache,
compiled or eager.

On CPU the engines' own defaults can cost a factor of seven (measured on a 2-core AVX2 EPYC,
issue 18): vLLM's dtype "auto" runs a float32 checkpoint in bfloat16, which CPUs without
bfloat16 instructions emulate (18 tok/s against 134 in float32), and its thread binding keeps one
core of two for the scheduler (92 tok/s against 134). So on CPU the harness chooses, from the
CPU's instructions, the cores this process may use and the memory available; an explicit option
(or environment variable) always wins. GPU machines keep the engine's defaults.

Only the standard library here: `harness doctor` shows these choices in a core-only install.
"""

from __future__ import annotations

import json
import math
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from harness.cgroups import own_cgroups

GiB = 1 << 30
# Instructions that make bfloat16 matmuls native (oneDNN uses them); without them torch emulates.
BF16_FLAGS = ("avx512_bf16", "amx_bf16", "bf16")  # x86 AVX-512/AMX; "bf16" is the aarch64 feature
BIND_ENV = "VLLM_CPU_OMP_THREADS_BIND"
KV_ENV = "VLLM_CPU_KVCACHE_SPACE"  # GiB; vLLM lets it override kv_cache_memory_bytes
RESERVE_SCHEDULER_FROM = 8  # cores; below this a reserved scheduler core costs more than it saves
SEQS_PER_THREAD = 32  # concurrent sequences worth caching per engine thread
KV_SHARE = 8  # at most 1/8 of the available memory goes to the KV cache
# Compiling (torch.compile, inductor's C++ backend) took 195 s here against 21-27 s for an eager
# start, and then generated 5-20% faster (bench/vllm_throughput.py --compiled, README "Engine
# settings"): it pays off from about 100k tokens. A round's token budget (max_tokens x n of its
# requests) is an upper bound of what it generates, hence twice that.
COMPILE_FROM_TOKENS = 200_000


# ---- the machine -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Machine:
    cpu_model: str
    flags: frozenset[str]
    cpus: tuple[int, ...]  # the cores this process may run on (affinity)
    quota: float | None  # cgroup CPU quota, in cores
    memory_available: int  # bytes: MemAvailable, or the cgroup limit's headroom if lower

    @property
    def native_bf16(self) -> bool:
        return any(f in self.flags for f in BF16_FLAGS)

    @property
    def usable_cores(self) -> int:
        n = len(self.cpus)
        if self.quota is not None:
            n = min(n, max(1, math.floor(self.quota)))
        return max(1, n)


def probe() -> Machine:
    model, flags = _cpuinfo()
    cpus = tuple(sorted(os.sched_getaffinity(0))) if hasattr(os, "sched_getaffinity") else tuple(range(os.cpu_count() or 1))
    return Machine(cpu_model=model, flags=flags, cpus=cpus, quota=_cgroup_cpu_quota(),
                   memory_available=_memory_available())


def _cpuinfo() -> tuple[str, frozenset[str]]:
    model, flags = "", set()
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return model, frozenset()
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("model name", "cpu model", "hardware") and not model:
            model = value.strip()
        elif key in ("flags", "features"):  # x86 / aarch64
            flags.update(value.split())
    return model, frozenset(flags)


def _cgroup_files(controller: str, name: str) -> list[Path]:
    """The cgroup file `name` of this process's cgroup and of each parent (limits nest)."""
    out = []
    for ctrls, path in own_cgroups():
        base = Path("/sys/fs/cgroup") if ctrls == ("",) else None  # cgroup v2
        if ctrls != ("",) and controller in ctrls:
            base = Path("/sys/fs/cgroup") / ",".join(ctrls)
            if not base.exists():
                base = Path("/sys/fs/cgroup") / controller
        if base is None:
            continue
        rel = Path(path.lstrip("/"))
        for parent in [rel, *rel.parents]:
            f = base / parent / name
            if f.exists():
                out.append(f)
    return out


def _read(p: Path) -> str:
    try:
        return p.read_text().strip()
    except OSError:
        return ""


def _cgroup_cpu_quota() -> float | None:
    quotas = []
    for f in _cgroup_files("", "cpu.max"):  # v2: "max 100000" or "200000 100000"
        q, _, period = _read(f).partition(" ")
        if q.isdigit() and period.isdigit() and int(period):
            quotas.append(int(q) / int(period))
    for f in _cgroup_files("cpu", "cpu.cfs_quota_us"):  # v1
        q, period = _read(f), _read(f.with_name("cpu.cfs_period_us"))
        if q.lstrip("-").isdigit() and int(q) > 0 and period.isdigit() and int(period):
            quotas.append(int(q) / int(period))
    return min(quotas) if quotas else None


def _memory_available() -> int:
    avail = 0
    for line in _read(Path("/proc/meminfo")).splitlines():
        if line.startswith("MemAvailable:"):
            avail = int(line.split()[1]) * 1024
    headroom = []
    for f in _cgroup_files("", "memory.max"):
        limit, used = _read(f), _read(f.with_name("memory.current"))
        if limit.isdigit() and used.isdigit():
            headroom.append(int(limit) - int(used))
    for f in _cgroup_files("memory", "memory.limit_in_bytes"):
        limit, used = _read(f), _read(f.with_name("memory.usage_in_bytes"))
        if limit.isdigit() and used.isdigit() and int(limit) < 1 << 60:  # v1 "no limit" is ~2^63
            headroom.append(int(limit) - int(used))
    return max(0, min([avail, *headroom])) if avail else max(0, min(headroom, default=0))


def engine_on_gpu(kind: str) -> bool:
    """Whether the engine of this kind runs on an accelerator here (asks the engine itself)."""
    try:
        if kind == "vllm":
            from vllm.platforms import current_platform

            return not current_platform.is_cpu()
        import torch

        return bool(torch.cuda.is_available())
    except Exception:  # not installed, or no driver: a CPU engine
        return False


# ---- the choice --------------------------------------------------------------------------------

@dataclass
class EngineSettings:
    """What the engine is asked for; None leaves a setting to the engine. `why` says, per
    setting, where the value came from."""

    device: str  # "cpu" or "gpu"
    dtype: str
    checkpoint_dtype: str | None = None  # as stored (config.json)
    threads: int | None = None
    cpus: str | None = None  # vLLM's binding: "0-1", one "|"-separated list per tensor-parallel rank
    kv_cache_bytes: int | None = None
    enforce_eager: bool | None = None
    why: dict[str, str] = field(default_factory=dict)

    def for_work(self, tokens: int | None) -> "EngineSettings":
        """Compiled or eager, now that the first round's size is known (None: unknown)."""
        if self.device != "cpu" or self.why.get("enforce_eager") == "explicit option":
            return self
        if tokens is not None and tokens >= COMPILE_FROM_TOKENS:
            return replace(self, enforce_eager=False, why={**self.why, "enforce_eager": (
                f"compiled: the first round asks for up to {tokens:,} tokens (eager below {COMPILE_FROM_TOKENS:,})")})
        return self

    def record(self) -> dict[str, Any]:
        """For the results' provenance (ModelInfo.settings["engine"])."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    def vllm_kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {"dtype": self.dtype}
        if self.kv_cache_bytes is not None:
            kw["kv_cache_memory_bytes"] = self.kv_cache_bytes
        if self.enforce_eager is not None:
            kw["enforce_eager"] = self.enforce_eager
        return kw

    @contextmanager
    def vllm_environment(self) -> Iterator[None]:
        """The thread binding, while the engine starts: its processes inherit it. Set only for
        the start, so the next engine of this process chooses afresh (and sees no user setting)."""
        if self.device != "cpu" or self.cpus is None or BIND_ENV in os.environ:
            yield
            return
        os.environ[BIND_ENV] = self.cpus
        try:
            yield
        finally:
            os.environ.pop(BIND_ENV, None)


def choose(kind: str, model_path: str | Path | None, options: dict[str, Any] | None = None,
           on_gpu: bool | None = None, machine: Machine | None = None) -> EngineSettings:
    """The settings for a local engine of `kind` ("vllm" or "hf") loading `model_path`.
    options: the user's explicit ones (dtype, tensor_parallel_size, max_model_len, enforce_eager)."""
    opts = {k: v for k, v in (options or {}).items() if v is not None}
    if on_gpu is None:
        on_gpu = engine_on_gpu(kind)
    if on_gpu:
        s = EngineSettings(device="gpu", dtype=str(opts.get("dtype", "auto")))
        s.why["dtype"] = "--dtype" if "dtype" in opts else "the engine's default on GPU"
        if "enforce_eager" in opts:
            s.enforce_eager = bool(opts["enforce_eager"])
        return s
    m = machine or probe()
    config = _model_config(model_path)
    s = EngineSettings(device="cpu", dtype="float32", checkpoint_dtype=_stored_dtype(config))
    s.dtype, s.why["dtype"] = _dtype(opts, m)
    _threads(s, kind, opts, m)
    if kind == "vllm":
        _kv_cache(s, opts, config, m)
        _compiled_or_eager(s, opts)
    return s


def _stored_dtype(config: dict) -> str | None:
    d = config.get("torch_dtype") or config.get("dtype")
    return str(d) if d else None


def _dtype(opts: dict, m: Machine) -> tuple[str, str]:
    if "dtype" in opts:
        return str(opts["dtype"]), "--dtype"
    if m.native_bf16:
        # bfloat16 halves the bytes read per token and the CPU multiplies it natively.
        return "bfloat16", f"native on this CPU: {next(f for f in BF16_FLAGS if f in m.flags)}"
    # Without the instructions torch emulates bfloat16 (and float16) matmuls: 7x slower than float32.
    return "float32", "no native bfloat16 on this CPU"


def _threads(s: EngineSettings, kind: str, opts: dict, m: Machine) -> None:
    cores = m.usable_cores
    quota = f", cgroup quota {m.quota:g} cores" if m.quota is not None else ""
    if kind == "vllm" and BIND_ENV in os.environ:
        s.cpus = os.environ[BIND_ENV]
        s.threads = None if s.cpus in ("auto", "nobind") else _count(s.cpus)
        s.why["threads"] = f"{BIND_ENV} from the environment"
        return
    if kind == "hf" and os.environ.get("OMP_NUM_THREADS", "").isdigit():
        s.threads = int(os.environ["OMP_NUM_THREADS"])
        s.why["threads"] = "OMP_NUM_THREADS from the environment"
        return
    cpus = list(m.cpus[:cores])
    why = f"{len(cpus)} of {len(m.cpus)} allowed cores{quota}"
    if kind == "vllm" and len(cpus) >= RESERVE_SCHEDULER_FROM:
        # vLLM's own practice on big machines: the scheduler process gets a core to itself,
        # so it never stalls the OpenMP threads' barriers. On a few cores that core is worth more.
        cpus = cpus[:-1]
        why += ", one kept for the scheduler"
    s.threads = len(cpus)
    s.why["threads"] = why
    if kind == "vllm":
        tp = max(1, int(opts.get("tensor_parallel_size") or 1))
        per = max(1, len(cpus) // tp)
        s.cpus = "|".join(cpu_list(cpus[r * per:(r + 1) * per] or cpus[-1:]) for r in range(tp))


def _kv_cache(s: EngineSettings, opts: dict, config: dict, m: Machine) -> None:
    if os.environ.get(KV_ENV):
        s.kv_cache_bytes = None  # vLLM reads the variable itself (and it overrides our value)
        s.why["kv_cache"] = f"{KV_ENV}={os.environ[KV_ENV]} GiB from the environment"
        return
    share = m.memory_available // KV_SHARE
    size = max(share, GiB)
    why = f"1/{KV_SHARE} of {m.memory_available / GiB:.1f} GiB available"
    per_token = _kv_bytes_per_token(config, s.dtype)
    if per_token:
        context = int(opts.get("max_model_len") or min(int(config.get("max_position_embeddings") or 8192), 8192))
        seqs = SEQS_PER_THREAD * (s.threads or 1)
        need = per_token * context * seqs
        if need < size:
            size = need
            why = f"{seqs} sequences x {context} tokens ({SEQS_PER_THREAD} per thread)"
    size = min(size, max(m.memory_available // 2, GiB // 4))
    s.kv_cache_bytes = max(GiB // 4, size // (GiB // 4) * (GiB // 4))  # whole quarters of a GiB
    s.why["kv_cache"] = why


def _compiled_or_eager(s: EngineSettings, opts: dict) -> None:
    if "enforce_eager" in opts:
        s.enforce_eager = bool(opts["enforce_eager"])
        s.why["enforce_eager"] = "explicit option"
        return
    s.enforce_eager = True  # until for_work() knows the run's size
    s.why["enforce_eager"] = f"eager: compiling pays off from about {COMPILE_FROM_TOKENS // 2:,} tokens"


def _model_config(path: str | Path | None) -> dict:
    if path is None:
        return {}
    try:
        cfg = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError):
        return {}
    return {**cfg.get("text_config", {}), **{k: v for k, v in cfg.items() if k != "text_config"}}


def _kv_bytes_per_token(config: dict, dtype: str) -> int | None:
    try:
        layers = int(config["num_hidden_layers"])
        heads = int(config["num_attention_heads"])
        kv_heads = int(config.get("num_key_value_heads") or heads)
        head_dim = int(config.get("head_dim") or int(config["hidden_size"]) // heads)
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    width = 4 if dtype in ("float32", "float") else 2
    return 2 * layers * kv_heads * head_dim * width  # keys and values


def cpu_list(cpus: list[int]) -> str:
    """[0, 1, 2, 5] -> "0-2,5" (vLLM's and taskset's list syntax)."""
    parts, i = [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        parts.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(parts)


def _count(spec: str) -> int:
    n = 0
    for part in spec.replace("|", ",").split(","):
        lo, _, hi = part.partition("-")
        if lo.strip().isdigit():
            n += int(hi) - int(lo) + 1 if hi.strip().isdigit() else 1
    return n


def describe(settings: EngineSettings | dict[str, Any] | None) -> str:
    """One line for the "loading model" line: 'float32 (no native bfloat16 on this CPU), 2
    threads on CPUs 0-1, KV cache 2.75 GiB, eager'."""
    if settings is None:
        return ""
    s = settings if isinstance(settings, dict) else settings.record()
    why = s.get("why", {})
    if s.get("device") == "gpu":
        return f"{s.get('dtype', 'auto')}, engine defaults on GPU"
    parts = [f"{s.get('dtype')} ({why.get('dtype', '')})"]
    if s.get("threads"):
        parts.append(f"{s['threads']} thread{'s' if s['threads'] > 1 else ''}"
                     + (f" on CPUs {s['cpus']}" if s.get("cpus") else ""))
    if s.get("kv_cache_bytes"):
        parts.append(f"KV cache {s['kv_cache_bytes'] / GiB:g} GiB")
    elif "kv_cache" in why:
        parts.append(f"KV cache from {KV_ENV}")
    if s.get("enforce_eager") is not None:
        parts.append("eager" if s["enforce_eager"] else "compiled")
    return ", ".join(parts)
