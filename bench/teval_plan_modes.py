"""T-Eval PLAN, the two matching modes side by side on whole files: "reference" (each row's four
text lists embedded as separate batches, similarity added in float32, as upstream; the default)
and "batched" (every unique text of the file embedded once, float64), with the v1 (0.7) and v2
(0.8) evaluator thresholds.

The predictions are the gold plans, written as a model would answer (json: the list; str: one
`Use <api> with <args>` line per step). Per file and mode it prints the seconds to build the
similarity matrices (embedding included; the embedder loaded beforehand), then per evaluator the
seconds of matching and the mean precision / recall / F1 / parse rate, and the rows whose F1
differs between the modes. The two evaluators differ only in the threshold, so they share one
similarity matrix per row and mode.

    python bench/teval_plan_modes.py [--task teval-plan-json] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.embeddings import load_embedder  # noqa: E402
from tasks.teval import files  # noqa: E402
from tasks.teval.evaluators import plan  # noqa: E402
from tasks.teval.task import TEvalTask  # noqa: E402

METRICS = ("precision", "recall", "f1_score", "parse_rate")


def gold_answer(row: dict) -> str:
    if row["meta"]["prompt_type"] == "str":
        return "\n".join(f"Use {s['name']} with {s['args']}" for s in row["ground_truth"] if s["name"] != "FinishAction")
    return json.dumps([{"id": s["id"], "name": s["name"], "args": str(s["args"])} for s in row["ground_truth"]])


def repeats_a_step(row: dict) -> bool:
    """The plan names one API twice (FinishAction aside): equal-weight matchings are possible."""
    names = [s["name"] for s in row["ground_truth"] if s["name"] != "FinishAction"]
    return len(set(names)) < len(names)


def similarity_matrices(mode: str, prepared: list, embedder) -> dict[int, object]:
    """Row index -> similarity matrix, as TEvalTask.score_all builds them in this mode."""
    if mode == "reference":
        similarity = plan.ReferenceSimilarity(embedder)
    else:
        texts = list(dict.fromkeys(t for p in prepared for t in plan.texts(p)))
        similarity = plan.BatchedSimilarity(dict(zip(texts, embedder.encode(texts))))
    out = {}
    for i, p in enumerate(prepared):
        if plan.texts(p):
            pred, gt = plan.core_steps(p.pred), plan.core_steps(p.gt)
            if pred and gt:
                out[i] = similarity(pred, gt)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", action="append", choices=["teval-plan-json", "teval-plan-str"],
                    help="default: both files")
    ap.add_argument("--limit", type=int, default=None, help="first N rows (default: the whole file)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    embedder = load_embedder()
    embedder.encode(["warm-up"])
    print(f"embedder loaded in {time.perf_counter() - t0:.1f} s: {embedder.describe()['model']}", flush=True)
    for name in args.task or ["teval-plan-json", "teval-plan-str"]:
        docs = TEvalTask(files.SPECS[name]).load_docs(None)[: args.limit]
        prepared = [plan.prepare(d.data, gold_answer(d.data)) for d in docs]
        print(f"== {name}: {len(docs)} rows, {sum(repeats_a_step(d.data) for d in docs)} repeat a step; gold plans as predictions")
        f1 = {}
        for mode in ("reference", "batched"):
            t0 = time.perf_counter()
            matrices = similarity_matrices(mode, prepared, embedder)
            seconds = time.perf_counter() - t0
            print(f"  {mode:9s}: similarity {seconds:8.1f} s ({len(docs) / seconds:.2f} rows/s)")
            for evaluator, threshold in plan.THRESHOLDS.items():
                t0 = time.perf_counter()
                values = [plan.finish(p, lambda pred, gt, i=i: matrices[i], threshold)[0] for i, p in enumerate(prepared)]
                seconds = time.perf_counter() - t0
                f1[mode, evaluator] = [v["f1_score"] for v in values]
                means = "  ".join(f"{m} {sum(v[m] for v in values) / len(values):.6f}" for m in METRICS)
                print(f"    evaluator {evaluator} (threshold {threshold}): matching {seconds:5.1f} s  {means}", flush=True)
        for evaluator in plan.THRESHOLDS:
            a, b = f1["reference", evaluator], f1["batched", evaluator]
            differ = [(docs[i].id, x, y) for i, (x, y) in enumerate(zip(a, b)) if abs(x - y) > 1e-12]
            below = sum(x < 1 for x in a)
            print(f"  evaluator {evaluator}: reference mode F1 < 1 on {below} rows; "
                  f"F1 differs between the modes on {len(differ)} rows (mean F1 {sum(a) / len(a):.6f} vs {sum(b) / len(b):.6f})")
            for doc_id, x, y in differ:
                print(f"    {doc_id}: reference {x:.4f}, batched {y:.4f}")


if __name__ == "__main__":
    main()
