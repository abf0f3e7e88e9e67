"""Family pages: benchmarks split into one task per slice (CRUXEval-X per mode and language,
READoc per subset, T-Eval per ability and format) seen together.

The slices' dimensions come from the task names (the view's task_pattern); the tables, heatmaps
and correlations are pivots of one long pandas frame over the member tasks.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd

from harness.results import SampleRecord
from leaderboard.collect import Board, Cell, Entry, TaskKey, slugify
from leaderboard.fmt import fmt_ci, fmt_value, is_number, sort_key
from leaderboard.plots import heatmap_svg
from leaderboard.ranking import rank_with_ties, tie_cell
from harness.paired import paired_test
from leaderboard.tables import headline, natural_key, provenance_panel, units_of
from leaderboard.views import PERCENT, FamilyView, families, order_metrics, task_dims

Z95 = 1.959963984540054


def family_views(board: Board) -> list[tuple[FamilyView, list[TaskKey]]]:
    """Families with a task_pattern and the task versions of the board that belong to them."""
    out, taken = [], set()
    for view in families(board.config):
        if not view.task_pattern:
            continue
        members = [k for k in board.task_keys if k not in taken and task_dims(view, k.task) is not None]
        if members:
            taken.update(members)
            out.append((view, members))
    return out


def family_href(view: FamilyView) -> str:
    return f"bench/family-{slugify(view.name.lower())}.html"


def family_frame(board: Board, view: FamilyView, members: list[TaskKey]) -> pd.DataFrame:
    """One row per (entry, member, metric): the member's dimensions, the value, and whether the
    metric is the member's headline."""
    rows = []
    multi_version = len({k.version for k in members}) > 1
    for key in members:
        dims = task_dims(view, key.task) or {}
        if multi_version:
            dims = {**dims, "version": f"v{key.version}"}
        head = headline(board, key)
        units = units_of(board, key)
        for entry, cell in board.cells_for(key):
            for metric, mv in cell.task_result.metrics.items():
                rows.append({"entry": entry.label, "slug": entry.slug, "task": key.task, "task_version": key.version,
                             **dims, "metric": metric, "value": mv.value, "n": mv.n, "stderr": mv.stderr,
                             "ci_low": mv.ci_low, "ci_high": mv.ci_high, "headline": metric == head,
                             "unit": units[metric]})
    return pd.DataFrame(rows)


def _label(values: tuple | str) -> str:
    parts = values if isinstance(values, tuple) else (values,)
    return "/".join(str(p) for p in parts if str(p))


def _pivot_tables(frame: pd.DataFrame, view: FamilyView, order: list[str]) -> list[dict[str, Any]]:
    """Tables of models x `columns` dims, one per value of the `split` dims."""
    use_metric = "metric" in view.columns or "metric" in view.split
    data = frame if use_metric else frame[frame["headline"]]
    if use_metric:
        keep = order_metrics(view, list(dict.fromkeys(data["metric"])))
        data = data[data["metric"].isin(keep)]
    split = [d for d in view.split if d in data.columns] + (["version"] if "version" in data.columns else [])
    cols = [d for d in view.columns if d in data.columns]
    if not cols:
        return []
    groups = [((), data)] if not split else list(data.groupby(split, sort=False))
    tables = []
    for gkey, sub in sorted(groups, key=lambda g: natural_key(_label(g[0]))):
        table = sub.pivot_table(index="entry", columns=cols, values="value", aggfunc="mean")
        if use_metric and cols == ["metric"]:
            table = table[[m for m in keep if m in table.columns]]
        else:
            table = table[sorted(table.columns, key=lambda c: natural_key(_label(c)))]
        headers = [_label(c) for c in table.columns]
        unit_table = sub.pivot_table(index="entry", columns=cols, values="unit", aggfunc="first")
        pct = [bool(unit_table[c].dropna().eq(PERCENT).all()) if c in unit_table.columns else False
               for c in table.columns]
        rows = [{"label": e, "cells": [{"sort": sort_key(v), "text": fmt_value(v, p)}
                                       for v, p in zip(table.loc[e].tolist(), pct)]}
                for e in order if e in table.index]
        title = ", ".join(f"{d} = {v}" for d, v in zip(split, gkey if isinstance(gkey, tuple) else (gkey,)))
        tables.append({"title": title or "all", "columns": [h + ("" if p else " (raw)") for h, p in zip(headers, pct)],
                       "rows": rows})
    return tables


def _pooled(cells: list[tuple[TaskKey, Cell]], board: Board) -> list[SampleRecord] | None:
    """Sample records of every member, the member's headline value under one name."""
    out: list[SampleRecord] = []
    for key, cell in cells:
        samples = cell.samples
        if samples is None:
            return None
        metric = headline(board, key)
        out += [SampleRecord(task=key.task, doc_id=f"{key.task}/{s.doc_id}", prompt="", outputs=[],
                             values={"headline": s.values.get(metric)}) for s in samples]
    return out


