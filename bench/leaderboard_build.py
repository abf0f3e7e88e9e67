"""How long a leaderboard build takes as models and documents grow (prints figures, asserts nothing).

python bench/leaderboard_build.py [--docs 500] [--models 2 4 8]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from harness.metrics import aggregate_means
from harness.results import ModelInfo, Provenance, RunResult, SampleRecord, TaskResult, write_samples
from harness.task import SampleScore
from leaderboard.collect import collect
from leaderboard.site import render_board


def write_runs(root: Path, n_models: int, n_docs: int) -> None:
    rng = np.random.default_rng(0)
    for m in range(n_models):
        scores = [SampleScore(f"d{i}", {"accuracy": float(rng.random() < 0.3 + 0.05 * m)},
                              {"subject": f"s{i % 7}", "level": f"Level {1 + i % 5}"}) for i in range(n_docs)]
        metrics, breakdown = aggregate_means(scores)
        tr = TaskResult(task="math500", version="1", prompt_hash="0" * 16, n_docs=n_docs, sampling={"temperature": 0.0},
                        metrics=metrics, breakdown=breakdown)
        run = root / f"run{m}"
        RunResult(run_id=f"run{m}", model=ModelInfo(spec=f"m{m}", backend="hf", name=f"model-{m}", fingerprint=f"f{m}"),
                  tasks={"math500": tr}, provenance=Provenance(harness_version="0")).write(run)
        write_samples(run, "math500", [SampleRecord(task="math500", doc_id=s.doc_id, prompt="x" * 400,
                                                    outputs=["y" * 1500], values=s.values, groups=s.groups)
                                       for s in scores])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=500)
    ap.add_argument("--models", type=int, nargs="+", default=[2, 4, 8])
    args = ap.parse_args()
    print(f"{'models':>6} {'docs':>6} {'collect s':>10} {'render s':>9} {'pages':>6} {'site MB':>8}")
    for n in args.models:
        tmp = Path(tempfile.mkdtemp(prefix="lb-bench-"))
        try:
            write_runs(tmp / "results", n, args.docs)
            t0 = time.perf_counter()
            board = collect(tmp / "results")
            t1 = time.perf_counter()
            report = render_board(board, tmp / "site")
            t2 = time.perf_counter()
            size = sum(p.stat().st_size for p in (tmp / "site").rglob("*") if p.is_file()) / 2**20
            print(f"{n:>6} {args.docs:>6} {t1 - t0:>10.2f} {t2 - t1:>9.2f} {len(report.pages):>6} {size:>8.1f}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
