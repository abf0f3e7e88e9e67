"""`harness results show RUN --by verdict`: what happened to every judged sample of a run, per
language: passed, failed (the program ran and did not pass), rejected (the answer check refused
it before running), infra error (the sandbox could not run it; left out of pass@k).

Reads the sample records of tasks that execute answers: `record["samples"]` is a list of
{"passed", "verdict", ...} (CRUXEval, CRUXEval-X). Other tasks have nothing to count.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from rich.table import Table

from harness.results import RunResult, load_samples

CATEGORIES = ("passed", "failed", "rejected", "infra error")
INFRA = {"sandbox_error"}


def category(sample: dict) -> str:
    if sample.get("passed"):
        return "passed"
    verdict = sample.get("verdict", "")
    if verdict == "rejected":
        return "rejected"
    return "infra error" if verdict in INFRA else "failed"


def verdict_counts(run: RunResult, run_dir: Path) -> tuple[dict[str, Counter], dict[str, Counter]]:
    """({group: Counter(category)}, {group: Counter(failing verdict)}), group = the task's
    `language` group, else the task name."""
    cats: dict[str, Counter] = defaultdict(Counter)
    reasons: dict[str, Counter] = defaultdict(Counter)
    for task in run.tasks:
        try:
            records = load_samples(run_dir, task)
        except Exception:  # no sample file for this task
            continue
        for rec in records:
            judged = rec.record.get("samples") if isinstance(rec.record, dict) else None
            if not isinstance(judged, list):
                continue
            group = rec.groups.get("language") or task
            for sample in judged:
                if isinstance(sample, dict) and "passed" in sample:
                    cat = category(sample)
                    cats[group][cat] += 1
                    if cat == "failed":
                        reasons[group][sample.get("verdict") or "?"] += 1
    return dict(sorted(cats.items())), reasons


def verdict_table(run: RunResult, run_dir: Path) -> Table | None:
    cats, reasons = verdict_counts(run, run_dir)
    if not cats:
        return None
    t = Table(title=f"{run.model.name}: verdicts by language")
    t.add_column("language")
    for col in ("samples", *CATEGORIES):
        t.add_column(col, justify="right")
    t.add_column("failed: why")
    total: Counter = Counter()
    for group, counts in cats.items():
        total.update(counts)
        why = ", ".join(f"{k} {v}" for k, v in reasons[group].most_common())
        t.add_row(group, str(sum(counts.values())), *(str(counts[c]) for c in CATEGORIES), why)
    if len(cats) > 1:
        t.add_row("all", str(sum(total.values())), *(str(total[c]) for c in CATEGORIES), "")
    return t
