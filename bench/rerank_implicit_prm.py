"""Implicit-PRM scoring throughput: vLLM prompt log-probabilities vs a transformers forward pass,
on the same candidates (real MATH responses from the best-of-N file), in one run.

    python bench/rerank_implicit_prm.py [--policy DIR --ref DIR] [--docs 4] [--per-doc 8]

Candidate tokens per second = scored response tokens / seconds to score them under both the
policy and the reference model (engine start-up and model loading reported apart).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def default_model() -> str:
    try:
        from harness.backends.embedded import ensure_smollm2

        return str(ensure_smollm2())
    except ImportError:
        cache = Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache" / "harness")) / "rerank-smollm2-135m-instruct-f32"
        if not cache.exists():
            sys.exit(f"no SmolLM2 checkpoint at {cache}: run `pytest tests/rerank` once, or pass --policy/--ref")
        return str(cache)


def timed(engine_factory, path, seqs):
    t0 = time.perf_counter()
    eng = engine_factory(path)
    eng.token_logprobs([seqs[0].ids[: seqs[0].first + 1]], [seqs[0].first])  # loads and warms the engine
    t1 = time.perf_counter()
    out = eng.token_logprobs([s.ids for s in seqs], [s.first for s in seqs])
    t2 = time.perf_counter()
    eng.close()
    return out, t1 - t0, t2 - t1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--policy")
    ap.add_argument("--ref")
    ap.add_argument("--data", default=str(Path(os.environ.get("HARNESS_DATA_DIR", REPO.parent / "shared" / "data"))
                                          / "math" / "bon" / "qwen25math_math_cot_100x8.jsonl"))
    ap.add_argument("--docs", type=int, default=4)
    ap.add_argument("--per-doc", type=int, default=8)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    args = ap.parse_args()

    import numpy as np

    from harness.rerank.candidates import from_bon_file
    from harness.rerank.engines import HFLogprobEngine, VLLMLogprobEngine
    from harness.rerank.implicit_prm import ImplicitPRM
    from harness.rerank.spec import parse_spec

    policy = args.policy or default_model()
    ref = args.ref or policy
    docs, _ = from_bon_file(Path(args.data))
    cands = [c for d in docs[: args.docs] for c in d.candidates[: args.per_doc]]
    prm = ImplicitPRM(parse_spec(f"implicit-prm:policy={policy},ref={ref},beta=0.001"))
    seqs = prm.sequences(cands)
    n_tok = sum(len(s.step_of) for s in seqs)
    print(f"{len(cands)} candidates, {n_tok} scored tokens ({sum(len(s.ids) for s in seqs)} with prompts); "
          f"policy {policy}, ref {ref}")
    results = {}
    # The engine is sized for the longest candidate up front, so the warm-up call does not start
    # a smaller one that the timed call would have to replace.
    max_len = 1 << max(s.ids.__len__() for s in seqs).bit_length()
    factories = {"transformers": lambda p: HFLogprobEngine(p, dtype="float32", batch_tokens=args.batch_tokens),
                 "vllm": lambda p: VLLMLogprobEngine(p, dtype="float32", max_model_len=max_len)}
    for name, factory in factories.items():
        lp_pol, load_p, run_p = timed(factory, policy, seqs)
        lp_ref, load_r, run_r = timed(factory, ref, seqs)
        results[name] = [p - r for p, r in zip(lp_pol, lp_ref)], run_p + run_r, load_p + load_r, lp_pol, lp_ref
        print(f"{name:>12}: {n_tok / (run_p + run_r):9.1f} candidate tokens/s  "
              f"(scoring {run_p + run_r:.1f} s, loading {load_p + load_r:.1f} s)")

    def max_diff(i: int) -> float:
        return max(float(np.abs(a - b).max()) for a, b in zip(results["vllm"][i], results["transformers"][i]))

    # With the default policy = ref the log-ratios are 0 under both engines, so the engines are
    # compared on the log-probabilities themselves.
    print(f"ratio vLLM / transformers: {results['transformers'][1] / results['vllm'][1]:.2f}x  "
          f"(max |difference| per token, vLLM vs transformers: log p policy {max_diff(3):.2e}, "
          f"log p ref {max_diff(4):.2e}, log-ratio {max_diff(0):.2e})")


if __name__ == "__main__":
    main()
