"""`harness parity`: the same greedy requests through two backends; where do outputs and
verdicts diverge? Scores that silently change with the backend are caught here."""

from __future__ import annotations

import json
from pathlib import Path

from rich.table import Table

from harness.errors import HarnessError
from harness.evaluate import evaluate
from harness.report import console
from harness.results import load_samples


def run_parity(args, run_config_from_args) -> int:
    """`harness parity`: the CLI passes its args and how it turns them into a RunConfig."""
    kinds = [k.strip() for k in args.backends.split(",") if k.strip()]
    if len(kinds) != 2:
        raise HarnessError("--backends needs exactly two backends, e.g. vllm,hf")
    if args.temperature not in (None, 0.0) or (args.samples or 1) > 1:
        raise HarnessError("parity compares greedy decoding", "drop --temperature and --samples")
    target = args.model.split(":", 1)[1] if args.model.split(":", 1)[0] in ("vllm", "hf") else args.model
    base = Path(args.output or f"runs/parity-{Path(target).name}")
    if args.dtype is None:
        args.dtype = "float32"  # both backends at the checkpoint's full precision
    args.temperature = 0.0  # greedy even for tasks that sample by default (READoc's 0.7)
    runs = {}
    for kind in kinds:
        args.system, args.backend = None, None
        cfg = run_config_from_args(args)
        cfg.model = f"{kind}:{target}"
        runs[kind] = evaluate(cfg, base / kind, progress=False if args.no_progress else None)
    report = compare_runs(base / kinds[0], base / kinds[1], list(runs[kinds[0]].tasks))
    (base / "parity.json").write_text(json.dumps(report, indent=2))
    _print(report, kinds)
    print(f"report: {base / 'parity.json'}")
    return 0


def compare_runs(dir_a: Path, dir_b: Path, tasks: list[str]) -> dict:
    out = {}
    for task in tasks:
        a = {r.doc_id: r for r in load_samples(dir_a, task)}
        b = {r.doc_id: r for r in load_samples(dir_b, task)}
        shared = sorted(set(a) & set(b))
        diverged = []
        same_out = same_verdict = 0
        for doc_id in shared:
            ra, rb = a[doc_id], b[doc_id]
            # every request's outputs: `main`, and the tagged ones (READoc's pages, agent turns)
            out_a, out_b = _all_outputs(ra), _all_outputs(rb)
            eq_out = out_a == out_b
            eq_verdict = ra.values == rb.values
            same_out += eq_out
            same_verdict += eq_verdict
            if not (eq_out and eq_verdict):
                diverged.append({"doc_id": doc_id, "same_output": eq_out, "same_verdict": eq_verdict,
                                 "first_difference_at": _first_diff(out_a, out_b),
                                 "values_a": ra.values, "values_b": rb.values})
        out[task] = {"n": len(shared), "same_output": same_out, "same_verdict": same_verdict,
                     "output_agreement": same_out / len(shared) if shared else None,
                     "verdict_agreement": same_verdict / len(shared) if shared else None,
                     "diverged": diverged}
    return out


def _all_outputs(rec) -> list[str]:
    return list(rec.outputs) + [o for tag in sorted(rec.extra_outputs) for o in rec.extra_outputs[tag]]


def _first_diff(xs: list[str], ys: list[str]) -> int | None:
    for x, y in zip(xs, ys):
        if x != y:
            return next((i for i, (c, d) in enumerate(zip(x, y)) if c != d), min(len(x), len(y)))
    return None


def _print(report: dict, kinds: list[str]) -> None:
    t = Table(title=f"parity: {kinds[0]} vs {kinds[1]} (greedy)")
    for col in ("task", "n", "same output", "same verdict", "diverged ids"):
        t.add_column(col)
    for task, r in report.items():
        ids = ", ".join(d["doc_id"] for d in r["diverged"][:5]) + (" ..." if len(r["diverged"]) > 5 else "")
        t.add_row(task, str(r["n"]), f"{r['same_output']}/{r['n']}", f"{r['same_verdict']}/{r['n']}", ids or "-")
    console.print(t)
