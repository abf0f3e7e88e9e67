"""T-Eval PLAN scoring throughput: embeddings batched across the whole file (score_all) versus
embedding row by row (as the reference does), in one run, side by side.

The predictions are the gold plans themselves, rendered as a model would answer (json), so the
text volume is the real file's. Prints rows/second for both, the ratio, and the rows whose F1
differs between the two (only rows that repeat a step may: README quirk 5).

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


def repeats_a_step(row: dict) -> bool:
    """The plan names one API twice (FinishAction aside): equal-weight matchings are possible."""
    names = [s["name"] for s in row["ground_truth"] if s["name"] != "FinishAction"]
    return len(set(names)) < len(names)


def mean_f1(scores) -> float:
    return sum(s.values["f1_score"] for s in scores) / max(len(scores), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--task", default="teval-plan-json", choices=["teval-plan-json", "teval-plan-str"])
    ap.add_argument("--limit", type=int, default=None, help="first N rows (default: the whole file)")
    args = ap.parse_args()

    task = TEvalTask(files.SPECS[args.task])
    docs = task.load_docs(None)[: args.limit]
    docs_by_id = {d.id: d for d in docs}
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

    n = len(items)
    print(f"{args.task}: {n} rows")
    print(f"  batched across the file: {t_batched:8.2f}s  {n / t_batched:8.2f} rows/s  mean F1 {mean_f1(batched):.4f}")
    print(f"  row by row             : {t_rows:8.2f}s  {n / t_rows:8.2f} rows/s  mean F1 {mean_f1(row_by_row):.4f}")
    print(f"  speed-up (batched / row by row): {t_rows / t_batched:.2f}x")
    # The embeddings of a text differ in the last bits with the batch it is encoded in. That moves
    # nothing but the choice networkx makes between equal-weight matchings of repeated steps
    # (README quirk 5), so rows whose plan repeats no step must agree exactly.
    differ = [(d.id, a.values["f1_score"], b.values["f1_score"]) for (d, _), a, b in zip(items, batched, row_by_row)
              if abs(a.values["f1_score"] - b.values["f1_score"]) > 1e-9]
    unexplained = [x for x in differ if not repeats_a_step(docs_by_id[x[0]].data)]
    print(f"  rows whose F1 differs: {len(differ)} of {n} ({sum(repeats_a_step(d.data) for d in docs)} rows repeat a step); "
          f"among rows without repeated steps: {len(unexplained)}")
    for doc_id, a, b in differ[:10]:
        print(f"    {doc_id}: batched {a:.4f}, row by row {b:.4f}")
    if unexplained:
        raise SystemExit(f"F1 differs on rows without repeated steps: {unexplained[:5]}")


if __name__ == "__main__":
    main()
