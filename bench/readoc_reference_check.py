"""READoc S3: this harness's per-document columns against the reference implementation's, cell
for cell, on the same gold and predictions, with the pandoc binary both use.

    git clone https://github.com/icip-cas/READoc /tmp/READoc
    pip install --target /tmp/refdeps nltk pandoc        # the reference's own dependencies
    PYTHONPATH=/tmp/refdeps python bench/readoc_reference_check.py --reference /tmp/READoc \\
        [--runs RUN_DIR ...] [--subsets arxiv,github,zenodo] [--data-dir ../shared/data]

Predictions: the gold perturbed (bench/readoc_scoring.py: paragraphs swapped, headings demoted,
~3% of characters changed) for every subset, plus the stored outputs of any `harness run`
directories given (converters' Markdown, or a VLM's joined pages). The reference is imported from
its `src/evaluation` (scoring.py, segmentation.py, standardization.py, utils.py); its METEOR needs
a WordNet download and is not one of the ten columns, so it is stubbed to 0. Zenodo's columns are
the reference's later suite_e2e.py (text, heading, table, reading order).

Prints, per subset and source, how many cells agree (|difference| <= 1e-9, or both undefined) and
lists every cell that does not, with the pandoc version in use. `--write-fixture F` saves the
reference's cells for the perturbed gold (tests/readoc/test_reference_cells.py checks against them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.readoc_scoring import perturb  # noqa: E402
from harness.paths import data_root  # noqa: E402
from tasks.readoc import data  # noqa: E402
from tasks.readoc.s3 import SUBSET_COLUMNS, score_document  # noqa: E402
from tasks.readoc.s3.pandoc import pandoc_path, pandoc_version  # noqa: E402

#: our column -> (reference result key, metric group, metric) as suite_e2e.py reads them
REFERENCE_CELLS = {
    "text_concat": ("plain", "metrics", "edit_dist_sim"),
    "text_vocab": ("plain", "metrics", "f_measure"),
    "heading_concat": ("head", "concated", "edit_dist_sim"),
    "heading_tree": ("head", "logical", "teds"),
    "formula_embed": ("math", "inline_concated", "edit_dist_sim"),
    "formula_isolate": ("math", "outline_concated", "edit_dist_sim"),
    "table_concat": ("table", "concated", "edit_dist_sim"),
    "table_tree": ("table", "mapped", "teds_min"),
    "order_block": ("order", "segment", "kendall_tau"),
    "order_token": ("order", "word", "kendall_tau"),
}


def load_reference(root: Path):
    src = root / "src" / "evaluation"
    if not (src / "scoring.py").is_file():
        sys.exit(f"{src} has no scoring.py: pass a checkout of icip-cas/READoc")
    sys.path.insert(0, str(src))
    import nltk

    nltk.translate.meteor = lambda *a, **k: 0.0  # needs WordNet; not one of the columns
    import scoring
    import segmentation
    import standardization

    def file_evaluate(gold_md: str, pred_md: str, subset: str) -> dict:
        gold = segmentation.extract_materials(standardization.clean_md(gold_md))
        pred = segmentation.extract_materials(standardization.clean_md(pred_md))
        out = {
            "plain": scoring.TextEvaluate(gold["subtask"]["plain"], pred["subtask"]["plain"]),
            "head": scoring.HeadEvaluate(gold["subtask"]["heads"], pred["subtask"]["heads"]),
            "order": scoring.OrderEvaluate(gold["overall"], pred["overall"], gold["segments"], pred["segments"]),
        }
        if subset in ("arxiv", "zenodo"):
            out["table"] = scoring.TableEvaluate(gold["subtask"]["table"], pred["subtask"]["table"])
        if subset == "arxiv":
            out["math"] = scoring.MathEvaluate(gold["subtask"]["math"], pred["subtask"]["math"])
        cells = {}
        for col in SUBSET_COLUMNS[subset]:
            key, group, metric = REFERENCE_CELLS[col]
            cells[col] = out[key].metric_dict.get(group, {}).get(metric)
        return cells

    return file_evaluate


def predictions_from_run(run_dir: Path, subset: str) -> dict[str, str]:
    """doc id -> the Markdown the run scored (a converter's output or a model's joined pages)."""
    out = {}
    for task in (f"readoc-{subset}", f"readoc-{subset}-pages"):
        path = run_dir / "samples" / f"{task}.jsonl"
        if path.is_file():
            for line in path.read_text().splitlines():
                rec = json.loads(line)
                out[rec["doc_id"]] = rec["record"].get("prediction") or (rec["outputs"] or [""])[0]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reference", type=Path, required=True, help="a checkout of icip-cas/READoc")
    ap.add_argument("--runs", type=Path, nargs="*", default=[], help="harness run directories with readoc samples")
    ap.add_argument("--subsets", default=",".join(data.SUBSETS))
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--write-fixture", type=Path, help="save the reference's cells on the perturbed gold here")
    args = ap.parse_args()
    reference = load_reference(args.reference)
    print(f"pandoc {pandoc_version()} ({pandoc_path()})")
    root = data_root(args.data_dir)
    total = agree = 0
    fixture: dict = {"pandoc": pandoc_version(), "source": "perturbed gold (bench/readoc_scoring.py perturb(md, i))",
                     "cells": {}}
    for subset in args.subsets.split(","):
        docs = data.find_documents(subset, root)
        sources = {"perturbed gold": {d.doc_id: perturb(d.gold.read_text(encoding="utf-8"), i)
                                      for i, d in enumerate(docs)}}
        for run in args.runs:
            preds = predictions_from_run(run, subset)
            if preds:
                sources[run.name] = preds
        for name, preds in sources.items():
            n = same = 0
            diffs = []
            for d in docs:
                if d.doc_id not in preds:
                    continue
                gold = d.gold.read_text(encoding="utf-8")
                ours = score_document(gold, preds[d.doc_id], subset).values
                theirs = reference(gold, preds[d.doc_id], subset)
                if name == "perturbed gold":
                    fixture["cells"].setdefault(subset, {})[d.doc_id] = theirs
                for col in SUBSET_COLUMNS[subset]:
                    a, b = ours.get(col), theirs.get(col)
                    ok = (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9)
                    n += 1
                    same += ok
                    if not ok:
                        diffs.append(f"    {d.doc_id[:48]} {col}: harness {a} reference {b}")
            total, agree = total + n, agree + same
            print(f"{subset:7s} {name:24s} {same}/{n} cells agree")
            print("\n".join(diffs[:20]) + ("\n    ..." if len(diffs) > 20 else "") if diffs else "", end="")
    print(f"all: {agree}/{total} cells agree")
    if args.write_fixture:
        args.write_fixture.parent.mkdir(parents=True, exist_ok=True)
        args.write_fixture.write_text(json.dumps(fixture, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
