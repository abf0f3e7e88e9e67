"""T-Eval PLAN scoring throughput: embeddings batched across the whole file (score_all) versus
embedding row by row (as the reference does), in one run, side by side.

The predictions are the gold plans themselves, rendered as a model would answer (json), so the
text volume is the real file's. Prints rows/second for both and the ratio.

    python bench/teval_plan_throughput.py [--task teval-plan-json] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import time

from harness.embeddings import load_embedder
from harness.requests import Generation
from harness.task import DocState, ScoringContext
from tasks.teval import files
from tasks.teval.task import TEvalTask


def gold_answer(row: dict) -> str:
    if row["meta"]["prompt_type"] == "str":
        return "\n".join(f"Use {s['name']} with {s['args']}" for s in row["ground_truth"] if s["name"] != "FinishAction")
    return json.dumps([{"id": s["id"], "name": s["name"], "args": str(s["args"])} for s in row["ground_truth"]])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="teval-plan-json", choices=["teval-plan-json", "teval-plan-str"])
    ap.add_argument("--limit", type=int, default=None, help="first N rows (default: the whole file)")
    args = ap.parse_args()

    task = TEvalTask(files.SPECS[args.task])
    docs = task.load_docs(None)[: args.limit]
    items = [(d, DocState(outputs={"main": [Generation(text=gold_answer(d.data))]})) for d in docs]
    t0 = time.perf_counter()
    embedder = load_embedder()
    print(f"embedder loaded in {time.perf_counter() - t0:.1f}s: {embedder.describe()['model']}")
    ctx = ScoringContext(resources={"embedder": embedder})
    embedder.encode(["warm-up"])

    t0 = time.perf_counter()
    batched = task.score_all(items, ctx)
    t_batched = time.perf_counter() - t0

    t0 = time.perf_counter()
    row_by_row = [task.score(doc, state, ctx) for doc, state in items]
    t_rows = time.perf_counter() - t0

    same = all(abs(a.values["f1_score"] - b.values["f1_score"]) < 1e-6 for a, b in zip(batched, row_by_row))
    n = len(items)
    print(f"{args.task}: {n} rows")
    print(f"  batched across the file: {t_batched:8.2f}s  {n / t_batched:8.2f} rows/s")
    print(f"  row by row             : {t_rows:8.2f}s  {n / t_rows:8.2f} rows/s")
    print(f"  speed-up (batched / row by row): {t_rows / t_batched:.2f}x; same F1 per row: {same}")


if __name__ == "__main__":
    main()
