"""`harness results compare RUN_A RUN_B`: both runs' scores side by side, with the leaderboard's
paired tests (harness/paired.py) on the documents both runs scored: the difference B - A, its 95%
interval and a p-value per metric."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from harness.errors import HarnessError
from harness.paired import ALPHA, BOOTSTRAP_RESAMPLES, PairedTest, paired_test
from harness.results import MetricValue, RunResult, SampleRecord, load_results, load_samples
from harness.task_rows import task_rows

METHOD_NAMES = {"mcnemar-exact": "McNemar", "paired-bootstrap": "bootstrap"}


def _value(m: MetricValue | None) -> str:
    return "-" if m is None or m.value is None else f"{m.value * 100:.2f}"


def _samples(run_dir: Path, task: str) -> list[SampleRecord] | None:
    try:
        return load_samples(run_dir, task)
    except HarnessError:
        return None  # results without per-sample records: compared without a test


def _test_cells(test: PairedTest | None, ma: MetricValue | None, mb: MetricValue | None) -> tuple[str, str, str]:
    """(B - A, its 95% interval, p and the test) in points of percent."""
    if test is not None and test.diff is not None:
        diff = f"{-test.diff * 100:+.2f}"
        ci = "-" if test.ci_low is None else f"[{-test.ci_high * 100:+.1f}, {-test.ci_low * 100:+.1f}]"
    elif ma is not None and mb is not None and ma.value is not None and mb.value is not None:
        diff, ci = f"{(mb.value - ma.value) * 100:+.2f}", "-"
    else:
        return "-", "-", "-"
    if test is None or not test.tested:
        return diff, ci, f"- ({test.method})" if test is not None else "-"
    p = "<0.001" if test.p_value < 0.001 else f"{test.p_value:.3f}"
    return diff, ci, f"{p}{'*' if test.significant else ''} {METHOD_NAMES.get(test.method, test.method)}"


def compare_table(a: RunResult, b: RunResult, a_dir: Path | None = None, b_dir: Path | None = None,
                  seed: int = 0) -> Table:
    t = Table(title="comparison: B - A on the documents both runs scored")
    for col in ("task", "metric", "A (%)", "B (%)", "B - A", "95% CI", "p (test)"):
        t.add_column(col, justify="left" if col in ("task", "metric", "p (test)") else "right", overflow="fold")
    names = list(a.tasks) + [n for n in b.tasks if n not in a.tasks]
    for row in task_rows(names):
        if row.task is None:
            t.add_row(f"[bold]{row.label}[/bold]", *[""] * 6)
            continue
        name = row.task
        ta, tb = a.tasks.get(name), b.tasks.get(name)
        recs_a = _samples(a_dir, name) if a_dir and ta and tb else None
        recs_b = _samples(b_dir, name) if b_dir and ta and tb else None
        label = row.label
        if ta and tb and _differs(ta, tb):
            label += " [yellow]†[/yellow]"
        metrics = list(ta.metrics if ta else {}) + [k for k in (tb.metrics if tb else {}) if not ta or k not in ta.metrics]
        for i, k in enumerate(metrics):
            ma = ta.metrics.get(k) if ta else None
            mb = tb.metrics.get(k) if tb else None
            test = paired_test(recs_a, recs_b, k, seed=seed) if ta and tb and a_dir and b_dir else None
            t.add_row(label if i == 0 else "", k, _value(ma), _value(mb), *_test_cells(test, ma, mb))
    return t


def _differs(ta, tb) -> str | None:
    """What makes two results of one task not directly comparable, or None."""
    what = [f"{label} {x} / {y}" for label, x, y in (
        ("task version", ta.version, tb.version), ("scorer version", ta.scorer_version or "1", tb.scorer_version or "1"),
        ("prompt hash", ta.prompt_hash, tb.prompt_hash)) if str(x) != str(y)]
    return ", ".join(what) or None


def compare_runs(run_a: Path, run_b: Path) -> tuple[Table, list[str]]:
    """The table, and the lines that say which run is A and B and what the tests are."""
    a, b = load_results(run_a), load_results(run_b)
    notes = [
        f"A: {run_a} ({a.model.name}, {a.model.backend})",
        f"B: {run_b} ({b.model.name}, {b.model.backend})",
        f"paired tests on the documents both runs scored: McNemar's exact test for 0/1 verdicts, a paired "
        f"bootstrap ({BOOTSTRAP_RESAMPLES:,} resamples) otherwise; 95% CI of B - A by paired bootstrap; "
        f"* p < {ALPHA}",
    ]
    notes += [f"† {name}: A and B differ in {what} (A / B): not directly comparable"
              for name in a.tasks if name in b.tasks and (what := _differs(a.tasks[name], b.tasks[name]))]
    return compare_table(a, b, Path(run_a), Path(run_b)), notes
