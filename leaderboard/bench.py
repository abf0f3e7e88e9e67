"""What a benchmark page shows for one task version: ranking with ties, paired tests, breakdowns,
heatmaps, correlations and best-of-N curves. Returns plain dicts for the templates."""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import pandas as pd

from leaderboard.browser import data_id
from leaderboard.collect import Board, Cell, Entry, TaskKey, bench_href
from leaderboard.fmt import fmt_p, fmt_value, score_cell, sort_key
from leaderboard.plots import curves_svg, heatmap_svg
from leaderboard.ranking import rank_with_ties, tie_cell
from harness.paired import PairedTest, paired_test
from leaderboard.tables import (breakdown_frame, group_table, headline, metrics_by_group, natural_key, provenance_panel,
                                units_of)
from leaderboard.views import PERCENT, RAW, FamilyView, curve_points, order_metrics, view_for

#: above this many models, comparison pages are made only for ranking neighbours and against the
#: leader (each page holds every output of two runs: all pairs would grow the site quadratically)
ALL_PAIRS_UP_TO = 4


def compare_href(key: TaskKey, a: Entry, b: Entry) -> str:
    return f"compare/{key.slug}/{a.slug}__{b.slug}.html"


def pair_tests(cells: list[tuple[Entry, Cell]], metric: str | None, seed: int) -> dict[tuple[int, int], PairedTest]:
    tests: dict[tuple[int, int], PairedTest] = {}
    if metric is None:
        return tests
    for i, j in combinations(range(len(cells)), 2):
        tests[(i, j)] = paired_test(cells[i][1].samples, cells[j][1].samples, metric, seed=seed)
    return tests


def _metric_names(cells: list[tuple[Entry, Cell]]) -> list[str]:
    names: list[str] = []
    for _, cell in cells:
        for m in cell.task_result.metrics:
            if m not in names:
                names.append(m)
    return names


def _frame_table(table: pd.DataFrame, slugs: dict[str, str], order: list[str], units: list[str]) -> dict[str, Any]:
    """A pivot (entry x columns) as template rows, in ranking order; `units` per column."""
    cols = [str(c) for c in table.columns]
    pct = [u == PERCENT for u in units]
    rows = []
    for label in [o for o in order if o in table.index]:
        vals = table.loc[label].tolist()
        rows.append({"label": label, "slug": slugs.get(label, ""),
                     "cells": [{"sort": sort_key(v), "text": fmt_value(v, p)} for v, p in zip(vals, pct)]})
    return {"columns": [c + ("" if u == PERCENT else f" ({u})") for c, u in zip(cols, units)], "rows": rows}


def _notes(key: TaskKey, board: Board, cells: list[tuple[Entry, Cell]]) -> list[str]:
    notes = []
    others = [k for k in board.versions_of(key.task) if k != key]
    if others:
        notes.append(f"{key.task} also has results from version(s) {', '.join(k.version for k in others)}: "
                     f"those are ranked in their own section, never together with version {key.version}.")
    hashes = {c.task_result.prompt_hash for _, c in cells}
    if len(hashes) > 1:
        notes.append(f"The runs below used {len(hashes)} different prompts (prompt hashes {', '.join(sorted(hashes))}) "
                     "under the same task version: compare with care.")
    n_docs = {c.task_result.n_docs for _, c in cells}
    if len(n_docs) > 1:
        notes.append(f"The runs scored different numbers of documents ({', '.join(map(str, sorted(n_docs)))}); "
                     "paired tests use only the documents both runs answered.")
    return notes


def _sample_heatmap(cell: Cell, metric: str, rows: str, cols: str) -> pd.DataFrame | None:
    """Mean of `metric` over sample records grouped by two group keys (e.g. language x mode)."""
    samples = cell.samples
    if not samples:
        return None
    recs = [{"r": s.groups.get(rows), "c": s.groups.get(cols), "v": s.values.get(metric)} for s in samples]
    df = pd.DataFrame(recs).dropna()
    if df.empty or df["c"].nunique() < 1 or df["r"].nunique() < 1:
        return None
    table = df.pivot_table(index="r", columns="c", values="v", aggfunc="mean")
    table = table.loc[sorted(table.index, key=natural_key), sorted(table.columns, key=natural_key)]
    table.index.name, table.columns.name = rows, cols
    return table


def pair_href(key: TaskKey, a: Entry, b: Entry) -> str:
    """The comparison built in the browser from the data files, for any two rows."""
    return f"pair.html?key={key.slug}&a={a.slug}&b={b.slug}"


