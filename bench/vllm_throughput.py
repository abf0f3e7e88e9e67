"""Tokens per second of the embedded engine, side by side in one run, on the same MATH-500
prompts and sampling settings:

- bare `vllm.LLM.generate` on the engine the harness builds (its automatic settings: dtype,
  thread binding, KV cache; printed) against `harness run` generation on that engine: the ratio
  is the harness's own overhead (goal >= 0.97);
- the same engine in the other dtype (float32 <-> bfloat16);
- vLLM's own defaults (dtype "auto", thread binding "auto"; the same KV cache size);
- with --compiled, the engine compiled (enforce_eager=False): its start-up time and tok/s;
- with --hf, transformers `generate` (batches of 8) in float32 and in bfloat16.

All engines stay loaded and the measurements take turns, so a load change on a shared machine
hits every variant alike (an idle engine uses no CPU: printed). `uptime`'s load is printed with
each round.

    python bench/vllm_throughput.py [--model smollm2-135m-instruct] [--prompts 32] [--max-tokens 128]
                                    [--repeats 3] [--no-variants] [--compiled] [--hf]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from statistics import median


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError):
            pass
    return total


class Variant:
    """One engine and how it was made."""

    def __init__(self, label: str, llm, describe: str, load_s: float, close, backend=None):
        self.label, self.llm, self.describe, self.load_s, self.close = label, llm, describe, load_s, close
        self.backend = backend  # the harness's handle, when the harness built it
        self.tps: list[float] = []


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--prompts", type=int, default=32)
    ap.add_argument("--max-tokens", type=int, default=128)
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-variants", action="store_true", help="only the harness's engine: bare vs harness")
    ap.add_argument("--compiled", action="store_true", help="also the compiled engine (enforce_eager=False)")
    ap.add_argument("--hf", action="store_true", help="also transformers generate, float32 and bfloat16")
    args = ap.parse_args()

    from harness.backends.engine_guard import install_signal_handlers

    install_signal_handlers()  # a killed bench shuts its engines down (and the guards end them anyway)
    variants: list[Variant] = []
    try:
        run(args, variants)
    finally:
        for v in variants:
            v.close()


def run(args, variants: list[Variant]) -> None:
    from vllm import SamplingParams, TokensPrompt

    from harness import registry
    from harness.backends import cpu_settings
    from harness.backends.engine_guard import descendants
    from harness.backends.models import make_backend
    from harness.backends.prompting import encode_request
    from harness.evaluate import RunConfig, evaluate
    from harness.task import DocState, RunSettings

    spec = f"vllm:{args.model}"

    def harness_engine(options: dict, label: str) -> Variant:
        t0 = time.perf_counter()
        backend = make_backend(spec, options=options)
        llm = backend.llm  # loads it
        return Variant(label, llm, cpu_settings.describe(backend.info().settings.get("engine")),
                       time.perf_counter() - t0, backend.close, backend)

    main_v = harness_engine({}, "harness's automatic settings")
    variants.append(main_v)
    backend = main_v.backend
    auto = backend.info().settings["engine"]
    if not args.no_variants:
        other = "float32" if auto["dtype"] == "bfloat16" else "bfloat16"
        variants.append(harness_engine({"dtype": other}, f"the same, in {other}"))
        variants.append(vllm_defaults(backend, auto))
    if args.compiled:
        variants.append(harness_engine({"enforce_eager": False}, "the same, compiled"))
    if args.hf:
        variants += [hf_engine(args.model, dtype) for dtype in ("float32", "bfloat16")]

    task = registry.resolve("math500")[0]
    settings = RunSettings(limit=args.prompts, max_tokens=args.max_tokens, temperature=args.temperature)
    sampling = task.sampling(settings)
    docs = task.load_docs(None)[: args.prompts]
    reqs = [task.next_requests(d, DocState(), sampling)[0] for d in docs]
    prompts = [TokensPrompt(prompt_token_ids=encode_request(backend.tokenizer, r)) for r in reqs]
    params = SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p, max_tokens=sampling.max_tokens,
                            seed=sampling.seed)

    def bare(llm) -> tuple[int, float]:
        if isinstance(llm, HFGenerate):
            return llm.generate(reqs, sampling)
        llm.reset_prefix_cache()
        t0 = time.perf_counter()
        outs = llm.generate(prompts, params, use_tqdm=False)
        dt = time.perf_counter() - t0
        return sum(len(o.outputs[0].token_ids) for o in outs), dt

    def through_harness() -> tuple[int, float, float]:
        main_v.llm.reset_prefix_cache()
        with tempfile.TemporaryDirectory() as d:
            cfg = RunConfig(model=spec, tasks="math500", limit=args.prompts,
                            max_tokens=args.max_tokens, temperature=args.temperature)
            t0 = time.perf_counter()
            run = evaluate(cfg, Path(d), backends={"model": backend}, progress=False)
            wall = time.perf_counter() - t0
            return run.timing.output_tokens_new, run.timing.generate_s, wall

    engines = [p for p in descendants(os.getpid())]
    idle0 = cpu_seconds(engines)
    time.sleep(3)
    idle = (cpu_seconds(engines) - idle0) / 3
    print(f"engines loaded; idle CPU use of all their processes: {idle:.2f} cores")
    for v in variants:
        print(f"  {v.label:32s} load {v.load_s:6.1f}s  {v.describe}")
    for v in variants:
        bare(v.llm)  # warm-up: first-call allocations count for no side
    rows = []
    for i in range(args.repeats):
        load = load_average()
        for v in variants[i % len(variants):] + variants[:i % len(variants)]:  # each takes each place in turn
            tok, s = bare(v.llm)
            v.tps.append(tok / s)
            if v is main_v:
                bt, bs = tok, s
                ht, hs, hw = through_harness()
                rows.append((bt / bs, ht / hs, ht / hw))
        print(f"round {i + 1} (load {load} -> {load_average()}): "
              + " | ".join(f"{v.label}: {v.tps[-1]:.1f} tok/s" for v in variants)
              + f" | harness generation {rows[-1][1]:.1f} tok/s ({ht} tokens; bare {bt})")
    # Ratios per round (each side by side), then their median: a load change between rounds
    # moves both sides of a ratio, not the ratio.
    bare_tps = median([r[0] for r in rows])
    print(f"\nprompts={args.prompts} max_tokens={args.max_tokens} temperature={args.temperature} "
          f"cpus={len(os.sched_getaffinity(0))}; medians over {len(rows)} rounds")
    print(f"bare vllm.LLM.generate ({main_v.describe}): {bare_tps:8.1f} tok/s")
    print(f"harness (generation)   : {median([r[1] for r in rows]):8.1f} tok/s   "
          f"ratio {median([r[1] / r[0] for r in rows]):.3f}")
    print(f"harness (whole run)    : {median([r[2] for r in rows]):8.1f} tok/s   "
          f"ratio {median([r[2] / r[0] for r in rows]):.3f}  (incl. store, scoring, results)")
    for v in variants[1:]:
        ratio = median([t / base for t, base in zip(v.tps, main_v.tps)])
        print(f"{v.label:32s}: {median(v.tps):8.1f} tok/s   x{ratio:.2f} of the automatic settings; "
              f"start-up {v.load_s:.1f}s ({v.describe})")


class HFGenerate:
    """transformers generate through the harness's backend (batches of 8), timed like LLM.generate."""

    def __init__(self, backend):
        self.backend = backend

    def generate(self, reqs, sampling) -> tuple[int, float]:
        tokens = []
        t0 = time.perf_counter()
        self.backend.generate(reqs, lambda i, gens: tokens.append(gens[0].n_tokens), lambda i, m: None)
        return sum(tokens), time.perf_counter() - t0