def _mean_interval(heads: pd.DataFrame) -> tuple[float | None, float | None, int]:
    """95% interval of a mean over member tasks (normal approximation: the members' documents are
    independent, so the variance of the mean is the sum of the members' squared standard errors
    over k squared) and the documents behind it. No interval when a member has no error."""
    ses = []
    for _, row in heads.iterrows():
        se = row.get("stderr")
        if not is_number(se) and is_number(row.get("ci_low")) and is_number(row.get("ci_high")):
            se = (row["ci_high"] - row["ci_low"]) / (2 * Z95)
        ses.append(se)
    n = int(heads["n"].fillna(0).sum())
    if not ses or not all(is_number(x) for x in ses):
        return None, None, n
    mean = float(heads["value"].mean())
    half = Z95 * math.sqrt(sum(float(x) ** 2 for x in ses)) / len(ses)
    return mean - half, mean + half, n


def _ranking(board: Board, frame: pd.DataFrame, members: list[TaskKey], seed: int) -> dict[str, Any]:
    """Models by the mean headline over the members they have; a paired test on pooled documents."""
    heads = frame[frame["headline"]].dropna(subset=["value"])
    by_entry = heads.groupby("entry")["value"].agg(["mean", "count"])
    entries = [e for e in board.entries if e.label in by_entry.index]
    values = [float(by_entry.loc[e.label, "mean"]) for e in entries]
    counts = [int(by_entry.loc[e.label, "count"]) for e in entries]
    pooled = [_pooled([(k, e.cells[k]) for k in members if k in e.cells], board) for e in entries]
    tests = {}
    for i in range(len(entries)):
        for j in range(i + 1, len(entries)):
            tests[(i, j)] = paired_test(pooled[i], pooled[j], "headline", seed=seed)
    ranked = rank_with_ties(values, tests)
    pct = bool(len(heads)) and bool(heads["unit"].eq(PERCENT).all())
    rows = []
    for r in ranked:
        e: Entry = entries[r.index]
        lo, hi, n = _mean_interval(heads[heads["entry"] == e.label])
        rows.append({"rank": r.rank, "label": e.label, "slug": e.slug, "value": fmt_value(values[r.index], pct),
                     "sort": sort_key(values[r.index]), "members": counts[r.index], "of": len(members),
                     "ci": fmt_ci(lo, hi, pct), "n": n, "tie": tie_cell(r, lambda i: entries[i].label),
                     "prov": provenance_panel(e, keys=members)})
    return {"rows": rows, "order": [entries[r.index].label for r in ranked], "pct": pct,
            "ranks": {entries[r.index].slug: r.rank for r in ranked},
            "incomplete": sorted({e.label for e, c in zip(entries, counts) if c < len(members)})}


def family_page(board: Board, view: FamilyView, members: list[TaskKey], site: Path, seed: int = 0) -> dict[str, Any]:
    frame = family_frame(board, view, members)
    ranking = _ranking(board, frame, members, seed)
    order = ranking["order"]
    page: dict[str, Any] = {"view": view, "ranking": ranking, "tables": _pivot_tables(frame, view, order),
                            "members": [{"key": k, "href": f"{slugify(k.task)}.html#{k.slug}"} for k in members],
                            "heatmaps": [], "correlation": None, "notes": []}
    if ranking["incomplete"]:
        page["notes"].append(f"Not every model has every member task ({', '.join(ranking['incomplete'])}): their "
                             "mean covers the members they have, and is not comparable with the others.")
    if len({k.version for k in members}) > 1:
        page["notes"].append("Members come in several task versions: each version is a separate table.")
    heads = frame[frame["headline"]]
    plot_dir = site / "plots" / f"family-{slugify(view.name.lower())}"
    rel = f"../plots/{plot_dir.name}"
    if view.heatmap and all(d in heads.columns for d in view.heatmap):
        rdim, cdim = view.heatmap
        for label in order:
            sub = heads[heads["entry"] == label]
            table = sub.pivot_table(index=rdim, columns=cdim, values="value", aggfunc="mean")
            table = table.loc[sorted(table.index, key=natural_key), sorted(table.columns, key=natural_key)]
            slug = sub["slug"].iloc[0]
            heatmap_svg(table, plot_dir / f"heatmap-{slug}.svg", f"{label}: {rdim} x {cdim}")
            page["heatmaps"].append({"label": label, "src": f"{rel}/heatmap-{slug}.svg"})
    if view.correlation and view.correlation in heads.columns:
        table = heads.pivot_table(index="entry", columns=view.correlation, values="value", aggfunc="mean").dropna(axis=1)
        table = table.loc[[o for o in order if o in table.index]]
        if len(table.index) >= 3 and len(table.columns) >= 2:
            corr = table.corr(method="pearson")
            heatmap_svg(corr, plot_dir / "correlation.svg",
                        f"{view.correlation}-by-{view.correlation} correlation of model scores",
                        vmin=-1.0, vmax=1.0, cmap="RdBu_r")
            page["correlation"] = {"src": f"{rel}/correlation.svg", "n_models": len(table.index), "dim": view.correlation}
        else:
            page["correlation"] = {"src": None, "n_models": len(table.index), "dim": view.correlation,
                                   "why": "a correlation across models needs at least 3 models with scores on at "
                                          "least 2 values"}
    return page
