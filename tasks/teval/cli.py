"""`harness teval summary RUN_DIR`: the six ability scores and the overall score of a run."""

from __future__ import annotations

import json
from pathlib import Path


def register_cli(subparsers) -> None:
    p = subparsers.add_parser("teval", help="T-Eval helpers")
    sub = p.add_subparsers(dest="teval_cmd", required=True)
    s = sub.add_parser("summary", help="ability scores and overall score of a run's T-Eval tasks")
    s.add_argument("run_dir", type=Path)
    s.add_argument("--version", choices=["v1", "v2"], default="v1")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")
    s.set_defaults(func=_summary)


def _summary(args) -> int:
    from harness.errors import HarnessError
    from harness.results import load_results
    from tasks.teval.summary import format_summary, summarize

    result = load_results(args.run_dir)
    summary = summarize(result.tasks, args.version)
    if not summary["abilities"] or all(v is None for v in summary["abilities"].values()):
        raise HarnessError(f"no T-Eval {args.version} tasks in {args.run_dir}", "run `harness run --tasks teval` first")
    print(json.dumps(summary, indent=1) if args.json else format_summary(summary))
    return 0
