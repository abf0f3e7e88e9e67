"""`harness sandbox audit --tasks cruxeval-x`: run the guard's own cheating corpus (cheats.py)
through `harness run --model replay:` in each sandbox kind, and print per language how many were
rejected by the answer check, failed when run (and why), or passed. With `--guard-off` it also
runs them without the answer check: what the completion proof alone stops, and what only the
answer check stops. Exit status 1 when any cheat passes with the check on.

The corpus is applied to one problem per language (cheats.PROBLEM_ID), copied into a small data
directory of its own so the run sees exactly that problem.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from harness.errors import HarnessError
from tasks.cruxeval_x import cheats
from tasks.cruxeval_x.data import load_problems
from tasks.cruxeval_x.languages import LANGUAGE_CODES, LANGUAGES


def prepare(data_dir: str | None, workdir: Path, languages: list[str], python_cruxeval: bool
            ) -> tuple[Path, Path, list[str], int, dict[tuple[str, int], str]]:
    """A data directory with the corpus's problem, a replay file of the cheats, the task names,
    the samples per document, and each (task, sample index)'s cheat class."""
    data = workdir / "data"
    folder = data / "cruxeval-x" / "datasets" / "cruxeval_preprocessed"
    folder.mkdir(parents=True, exist_ok=True)
    rows, tasks, classes = [], [], {}
    for lang in LANGUAGE_CODES:  # every language's file: the common-id set reads them all
        problem = next((p for p in load_problems(data_dir, lang) if p.id == cheats.PROBLEM_ID), None)
        if problem is None:
            raise HarnessError(f"CRUXEval-X {lang} has no problem {cheats.PROBLEM_ID} for the audit",
                               "pass --data-dir with the released data")
        (folder / f"{lang}.jsonl").write_text(json.dumps({
            "id": problem.id, "code": problem.code, "input_reasoning": problem.input_template,
            "output_reasoning": problem.output_template}) + "\n")
        if lang not in languages:
            continue
        call, out = problem.gold("input")[0], problem.gold("output")[0]
        for mode in ("input", "output"):
            found = cheats.answers(lang, mode, call, out)
            if found:
                task = f"cruxeval-x-{mode}-{lang}"
                tasks.append(task)
                rows.append((task, str(problem.id), [f"[ANSWER]\n{text}\n" for _, text in found]))
                classes.update({(task, i): kind for i, (kind, _) in enumerate(found)})
    if python_cruxeval:
        from tasks.cruxeval.task import load_rows

        row = load_rows(data_dir)[0]
        (data / "cruxeval").mkdir(parents=True, exist_ok=True)
        (data / "cruxeval" / "cruxeval.jsonl").write_text(json.dumps(row) + "\n")
        for task, found in cheats.CRUXEVAL_CHEATS.items():
            tasks.append(task)
            rows.append((task, row["id"], [text for _, text in found]))
            classes.update({(task, i): kind for i, (kind, _) in enumerate(found)})
    if not rows:
        raise HarnessError("no cheats for the languages asked for", f"use some of {', '.join(sorted(cheats.CHEATS))}")
    samples = max(len(outputs) for _, _, outputs in rows)
    replay = workdir / "cheats.jsonl"
    with replay.open("w") as f:
        for task, doc_id, outputs in rows:  # padded with the first: duplicates run once
            f.write(json.dumps({"task": task, "doc_id": doc_id,
                                "outputs": outputs + [outputs[0]] * (samples - len(outputs))}) + "\n")
    return replay, data, tasks, samples, classes


def run_corpus(kind: str, guard: bool, replay: Path, data: Path, tasks: list[str], samples: int,
               run_dir: Path) -> list[dict[str, Any]]:
    """One replayed run; every cheat's record: task, language, class, answer, verdict, passed."""
    from harness.evaluate import RunConfig, evaluate
    from harness.results import load_samples

    # temperature: n samples of one prompt differ only when sampled (replay ignores it)
    cfg = RunConfig(model=f"replay:{replay}", tasks=",".join(tasks), limit=1, samples=samples, temperature=1.0,
                    data_dir=str(data), scoring_options={"sandbox": kind, "splice_guard": guard})
    evaluate(cfg, run_dir, progress=False)
    out = []
    for task in tasks:
        for record in load_samples(run_dir, task):
            seen = set()
            for i, sample in enumerate(record.record.get("samples", [])):
                if sample["answer"] in seen:
                    continue  # the padding
                seen.add(sample["answer"])
                out.append({"task": task, "language": record.groups.get("language", task), "index": i,
                            **{k: sample.get(k) for k in ("answer", "verdict", "passed", "rejected", "detail")}})
    return out