def hf_engine(model: str, dtype: str) -> Variant:
    from harness.backends import cpu_settings
    from harness.backends.models import make_backend

    t0 = time.perf_counter()
    backend = make_backend(f"hf:{model}", options={"dtype": dtype, "batch_size": 8})
    backend.start()
    return Variant(f"transformers, {dtype}", HFGenerate(backend), cpu_settings.describe(backend.info().settings.get("engine")),
                   time.perf_counter() - t0, backend.close)


def vllm_defaults(backend, auto: dict) -> Variant:
    """vLLM as a user would call it: dtype "auto", thread binding "auto" (one core kept for the
    scheduler); eager and the same KV cache size, so only dtype and binding differ."""
    from vllm import LLM

    from harness.backends.engine_guard import EngineGuard

    t0 = time.perf_counter()
    kv = {"kv_cache_memory_bytes": auto["kv_cache_bytes"]} if auto.get("kv_cache_bytes") else {}
    with EngineGuard.started() as guards:
        llm = LLM(model=backend.info().path, dtype="auto", enforce_eager=True, enable_prefix_caching=True, seed=0, **kv)

    def close() -> None:
        llm.llm_engine.engine_core.shutdown()
        for g in guards:
            g.close()

    dtype = str(llm.llm_engine.model_config.dtype).removeprefix("torch.")
    return Variant("vLLM's defaults", llm, f"{dtype}, binding auto, KV cache as above, eager",
                   time.perf_counter() - t0, close)


if __name__ == "__main__":
    main()
