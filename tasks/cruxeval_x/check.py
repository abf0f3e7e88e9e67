"""`harness sandbox check`: run the reference programs of tasks through a sandbox and print the
pass rate per language, the failing ids and, with --repeat, the flaky ones.

Works for any task that exposes `reference_programs(docs) -> [(doc_id, Program)]` (CRUXEval-X,
CRUXEval); `--programs gold` runs instead the test programs built from the gold answers
(`gold_programs`), which checks the program construction itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from harness.cli import run_command
from harness.errors import HarnessError

@dataclass
class Row:
    label: str
    ids: list[str] = field(default_factory=list)
    runs: dict[str, list[bool]] = field(default_factory=lambda: defaultdict(list))
    why: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # listed defects and flaky ids
    seconds: float = 0.0

    def failing(self) -> list[str]:
        return [i for i in self.ids if not any(self.runs[i])]

    def flaky(self) -> list[str]:
        return [i for i in self.ids if any(self.runs[i]) and not all(self.runs[i])]

    def passed(self) -> int:
        return sum(all(self.runs[i]) for i in self.ids)

    def unexpected(self) -> list[str]:
        return [i for i in self.failing() + self.flaky() if i not in self.known]


def _label(task) -> str:
    lang = getattr(task, "lang", None)
    return lang if lang else task.name


def collect(task_spec: str, data_dir, limit: int | None, languages: set[str] | None, which: str,
            sample: int | None = None):
    """{label: [(doc_id, Program)]}, identical programs of one label run once."""
    from harness.registry import resolve

    out: dict[str, dict[str, object]] = defaultdict(dict)
    known: dict[str, dict[str, str]] = defaultdict(dict)
    for task in resolve(task_spec):
        label = _label(task)
        if languages and label not in languages:
            continue
        getter = getattr(task, {"gold": "gold_programs", "vacuous": "vacuous_programs"}.get(which, "reference_programs"), None)
        if getter is None:
            raise HarnessError(f"task '{task.name}' has no {which} programs to check",
                               "sandbox check works for tasks that run programs (cruxeval-x, cruxeval)")
        docs = task.load_docs(data_dir)[:limit] if limit else task.load_docs(data_dir)
        if sample and len(docs) > sample:  # spread over the whole id range, not the first ones
            docs = [docs[i * len(docs) // sample] for i in range(sample)]
        key_label = label if which == "code" else f"{label}:{getattr(task, 'mode', '')}"
        for doc_id, program in getter(docs):
            out[key_label].setdefault(doc_id, program)
        if hasattr(task, "known_issues"):
            known[key_label].update(task.known_issues(docs))
    if not out:
        raise HarnessError(f"no task of '{task_spec}' matches the languages asked for",
                           "check --languages against `harness tasks list`")
    return out, known


def run_check(args: argparse.Namespace) -> int:
    import sandboxes

    languages = {x.strip() for x in args.languages.split(",")} if args.languages else None
    groups, known = collect(args.tasks, args.data_dir, args.limit, languages, args.programs, args.sample)
    # repeats must really run again: no verdict cache then
    box = sandboxes.get_sandbox(args.kind, cache=args.repeat <= 1)
    rows: list[Row] = []
    wall = time.monotonic()
    try:
        skipped = _skip_unavailable(box, groups)
        box.start(sorted({p.language for g in groups.values() for p in g.values()}))
        for label, programs in sorted(groups.items()):
            row = Row(label, ids=list(programs), known=known.get(label, {}))
            t0 = time.monotonic()
            for n in range(max(1, args.repeat)):
                verdicts = box.run_many(list(programs.values()))
                for doc_id, v in zip(programs, verdicts):
                    # vacuous: a program with a wrong answer must fail; passing is the finding
                    ok = bool(v.passed) != (args.programs == "vacuous")
                    row.runs[doc_id].append(ok)
                    if not ok:
                        row.why.setdefault(doc_id, "passes with another problem's answer"
                                           if args.programs == "vacuous" else _why(v))
            row.seconds = time.monotonic() - t0
            rows.append(row)
            _print_row(row, args.repeat)
        provenance = box.describe()
    finally:
        box.close()
    total = time.monotonic() - wall
    _print_summary(rows, total, provenance, skipped)
    if args.report:
        _write_report(Path(args.report), rows, total, provenance, args, skipped)
    return 0 if all(not r.unexpected() for r in rows) else 1


def _skip_unavailable(box, groups: dict[str, dict]) -> dict[str, str]:
    """Drop (and say why) the languages this sandbox has no toolchain or image for: on a machine
    without a registry, Julia and Swift. Every language asked for being absent is an error."""
    skipped: dict[str, str] = {}
    for label in sorted(groups):
        why = box.unavailable(next(iter(groups[label].values())).language)
        if why is None:
            continue
        skipped[label] = why
        print(f"{label:12s} skipped: {why}", flush=True)
        del groups[label]
    if not groups:
        raise HarnessError(f"the {box.kind} sandbox can run none of the languages asked for",
                           "; ".join(sorted(set(skipped.values()))))
    return skipped


def _why(verdict) -> str:
    detail = getattr(verdict, "detail", "") or ""
    if not detail:
        lines = (verdict.stderr or verdict.stdout or "").strip().splitlines()
        detail = lines[-1] if lines else ""
    return f"{getattr(verdict.reason, 'value', verdict.reason)}: {detail}"[:200]


def _print_row(row: Row, repeat: int) -> None:
    n = len(row.ids)
    rate = 100.0 * row.passed() / n if n else 0.0
    print(f"{row.label:12s} {row.passed():5d}/{n:<5d} {rate:6.2f}%  failing {len(row.failing()):3d}  "
          f"flaky {len(row.flaky()):3d}  ({row.seconds:.1f}s, {repeat}x)", flush=True)
    for i in row.failing():
        note = f" [known: {row.known[i]}]" if i in row.known else ""
        print(f"    fail {i}: {row.why.get(i, '')}{note}")
    for i in row.flaky():
        note = f" [known: {row.known[i]}]" if i in row.known else ""
        print(f"    flaky {i}: passed {sum(row.runs[i])}/{len(row.runs[i])} runs; {row.why.get(i, '')}{note}")
    if row.known and (row.failing() or row.flaky()):
        print(f"    unexpected: {len(row.unexpected())} (known defects and flaky ids: reliability in the task)")


def _print_summary(rows: list[Row], total: float, provenance: dict, skipped: dict[str, str]) -> None:
    n = sum(len(r.ids) for r in rows)
    ok = sum(r.passed() for r in rows)
    unexpected = sum(len(r.unexpected()) for r in rows)
    print(f"total        {ok:5d}/{n:<5d} {100.0 * ok / max(n, 1):6.2f}%  in {total:.1f}s "
          f"({n / max(total, 1e-9):.1f} programs/s) sandbox={provenance.get('kind', '?')}; "
          f"{len(rows)} languages, {unexpected} unexpected failures"
          + (f", skipped: {', '.join(sorted(skipped))}" if skipped else ""))


def _write_report(path: Path, rows: list[Row], total: float, provenance: dict, args,
                  skipped: dict[str, str]) -> None:
    report = {"tasks": args.tasks, "programs": args.programs, "repeat": args.repeat, "limit": args.limit,
              "sample": args.sample,
              "wall_s": round(total, 1), "sandbox": provenance, "skipped": skipped,
              "languages": {r.label: {"n": len(r.ids), "passed": r.passed(), "seconds": round(r.seconds, 1),
                                      "failing": {i: r.why.get(i, "") for i in r.failing()},
                                      "unexpected": r.unexpected(),
                                      "flaky": {i: r.runs[i] for i in r.flaky()}} for r in rows}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1, default=str))
    print(f"report written to {path}")


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tasks", default="cruxeval-x", help="tasks or groups (default: cruxeval-x)")
    p.add_argument("--limit", type=int, default=None, help="the first N problems of each task")
    p.add_argument("--sample", type=int, default=None,
                   help="N problems of each task spread evenly over its ids (a stratified sample)")
    p.add_argument("--kind", choices=["docker", "bwrap"], default=None,
                   help="sandbox kind (default: docker when an engine is reachable, else bwrap)")
    p.add_argument("--languages", default=None, help="comma-separated language codes (cpp,java,...)")
    p.add_argument("--repeat", type=int, default=1, help="run every program N times to find flaky ones")
    p.add_argument("--programs", choices=["code", "gold", "vacuous"], default="code",
                   help="code: the data's programs; gold: test programs built from the gold answers; "
                        "vacuous: output programs with a wrong answer (those that pass are vacuous tests)")
    p.add_argument("--data-dir", default=None, help="data root (default: ../shared/data or $HARNESS_DATA_DIR)")
    p.add_argument("--report", default=None, help="write the per-id results as JSON here")
    p.set_defaults(func=run_check)


def add_check_command(sandbox_subparsers) -> None:
    """Add `check` under `harness sandbox` (the lead calls this on that parser's subparsers)."""
    _add_arguments(sandbox_subparsers.add_parser(
        "check", help="run tasks' reference programs in a sandbox; pass rate per language"))


def register_cli(subparsers) -> None:
    """`harness sandbox check` and `harness sandbox audit` when the `sandbox` command is already
    registered (sandboxes.cli, listed before this module), else a standalone `harness sandbox-check`."""
    from tasks.cruxeval_x.audit import add_audit_command

    sandbox = subparsers.choices.get("sandbox")
    actions = [a for a in getattr(sandbox, "_actions", []) if isinstance(a, argparse._SubParsersAction)]
    if actions and "check" not in actions[0].choices:
        add_check_command(actions[0])
        add_audit_command(actions[0])
        return
    _add_arguments(subparsers.add_parser(
        "sandbox-check", help="run tasks' reference programs in a sandbox; pass rate per language"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tasks.cruxeval_x.check")
    _add_arguments(parser)
    return run_command(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
