"""`harness readoc-score`: score a folder of predicted Markdown files against READoc gold, the way
the reference's suite_e2e.py does (`<pred-dir>/<doc_id>.md`; a missing file scores as empty).

    harness readoc-score --subset arxiv|github|zenodo --pred-dir out/arxiv/mytool [--data-dir DIR] [--fix html-tables] [--json F]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from harness.errors import HarnessError
from harness.task import SampleScore
from tasks.readoc import data
from tasks.readoc.s3 import pandoc
from tasks.readoc.s3.suite import COLUMNS, KNOWN_FIXES, SUBSET_COLUMNS, average, score_document


def register_cli(subparsers) -> None:
    p = subparsers.add_parser("readoc-score", help="score predicted Markdown files with the READoc S3 suite")
    p.add_argument("--subset", required=True, choices=data.SUBSETS)
    p.add_argument("--pred-dir", required=True, type=Path, help="folder of <doc_id>.md predictions")
    p.add_argument("--data-dir", type=Path, default=None, help="data root holding readoc/ (default: ../shared/data)")
    p.add_argument("--fix", action="append", default=[], choices=KNOWN_FIXES, help="apply a fix to a known defect")
    p.add_argument("--json", type=Path, default=None, help="also write per-document and mean scores here")
    p.set_defaults(func=run_score)


def run_score(args: argparse.Namespace) -> int:
    if not args.pred_dir.is_dir():
        raise HarnessError(f"prediction folder {args.pred_dir} does not exist", "pass the folder of <doc_id>.md files")
    docs = data.find_documents(args.subset, args.data_dir)
    scores, missing = [], 0
    for d in docs:
        pred_path = args.pred_dir / f"{d.doc_id}.md"
        if not pred_path.is_file():
            missing += 1
        pred = pred_path.read_text(encoding="utf-8", errors="replace") if pred_path.is_file() else ""
        result = score_document(d.gold.read_text(encoding="utf-8"), pred, args.subset, tuple(args.fix))
        scores.append(SampleScore(doc_id=d.doc_id, values=result.values))
    means = column_means(scores, args.subset)
    cols = SUBSET_COLUMNS[args.subset]
    if "table_tree" in cols and (warning := pandoc.version_warning()):
        print(f"warning: {warning}")
    print(" | ".join(COLUMNS[c] for c in cols) + " | Average")
    print(" | ".join(_fmt(means[c]) for c in cols) + f" | {_fmt(average(means, args.subset))}")
    if missing:
        print(f"{missing} of {len(docs)} predictions missing (scored as empty files)")
    if args.json:
        args.json.write_text(json.dumps({"subset": args.subset, "fixes": args.fix, "pandoc": pandoc.pandoc_version(), "means": means,
                                         "average": average(means, args.subset),
                                         "documents": {s.doc_id: s.values for s in scores}}, indent=1))
    return 0


def column_means(scores: list[SampleScore], subset: str) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for c in SUBSET_COLUMNS[subset]:
        vals = [s.values[c] for s in scores if s.values.get(c) is not None]
        out[c] = sum(vals) / len(vals) if vals else None
    return out


def _fmt(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.2f}"  # the paper's scale
