"""Readable tables of results for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from harness.reasoning import TRUNCATION_WARNING
from harness.results import MetricValue, RunResult
from harness.outcome import scored_line
from harness.task_rows import task_rows

console = Console()


def fmt_metric(m: MetricValue | None, scale: float = 100.0) -> str:
    if m is None or m.value is None:
        return "-"
    s = f"{m.value * scale:.2f}"
    if m.stderr is not None:
        s += f" ± {m.stderr * scale:.2f}"
    return s


def fmt_cell(metric: str, m: MetricValue | None) -> str:
    """A metric's cell. A share of unreadable replies (`unparsable`, `judge_unparsable`) shows
    the count it is of: a judge that never answers stands out beside a perfect agreement."""
    if m is not None and m.value is not None and m.n and (metric == "unparsable" or metric.endswith("_unparsable")):
        return f"{round(m.value * m.n)} of {m.n} ({m.value * 100:.1f}%)"
    return fmt_metric(m)


def fmt_ci(m: MetricValue | None, scale: float = 100.0) -> str:
    if m is None or m.ci_low is None or m.ci_high is None:
        return "-"
    return f"[{m.ci_low * scale:.1f}, {m.ci_high * scale:.1f}]"


def summary_table(run: RunResult) -> Table:
    t = Table(title=f"{run.model.name} ({run.model.backend})", show_lines=False)
    for col in ("task", "metric", "value (%)", "95% CI", "n"):
        t.add_column(col, justify="left" if col in ("task", "metric") else "right", overflow="fold")
    for row in task_rows(list(run.tasks)):
        if row.task is None:  # a family's header; its members follow
            t.add_row(f"[bold]{row.label}[/bold]", "", "", "", "")
            continue
        name, tr = row.label, run.tasks[row.task]
        first = True
        for metric, m in tr.metrics.items():
            t.add_row(name if first else "", metric, fmt_cell(metric, m), fmt_ci(m), str(m.n))
            first = False
        if tr.failed_docs:
            t.add_row("", "[red]unscored (failed)[/red]", "", "", str(tr.failed_docs))
        r = tr.reasoning
        if r and r.generations and r.verdicts.get("no_reasoning", 0) < r.generations:
            cut = r.verdicts.get("reasoning_truncated", 0)
            style = "yellow" if r.truncated_share > TRUNCATION_WARNING else "dim"
            t.add_row("", f"[{style}]reasoning truncated[/{style}]", f"{100 * r.truncated_share:.2f}", "", str(cut))
    return t


def reasoning_lines(run: RunResult) -> list[str]:
    """Per task that thought: tokens spent thinking and answering; a warning where many thoughts
    were cut off by max_tokens (those samples have no answer and score as wrong)."""
    out = []
    for name, tr in run.tasks.items():
        r = tr.reasoning
        if not r or not r.generations or r.verdicts.get("no_reasoning", 0) == r.generations:
            continue
        rt, at = r.reasoning_tokens, r.answer_tokens
        out.append(f"{name}: thinking tokens mean {rt.mean:.0f} (p50 {rt.p50:.0f}, p95 {rt.p95:.0f}, max {rt.max}), "
                   f"answer tokens mean {at.mean:.0f} (p95 {at.p95:.0f}); {r.verdicts.get('complete', 0)} of "
                   f"{r.generations} finished thinking; tokens counted with {r.token_counter}")
        if r.truncated_share > TRUNCATION_WARNING:
            out.append(f"[yellow]warning: {100 * r.truncated_share:.1f}% of {name}'s generations reached max_tokens "
                       f"({r.max_tokens}) before the thinking ended (reasoning_truncated: no answer, scored as "
                       f"wrong); raise --max-tokens[/yellow]")
    return out


def print_summary(run: RunResult) -> None:
    console.print(summary_table(run))
    console.print(scored_line(run), highlight=False)
    for line in reasoning_lines(run):
        console.print(line)
    for name, tr in run.tasks.items():  # what a task wants read with its scores (pages not sent...)
        for note in tr.config.get("notes", []):
            console.print(f"[yellow]{name}: {note}[/yellow]")
    tm = run.timing
    tps = f"{tm.tokens_per_s:.0f} tok/s" if tm.tokens_per_s else "-"
    console.print(f"generations: {tm.generations_new} new, {tm.generations_cached} from the store; "
                  f"{tps}; wall {tm.wall_s:.1f}s")


def breakdown_table(run: RunResult, task: str, group: str, metric: str) -> Table:
    tr = run.tasks[task]
    t = Table(title=f"{task}: {metric} by {group}")
    t.add_column(group, overflow="fold")
    t.add_column(f"{metric} (%)", justify="right")
    t.add_column("n", justify="right")
    for val, metrics in tr.breakdown.get(group, {}).items():
        m = metrics.get(metric)
        t.add_row(val, fmt_metric(m), str(m.n if m else 0))
    return t
