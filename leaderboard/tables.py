"""The board as pandas tables: long-form scores and breakdowns, the overview pivot, exports."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from harness.results import TaskResult
from leaderboard.collect import Board, Cell, Entry, Run, TaskKey
from leaderboard.views import metric_unit, primary_metric, view_for

SCORE_COLUMNS = ["entry", "model", "task", "version", "metric", "value", "stderr", "ci_low", "ci_high", "n"]


def provenance(entry: Entry, cell: Cell | None = None) -> dict[str, Any]:
    """Where a row's numbers come from: the fields a reader needs to trust or reproduce them."""
    run = cell.run if cell is not None else entry.newest
    res = run.result
    prov = res.provenance
    out: dict[str, Any] = {
        "run_id": res.run_id,
        "harness_version": prov.harness_version,
        "git_commit": prov.git_commit or "",
        "backend": res.model.backend,
        "backend_version": res.model.backend_version or "",
        "model_spec": res.model.spec,
        "model_revision": res.model.revision or "",
        "model_fingerprint": res.model.fingerprint,
        "judge": res.judge.name if res.judge else "",
        "sandbox": _sandbox_digests(sandbox_of(run, cell)[0]) if cell is not None else _sandbox_digests(prov.sandbox),
        "date": prov.created_at,
    }
    if cell is not None:
        tr = cell.task_result
        out.update(task_version=tr.version, prompt_hash=tr.prompt_hash, limit=tr.limit if tr.limit is not None else "",
                   n_docs=tr.n_docs, failed_docs=tr.failed_docs,
                   sampling=", ".join(f"{k}={v}" for k, v in sorted(tr.sampling.items()) if v not in (None, [], ())))
    return out


def provenance_panel(entry: Entry, cell: Cell | None = None, keys: list[TaskKey] | None = None) -> dict[str, Any]:
    """What a row's expandable provenance panel lists, label -> value (a sandbox as its nested
    description); a task's sandbox only where that task ran programs in one. Without a cell:
    the row's runs, and the sandboxes of its tasks (of `keys` only, when given)."""
    p = provenance(entry, cell)
    out: dict[str, Any] = {}
    if cell is None:
        out["runs"] = ", ".join(r.result.run_id for r in entry.runs)
    else:
        out["run"] = p["run_id"]
    out.update({"backend": f"{p['backend']} {p['backend_version']}".strip(), "model": p["model_spec"],
                "model revision": p["model_revision"] or "–", "model fingerprint": p["model_fingerprint"]})
    if p["judge"]:
        out["judge"] = p["judge"]
    out["harness"] = f"{p['harness_version']}" + (f" ({p['git_commit']})" if p["git_commit"] else "")
    if cell is not None:
        out.update({"task version": p["task_version"], "prompt hash": p["prompt_hash"], "sampling": p["sampling"] or "–",
                    "documents": f"{p['n_docs']}" + (f" ({p['failed_docs']} failed)" if p["failed_docs"] else "")
                                 + (f", limit {p['limit']}" if p["limit"] != "" else "")})
    if cell is not None and reasoning_summary(cell.task_result):
        out["reasoning"] = reasoning_summary(cell.task_result)
    out["date"] = p["date"]
    cells = [cell] if cell is not None else [c for k, c in sorted(entry.cells.items()) if keys is None or k in keys]
    by_box: dict[str, tuple[dict[str, Any], str, list[str]]] = {}
    for c in cells:
        box, scope = sandbox_of(c.run, c)
        if box:
            sig = json.dumps(box, sort_keys=True, default=str) + scope
            by_box.setdefault(sig, (box, scope, []))[2].append(c.task_result.task)
    for box, scope, tasks in by_box.values():
        label = "sandbox" if cell is not None else f"sandbox of {', '.join(tasks[:3])}" + (
            f" and {len(tasks) - 3} more" if len(tasks) > 3 else "")
        if scope == "run":
            label += " (the run's: this result file does not say which of its tasks ran programs)"
        out[label] = box
    return out


def reasoning_summary(tr: TaskResult) -> str | None:
    """A task's thinking statistics in one line (TaskResult.reasoning; None without a split)."""
    r = getattr(tr, "reasoning", None)
    if r is None:
        return None
    verdicts = {k: v for k, v in r.verdicts.items() if v}
    if set(verdicts) <= {"no_reasoning"}:
        return f"mode {r.mode} · none of {r.generations} generations thought"
    return (f"mode {r.mode} · {r.generations} generations ({', '.join(f'{k} {v}' for k, v in verdicts.items())}) · "
            f"truncated {100 * r.truncated_share:.1f}% · thinking tokens mean {r.reasoning_tokens.mean:.0f} "
            f"(p95 {r.reasoning_tokens.p95:.0f}), answer tokens mean {r.answer_tokens.mean:.0f}")


def sandbox_of(run: Run, cell: Cell | None) -> tuple[dict[str, Any], str]:
    """(the sandbox a task's programs ran in, "task"), or the run's sandbox and "run" where the
    file does not say which of its tasks used it (results written before TaskResult.sandbox)."""
    prov_sandbox = run.result.provenance.sandbox or {}
    if cell is None:
        return prov_sandbox, "run"
    own = getattr(cell.task_result, "sandbox", None)
    if own is not None:
        return own, "task"
    if len(run.result.tasks) == 1:
        return prov_sandbox, "task"
    return prov_sandbox, "run"


