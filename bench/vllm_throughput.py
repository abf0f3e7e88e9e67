"""Tokens per second: `harness run --model vllm:...` versus a bare script calling
`vllm.LLM.generate` directly, on the same 64 MATH-500 prompts, the same sampling settings and the
same engine, in one run. Prints both and their ratio (target: >= 0.95).

    python bench/vllm_throughput.py [--model smollm2-135m-instruct] [--prompts 64] [--max-tokens 256]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="smollm2-135m-instruct")
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--max-tokens", type=int, default=256)
    ap.add_argument("--temperature", type=float, default=0.0)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()

    from vllm import SamplingParams, TokensPrompt

    from harness import registry
    from harness.backends.models import make_backend
    from harness.backends.prompting import encode_request
    from harness.evaluate import RunConfig, evaluate
    from harness.task import DocState, RunSettings

    backend = make_backend(f"vllm:{args.model}")
    llm = backend.llm
    task = registry.resolve("math500")[0]
    settings = RunSettings(limit=args.prompts, max_tokens=args.max_tokens, temperature=args.temperature)
    sampling = task.sampling(settings)
    docs = task.load_docs(None)[: args.prompts]
    reqs = [task.next_requests(d, DocState(), sampling)[0] for d in docs]
    prompts = [TokensPrompt(prompt_token_ids=encode_request(backend.tokenizer, r)) for r in reqs]
    params = SamplingParams(temperature=sampling.temperature, top_p=sampling.top_p, max_tokens=sampling.max_tokens,
                            seed=sampling.seed)

    def bare() -> tuple[int, float]:
        llm.reset_prefix_cache()
        t0 = time.perf_counter()
        outs = llm.generate(prompts, params, use_tqdm=False)
        dt = time.perf_counter() - t0
        return sum(len(o.outputs[0].token_ids) for o in outs), dt

    def harness() -> tuple[int, float, float]:
        llm.reset_prefix_cache()
        with tempfile.TemporaryDirectory() as d:
            cfg = RunConfig(model=f"vllm:{args.model}", tasks="math500", limit=args.prompts,
                            max_tokens=args.max_tokens, temperature=args.temperature)
            t0 = time.perf_counter()
            run = evaluate(cfg, Path(d), backends={"model": backend}, progress=False)
            wall = time.perf_counter() - t0
            return run.timing.output_tokens_new, run.timing.generate_s, wall

    bare()  # warm-up: first-call allocations should count for neither side
    rows = []
    for i in range(args.repeats):
        bt, bs = bare()
        ht, hs, hw = harness()
        rows.append((bt / bs, ht / hs, ht / hw))
        print(f"repeat {i + 1}: bare {bt} tok in {bs:.1f}s = {bt / bs:.1f} tok/s | harness {ht} tok, "
              f"generation {hs:.1f}s = {ht / hs:.1f} tok/s, whole run {hw:.1f}s = {ht / hw:.1f} tok/s")
    bare_tps = sum(r[0] for r in rows) / len(rows)
    gen_tps = sum(r[1] for r in rows) / len(rows)
    run_tps = sum(r[2] for r in rows) / len(rows)
    print(f"\nprompts={args.prompts} max_tokens={args.max_tokens} temperature={args.temperature}")
    print(f"bare vllm.LLM.generate : {bare_tps:8.1f} tok/s")
    print(f"harness (generation)   : {gen_tps:8.1f} tok/s   ratio {gen_tps / bare_tps:.3f}")
    print(f"harness (whole run)    : {run_tps:8.1f} tok/s   ratio {run_tps / bare_tps:.3f}  (incl. store, scoring, results)")
    backend.close()


if __name__ == "__main__":
    main()