def bench_section(board: Board, key: TaskKey, site: Path, seed: int = 0) -> dict[str, Any]:
    view: FamilyView = view_for(key.task, board.config)
    metric = headline(board, key)
    units = units_of(board, key)

    def score_of(cell: Cell) -> float | None:
        mv = cell.task_result.metrics.get(metric) if metric else None
        return mv.value if mv is not None else None

    # best first, so that every pair (i < j) reads "better minus worse"
    cells = sorted(board.cells_for(key), key=lambda ec: (score_of(ec[1]) is None, -(score_of(ec[1]) or 0.0)))
    metric_names = order_metrics(view, _metric_names(cells))
    if metric in metric_names:  # the headline first, with its interval; the rest compact
        metric_names = [metric] + [m for m in metric_names if m != metric]
    pct = {m: units.get(m) == PERCENT for m in metric_names}
    tests = pair_tests(cells, metric, seed)
    values = [score_of(c) for _, c in cells]
    ranked = rank_with_ties(values, tests)
    order_labels = [cells[r.index][0].label for r in ranked]
    slugs = {e.label: e.slug for e, _ in cells}
    neighbours = {(ranked[p].index, ranked[p + 1].index) for p in range(len(ranked) - 1)}

    def has_page(i: int, j: int) -> bool:
        return len(cells) <= ALL_PAIRS_UP_TO or i == 0 or (i, j) in neighbours or (j, i) in neighbours

    rows = []
    for pos, r in enumerate(ranked):
        entry, cell = cells[r.index]
        nxt = ranked[pos + 1].index if pos + 1 < len(ranked) else None
        scores = [score_cell(cell.task_result.metrics.get(m), pct[m]) | {"compact": m != metric} for m in metric_names]
        if scores and cell.samples is not None:  # the headline links the run's sample browser
            scores[0]["samples_href"] = f"{data_id(cell.run, key)}.html"
        rows.append({
            "rank": r.rank, "label": entry.label, "slug": entry.slug,
            "metrics": scores,
            "tie": tie_cell(r, lambda i: cells[i][0].label),
            "compare_next": compare_href(key, entry, cells[nxt][0]) if nxt is not None else None,
            "prov": provenance_panel(entry, cell), "samples_error": cell.samples_error,
        })
    pairs = []
    for (i, j), t in sorted(tests.items()):
        a, b = cells[i][0], cells[j][0]
        pairs.append({"a": a.label, "b": b.label, "a_slug": a.slug, "b_slug": b.slug, "n": t.n_shared, "diff": fmt_value(t.diff, pct.get(metric, True))
                      if t.diff is not None else "–", "diff_sort": sort_key(t.diff), "p": fmt_p(t.p_value),
                      "p_sort": sort_key(t.p_value), "method": t.method, "significant": t.significant,
                      "tested": t.tested, "a_only": t.a_only, "b_only": t.b_only,
                      "href": compare_href(key, a, b) if has_page(i, j) else None, "pair_href": pair_href(key, a, b)})
    section: dict[str, Any] = {
        "key": key, "view": view, "metric": metric, "metric_names": metric_names, "rows": rows, "pairs": pairs,
        "units": {m: units.get(m, RAW) for m in metric_names},
        "notes": _notes(key, board, cells), "breakdowns": [], "heatmaps": [], "correlation": None, "curves": None,
        "group_heatmap": None, "ranks": {cells[r.index][0].slug: r.rank for r in ranked},
        "compare_pages": [(cells[i][0], cells[j][0], cells[i][1], cells[j][1], tests[(i, j)])
                          for (i, j) in sorted(tests) if has_page(i, j)],
        "pair_manifest": _pair_manifest(key, metric, units, cells, ranked, tests, pct.get(metric, False)),
    }
    _add_breakdowns(section, board, key, view, metric, slugs, order_labels, units)
    _add_plots(section, cells, key, view, metric, site, slugs, order_labels)
    return section


def _pair_manifest(key: TaskKey, metric: str | None, units: dict[str, str], cells: list[tuple[Entry, Cell]],
                   ranked, tests: dict[tuple[int, int], PairedTest], pct: bool) -> dict[str, Any]:
    """What pair.html needs to compare any two rows: their data files and the paired tests."""
    rows = []
    for r in ranked:
        entry, cell = cells[r.index]
        rows.append({"slug": entry.slug, "label": entry.label, "rank": r.rank, "run": cell.run.result.run_id,
                     "data": data_id(cell.run, key) if cell.samples is not None else None,
                     "error": cell.samples_error, "value": fmt_value(r.value, pct)})
    out_tests = {}
    for (i, j), t in tests.items():
        out_tests[f"{cells[i][0].slug}|{cells[j][0].slug}"] = {
            "method": t.method, "n": t.n_shared, "p": fmt_p(t.p_value), "significant": t.significant, "tested": t.tested,
            "diff": t.diff, "mean_a": t.mean_a, "mean_b": t.mean_b, "a_only": t.a_only, "b_only": t.b_only}
    return {"key": key.slug, "label": key.label, "task": key.task, "metric": metric, "pct": pct,
            "units": units, "rows": rows, "tests": out_tests, "bench": f"{bench_href(key.task)}#{key.slug}"}