def units_of(board: Board, key: TaskKey) -> dict[str, str]:
    """The declared unit of every metric of a task version (see views.metric_unit)."""
    view = view_for(key.task, board.config)
    out: dict[str, str] = {}
    for _, cell in board.cells_for(key):
        declared = cell.task_result.extra.get("units") if isinstance(cell.task_result.extra, dict) else None
        names = list(cell.task_result.metrics)
        names += [m for groups in cell.task_result.breakdown.values() for ms in groups.values() for m in ms]
        for m in names:
            if m not in out:
                out[m] = metric_unit(m, view, board.config, declared)
    return out


def sample_units(board: Board, key: TaskKey, cell: Cell) -> dict[str, str]:
    """Units of the per-document values of one cell's sample records."""
    units = units_of(board, key)
    samples = cell.samples or []
    view = view_for(key.task, board.config)
    declared = cell.task_result.extra.get("units") if isinstance(cell.task_result.extra, dict) else None
    for s in samples[:1000]:
        for m in s.values:
            if m not in units:
                units[m] = metric_unit(m, view, board.config, declared)
    return units


def _sandbox_digests(sandbox: dict[str, Any]) -> str:
    """Image digests (and toolchain versions) as one short line, whatever the nesting."""
    parts: list[str] = []

    def walk(prefix: str, obj: Any) -> None:
        if isinstance(obj, dict):
            for k, v in sorted(obj.items()):
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif obj not in (None, "", [], {}):
            parts.append(f"{prefix}={obj}")

    walk("", sandbox)
    return "; ".join(parts)


def scores_frame(board: Board, with_provenance: bool = True) -> pd.DataFrame:
    """Every metric of every cell, one row each."""
    rows = []
    for entry in board.entries:
        for key, cell in entry.cells.items():
            prov = provenance(entry, cell) if with_provenance else {}
            for metric, mv in cell.task_result.metrics.items():
                rows.append({"entry": entry.label, "model": entry.model.name, "task": key.task, "version": key.version,
                             "metric": metric, "value": mv.value, "stderr": mv.stderr, "ci_low": mv.ci_low,
                             "ci_high": mv.ci_high, "n": mv.n, **prov})
    if not rows:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    return pd.DataFrame(rows)


def breakdown_frame(board: Board, key: TaskKey) -> pd.DataFrame:
    """Breakdown rows of one task version: entry, breakdown key, group value, metric, numbers."""
    rows = []
    for entry, cell in board.cells_for(key):
        for bkey, groups in cell.task_result.breakdown.items():
            for group, metrics in groups.items():
                for metric, mv in metrics.items():
                    rows.append({"entry": entry.label, "slug": entry.slug, "key": bkey, "group": group, "metric": metric,
                                 "value": mv.value, "ci_low": mv.ci_low, "ci_high": mv.ci_high, "n": mv.n})
    return pd.DataFrame(rows, columns=["entry", "slug", "key", "group", "metric", "value", "ci_low", "ci_high", "n"])


def headline(board: Board, key: TaskKey) -> str | None:
    names: list[str] = []
    for _, cell in board.cells_for(key):
        for m in cell.task_result.metrics:
            if m not in names:
                names.append(m)
    return primary_metric(view_for(key.task, board.config), names)


def group_table(frame: pd.DataFrame, bkey: str, metric: str) -> pd.DataFrame:
    """entry x group value on one metric, for one breakdown key (groups in natural order)."""
    sub = frame[(frame["key"] == bkey) & (frame["metric"] == metric)]
    if sub.empty:
        return pd.DataFrame()
    table = sub.pivot_table(index="entry", columns="group", values="value", aggfunc="first")
    return table[sorted(table.columns, key=natural_key)]


def metrics_by_group(frame: pd.DataFrame, bkey: str, group: str, metric_order: list[str] | None = None) -> pd.DataFrame:
    """entry x metric for one group value (READoc's columns for one subset)."""
    sub = frame[(frame["key"] == bkey) & (frame["group"] == group)]
    if sub.empty:
        return pd.DataFrame()
    order = metric_order or list(dict.fromkeys(sub["metric"]))
    table = sub.pivot_table(index="entry", columns="metric", values="value", aggfunc="first")
    return table[[m for m in order if m in table.columns]]


def natural_key(text: Any) -> tuple:
    """Sort "Level 2" before "Level 10", numbers before words."""
    import re

    parts = re.split(r"(\d+)", str(text))
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts)


def export_frame(board: Board) -> pd.DataFrame:
    """What `harness leaderboard export` writes: every metric with its provenance."""
    frame = scores_frame(board)
    if frame.empty:
        return frame
    return frame.sort_values(["task", "version", "metric", "value"], ascending=[True, True, True, False],
                             na_position="last").reset_index(drop=True)


def to_markdown(frame: pd.DataFrame, columns: list[str] | None = None) -> str:
    cols = columns or ["entry", "task", "version", "metric", "value", "ci_low", "ci_high", "n", "prompt_hash",
                       "backend", "backend_version", "harness_version", "date"]
    cols = [c for c in cols if c in frame.columns]
    return frame[cols].to_markdown(index=False, floatfmt=".4f")