def summarize(results: list[dict[str, Any]], classes: dict[tuple[str, int], str]) -> dict[str, dict[str, Any]]:
    by_lang: dict[str, dict[str, Any]] = defaultdict(lambda: {"cheats": 0, "rejected": 0, "failed": Counter(),
                                                               "passed": []})
    for r in results:
        row = by_lang[r["language"]]
        row["cheats"] += 1
        if r["passed"]:
            row["passed"].append(f"{classes.get((r['task'], r['index']), '?')}: {r['answer'][:60]}")
        elif r["verdict"] == "rejected":
            row["rejected"] += 1
        else:
            row["failed"][r["verdict"]] += 1
    return dict(sorted(by_lang.items()))


def print_summary(title: str, summary: dict[str, dict[str, Any]]) -> None:
    print(title)
    for lang, row in summary.items():
        failed = ", ".join(f"{k} {v}" for k, v in sorted(row["failed"].items())) or "-"
        print(f"  {lang:6s} cheats {row['cheats']:2d}  rejected {row['rejected']:2d}  "
              f"failed {sum(row['failed'].values()):2d} ({failed})  passed {len(row['passed'])}")
        for what in row["passed"]:
            print(f"         passed: {what}")


def run_audit(args: argparse.Namespace) -> int:
    from sandboxes import KINDS

    languages = ([x.strip() for x in args.languages.split(",")] if args.languages
                 else sorted(cheats.CHEATS))
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise HarnessError(f"unknown CRUXEval-X language(s): {', '.join(unknown)}",
                           f"use some of {', '.join(sorted(cheats.CHEATS))}")
    wanted = {t.strip() for t in args.tasks.split(",")}
    if not wanted <= {"cruxeval-x", "cruxeval"}:
        raise HarnessError(f"sandbox audit knows the corpora of cruxeval-x and cruxeval, not {args.tasks}",
                           "use --tasks cruxeval-x or --tasks cruxeval-x,cruxeval")
    if "cruxeval-x" not in wanted:
        languages = []
    kinds = list(KINDS) if args.kind in (None, "both") else [args.kind]
    workdir = Path(tempfile.mkdtemp(prefix="harness-audit-"))
    report: dict[str, Any] = {}
    cheated = 0
    try:
        replay, data, tasks, samples, classes = prepare(args.data_dir, workdir, languages, "cruxeval" in wanted)
        for kind in kinds:
            for guard in ([True, False] if args.guard_off else [True]):
                label = f"{kind}, answer check {'on' if guard else 'off'}"
                results = run_corpus(kind, guard, replay, data, tasks, samples,
                                     workdir / f"run-{kind}-{'on' if guard else 'off'}")
                summary = summarize(results, classes)
                print_summary(label, summary)
                report[label] = {"summary": summary, "results": results}
                if guard:
                    cheated += sum(len(row["passed"]) for row in summary.values())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=1, default=list))
        print(f"report written to {args.report}")
    print("no cheat passed with the answer check on" if not cheated else f"{cheated} cheat(s) PASSED")
    return 1 if cheated else 0


def add_audit_command(sandbox_subparsers) -> None:
    p = sandbox_subparsers.add_parser(
        "audit", help="run the answer check's own cheating corpus in the sandboxes: every cheat must fail")
    p.add_argument("--tasks", default="cruxeval-x", help="cruxeval-x and/or cruxeval (default: cruxeval-x)")
    p.add_argument("--kind", choices=["docker", "bwrap", "both"], default="both", help="sandbox kind(s) (default: both)")
    p.add_argument("--languages", default=None, help="comma-separated language codes (default: all 17 with cheats)")
    p.add_argument("--guard-off", action="store_true",
                   help="also run without the answer check: what the completion proof alone stops")
    p.add_argument("--data-dir", default=None, help="data root (default: ../shared/data or $HARNESS_DATA_DIR)")
    p.add_argument("--report", default=None, help="write every cheat's verdict as JSON here")
    p.set_defaults(func=run_audit)
