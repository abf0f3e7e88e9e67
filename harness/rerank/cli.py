"""`harness rerank RUN_DIR --rerank SPEC [--rerank SPEC ...]`: rerank stored candidates."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from harness.errors import HarnessError

SPEC_HELP = ("reward model, repeatable: implicit-prm:policy=PATH,ref=PATH,beta=0.001[,agg=min|sum|last|qmin]"
             "[,engine=vllm|hf][,steps=auto|marker|blank|newline] | orm:PATH | prm:PATH[,tag=ки,good=+,bad=-]")


def register_cli(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("rerank", help="rerank a run's stored candidates with reward models (best-of-N)",
                              description="Score the stored candidates of a run with reward models and report "
                                          "best-of-N, weighted majority vote, maj@k and pass@k for N = 1, 2, 4, ...")
    p.add_argument("run_dir", type=Path, help="a run directory made by `harness run` (with samples/)")
    p.add_argument("--rerank", action="append", required=True, metavar="SPEC", help=SPEC_HELP)
    p.add_argument("--tasks", default=None, help="comma-separated tasks of the run (default: all)")
    p.add_argument("--store", type=Path, default=None, help="sample store directory (default: RUN_DIR/store, the run's own)")
    p.add_argument("--bootstrap-draws", type=int, default=200, help="random subsets per N for the bootstrap estimate")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_rerank_cli)
    return p


def add_run_arguments(run_parser: argparse.ArgumentParser) -> None:
    """`harness run ... --rerank SPEC`: the hook for the run command's parser."""
    run_parser.add_argument("--rerank", action="append", metavar="SPEC", help=SPEC_HELP)


def after_run(args, run_dir: Path) -> None:
    """`harness run`'s hook after results.json is written: rerank when --rerank was given."""
    specs = getattr(args, "rerank", None)
    if specs:
        _print_sections(_rerank(run_dir, specs, None, None, 200, getattr(args, "seed", 0) or 0))


def _rerank(run_dir, specs, tasks, store, draws, seed):
    from harness.rerank.pipeline import rerank_run

    return rerank_run(run_dir, specs, tasks, store, draws, seed)


def run_rerank_cli(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if not args.run_dir.is_dir():
        raise HarnessError(f"no run directory at {args.run_dir}", "pass the --output directory of `harness run`")
    tasks = [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else None
    _print_sections(_rerank(args.run_dir, args.rerank, tasks, args.store, args.bootstrap_draws, args.seed))
    return 0


def _print_sections(sections) -> None:
    from harness.rerank.report import _fmt

    for task, sec in sections.items():
        n = sec["n"]
        base = sec["baselines"]
        print(f"{task}: {sec['n_docs']} problems x {n} candidates; maj@{n} {_fmt(base['maj'][str(n)])}, "
              f"pass@{n} {_fmt(base['pass'][str(n)])}")
        for name, entry in sec["rerankers"].items():
            m = entry["metrics"]
            cached = f" ({entry.get('cached', 0)} cached, {entry.get('scored', 0)} scored)" if "scored" in entry else ""
            print(f"  {name}: best-of-{n} {_fmt(m['bon_first'][str(n)])}, weighted vote "
                  f"{_fmt(m['weighted_vote'][str(n)])}{cached}")
            if entry.get("table"):
                print(f"    table {entry['table']}, plot {entry['plots'][0]}")
