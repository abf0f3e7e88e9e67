"""Readable tables of results for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from harness.results import MetricValue, RunResult

console = Console()


def fmt_metric(m: MetricValue | None, scale: float = 100.0) -> str:
    if m is None or m.value is None:
        return "-"
    s = f"{m.value * scale:.2f}"
    if m.stderr is not None:
        s += f" ± {m.stderr * scale:.2f}"
    return s


def fmt_ci(m: MetricValue | None, scale: float = 100.0) -> str:
    if m is None or m.ci_low is None or m.ci_high is None:
        return "-"
    return f"[{m.ci_low * scale:.1f}, {m.ci_high * scale:.1f}]"


def summary_table(run: RunResult) -> Table:
    t = Table(title=f"{run.model.name} ({run.model.backend})", show_lines=False)
    for col in ("task", "metric", "value (%)", "95% CI", "n"):
        t.add_column(col, justify="left" if col in ("task", "metric") else "right")
    for name, tr in run.tasks.items():
        first = True
        for metric, m in tr.metrics.items():
            t.add_row(name if first else "", metric, fmt_metric(m), fmt_ci(m), str(m.n))
            first = False
        if tr.failed_docs:
            t.add_row("", "[red]unscored (failed)[/red]", "", "", str(tr.failed_docs))
    return t


def print_summary(run: RunResult) -> None:
    console.print(summary_table(run))
    tm = run.timing
    tps = f"{tm.tokens_per_s:.0f} tok/s" if tm.tokens_per_s else "-"
    console.print(f"generations: {tm.generations_new} new, {tm.generations_cached} from the store; "
                  f"{tps}; wall {tm.wall_s:.1f}s")


def breakdown_table(run: RunResult, task: str, group: str, metric: str) -> Table:
    tr = run.tasks[task]
    t = Table(title=f"{task}: {metric} by {group}")
    t.add_column(group)
    t.add_column(f"{metric} (%)", justify="right")
    t.add_column("n", justify="right")
    for val, metrics in tr.breakdown.get(group, {}).items():
        m = metrics.get(metric)
        t.add_row(val, fmt_metric(m), str(m.n if m else 0))
    return t


def compare_table(a: RunResult, b: RunResult) -> Table:
    t = Table(title="comparison")
    for col in ("task", "metric", f"A: {a.model.name}", f"B: {b.model.name}", "B - A"):
        t.add_column(col, justify="left" if col in ("task", "metric") else "right")
    for name in sorted(set(a.tasks) | set(b.tasks)):
        ta, tb = a.tasks.get(name), b.tasks.get(name)
        metrics = list((ta.metrics if ta else {}).keys()) + [k for k in (tb.metrics if tb else {}) if not ta or k not in ta.metrics]
        note = ""
        if ta and tb and (ta.version != tb.version or ta.prompt_hash != tb.prompt_hash):
            note = " [yellow](task version or prompt differs)[/yellow]"
        for i, k in enumerate(metrics):
            ma = ta.metrics.get(k) if ta else None
            mb = tb.metrics.get(k) if tb else None
            diff = "-"
            if ma and mb and ma.value is not None and mb.value is not None:
                diff = f"{(mb.value - ma.value) * 100:+.2f}"
            t.add_row(name + note if i == 0 else "", k, fmt_metric(ma), fmt_metric(mb), diff)
    return t
