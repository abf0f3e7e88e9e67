"""What the reasoning split costs beside the scoring it feeds: harness/reasoning.py's AnswerView on
MATH-500-shaped thinking outputs (~2,000 characters of thinking, then a boxed answer), against
math-verify grading the same answers, measured side by side in one run.

    python bench/reasoning_split.py [N]
"""

from __future__ import annotations

import sys
import time

from harness.backends.embedded import ensure_smollm2
from harness.reasoning import AnswerView, ReasoningPolicy
from harness.requests import Generation, Request, SamplingParams
from harness.results import ModelInfo
from harness.task import Doc
from tasks.math.scorer import score_math


def main(n: int = 2000) -> None:
    thought = "Let me think step by step. " * 75 + "Perhaps \\boxed{41}? No."
    gens = [Generation(f"<think>{thought} ({i})</think>\n\nSo the answer is \\boxed{{{i % 50}}}.", n_tokens=600,
                       finish_reason="stop") for i in range(n)]
    req = Request(task="math500", doc_id="d", sampling=SamplingParams(), prompt="q")
    timings = {}
    for label, infos in (("estimate", {}), ("SmolLM2 tokenizer", {"model": ModelInfo(
            spec="hf:smollm2", backend="hf", name="smollm2", fingerprint="x", path=str(ensure_smollm2()))})):
        view = AnswerView.for_models(ReasoningPolicy("auto"), infos)
        view.apply(req, gens[:1])  # the tokenizer loads once, outside the timing
        t0 = time.perf_counter()
        answers = view.apply(req, gens)
        timings[label] = time.perf_counter() - t0
    sample = answers[:200]
    t0 = time.perf_counter()
    for i, g in enumerate(sample):
        score_math(Doc(str(i), {"answer": str(i % 50)}), [g.text])
    grade_s = (time.perf_counter() - t0) / len(sample) * n
    assert all(g.meta["reasoning_verdict"] == "complete" for g in answers)
    print(f"{n} generations; math-verify grading {grade_s:.2f} s (extrapolated from {len(sample)})")
    for label, split_s in timings.items():
        print(f"  split, thinking tokens counted by {label}: {split_s * 1e3:.1f} ms ({split_s / n * 1e6:.1f} us each); "
              f"split / grading = {split_s / grade_s:.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