def _add_breakdowns(section: dict, board: Board, key: TaskKey, view: FamilyView, metric: str | None,
                    slugs: dict[str, str], order: list[str], units: dict[str, str]) -> None:
    frame = breakdown_frame(board, key)
    if frame.empty:
        return
    present = list(dict.fromkeys(frame["key"]))
    # the view's keys first, in its order; keys it does not name still show, after them
    keys = [k for k in (view.breakdowns or []) if k in present] + [k for k in present if k not in (view.breakdowns or [])]
    for bkey in keys:
        if view.all_metrics_per_group:
            groups = sorted(frame[frame["key"] == bkey]["group"].unique(), key=natural_key)
            names = order_metrics(view, list(dict.fromkeys(frame["metric"])))
            tables = []
            for g in groups:
                table = metrics_by_group(frame, bkey, g, names)
                tables.append({"title": f"{bkey} = {g}",
                               **_frame_table(table, slugs, order, [units.get(str(m), RAW) for m in table.columns])})
            section["breakdowns"].append({"key": bkey, "metric": "all metrics", "tables": tables})
        else:
            table = group_table(frame, bkey, metric) if metric else pd.DataFrame()
            if not table.empty:
                section["breakdowns"].append({"key": bkey, "metric": metric,
                                              "tables": [{"title": f"{metric} by {bkey}",
                                                          **_frame_table(table, slugs, order,
                                                                         [units.get(metric, RAW)] * len(table.columns))}]})
    if view.correlation and metric and not view.task_pattern:
        table = group_table(frame, view.correlation, metric)
        if not table.empty:
            section["correlation_table"] = table


def _add_plots(section: dict, cells: list[tuple[Entry, Cell]], key: TaskKey, view: FamilyView, metric: str | None,
               site: Path, slugs: dict[str, str], order: list[str]) -> None:
    plot_dir = site / "plots" / key.slug
    if view.heatmap and metric and not view.task_pattern:  # split families: on the family page
        rows_key, cols_key = view.heatmap
        for entry, cell in sorted(cells, key=lambda ec: order.index(ec[0].label)):
            table = _sample_heatmap(cell, metric, rows_key, cols_key)
            if table is not None:
                path = heatmap_svg(table, plot_dir / f"heatmap-{entry.slug}.svg", f"{entry.label}: {metric}")
                section["heatmaps"].append({"label": entry.label, "src": f"../plots/{key.slug}/{path.name}",
                                            "rows": rows_key, "cols": cols_key})
    table = section.pop("correlation_table", None)
    if table is not None:
        path = heatmap_svg(table.loc[[o for o in order if o in table.index]], plot_dir / "by-group.svg",
                           f"{metric} by {view.correlation}")
        section["group_heatmap"] = {"src": f"../plots/{key.slug}/{path.name}", "key": view.correlation}
        ok = table.dropna(axis=1)
        if len(ok.index) >= 3 and len(ok.columns) >= 2:
            corr = ok.corr(method="pearson")
            path = heatmap_svg(corr, plot_dir / "correlation.svg",
                               f"{view.correlation}-by-{view.correlation} correlation of model scores",
                               vmin=-1.0, vmax=1.0, cmap="RdBu_r")
            section["correlation"] = {"src": f"../plots/{key.slug}/{path.name}", "n_models": len(ok.index),
                                      "table": _frame_table(corr, {}, list(corr.index), [RAW] * len(corr.columns))}
        else:
            section["correlation"] = {"src": None, "n_models": len(ok.index),
                                      "why": "a correlation across models needs at least 3 models with scores in at least 2 groups"}
    curves: dict[str, dict[str, dict[int, float]]] = {}
    for entry, cell in cells:
        pts = curve_points(cell.task_result.metrics, cell.task_result.extra)
        if pts:
            curves[entry.label] = pts
    if curves:
        path = curves_svg(curves, plot_dir / "best-of-n.svg", f"{key.label}: accuracy against N")
        section["curves"] = {"src": f"../plots/{key.slug}/{path.name}",
                             "points": {m: {meth: {k: fmt_value(v) for k, v in p.items()} for meth, p in c.items()}
                                        for m, c in curves.items()}}
