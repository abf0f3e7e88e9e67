"""Build the static site: overview, one page per benchmark, comparison pages, runs and provenance.

Pages use relative links only and load nothing from the network, so the site reads the same from
file:// and from any web server.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

import harness
from harness.errors import HarnessError
from leaderboard.bench import bench_section
from leaderboard.collect import Board, LeftOut, TaskKey, collect, slugify
from leaderboard.family import family_href, family_page, family_views
from leaderboard.compare import comparison
from leaderboard.fmt import fmt_value, pct_like, score_cell, sort_key
from leaderboard.tables import export_frame, headline, provenance
from leaderboard.views import FamilyView, view_for

STATIC_FILES = ("site.css", "site.js")


@dataclass
class BuildReport:
    site: Path
    pages: list[str] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    n_runs: int = 0
    n_entries: int = 0


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("leaderboard", "templates"),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    env.globals["harness_version"] = harness.__version__
    return env


def bench_href(task: str) -> str:
    return f"bench/{slugify(task)}.html"


def overview_context(board: Board, fams: list[tuple[FamilyView, list[TaskKey]]]) -> dict[str, Any]:
    """Columns: one per family (the mean of its members' headlines), one per other task version."""
    member_of = {k: (view, members) for view, members in fams for k in members}
    columns: list[dict[str, Any]] = []
    for view, members in fams:
        values = []
        for e in board.entries:
            vals = [_headline_value(board, k, e) for k in members if k in e.cells]
            values += [v for v in vals if v is not None]
        columns.append({"kind": "family", "label": view.name, "members": members, "metric": "mean of members",
                        "pct": pct_like(values), "href": family_href(view), "anchor": "", "version": None,
                        "family": view.name, "multi_version": len({k.version for k in members}) > 1})
    for key in board.task_keys:
        if key in member_of:
            continue
        metric = headline(board, key)
        values = [c.task_result.metrics[metric].value for _, c in board.cells_for(key) if metric in c.task_result.metrics]
        columns.append({"kind": "task", "key": key, "label": key.task, "metric": metric, "pct": pct_like(values),
                        "href": bench_href(key.task), "anchor": key.slug, "version": key.version,
                        "family": view_for(key.task, board.config).name,
                        "multi_version": len(board.versions_of(key.task)) > 1})
    rows = []
    for entry in board.entries:
        cells = []
        for col in columns:
            if col["kind"] == "family":
                have = [k for k in col["members"] if k in entry.cells]
                vals = [v for v in (_headline_value(board, k, entry) for k in have) if v is not None]
                mean = sum(vals) / len(vals) if vals else None
                cells.append({"sort": sort_key(mean), "text": fmt_value(mean, col["pct"]), "ci": "",
                              "n": "", "tasks": f"{len(have)}/{len(col['members'])} tasks" if have else "",
                              "title": f"mean headline over {len(have)} of {len(col['members'])} member tasks"})
                continue
            cell = entry.cells.get(col["key"])
            mv = cell.task_result.metrics.get(col["metric"]) if cell and col["metric"] else None
            sc = score_cell(mv, col["pct"])
            if cell is not None:
                tr = cell.task_result
                sc["title"] = f"{col['key'].label}, prompt {tr.prompt_hash}, run {cell.run.result.run_id}"
            else:
                sc["title"] = "no result"
            cells.append(sc)
        rows.append({"label": entry.label, "slug": entry.slug, "cells": cells, "prov": provenance(entry),
                     "runs": [r.result.run_id for r in entry.runs], "superseded": entry.superseded})
    ranks = mean_ranks(rows)
    for row in rows:
        mr = ranks.get(row["slug"])
        row["mean_rank"] = {"sort": sort_key(mr), "text": f"{mr:.1f}" if mr is not None else "–"}
    rows.sort(key=lambda r: (ranks.get(r["slug"]) is None, ranks.get(r["slug"]) or 0.0, r["label"]))
    notes = []
    for task in board.task_names:
        versions = board.versions_of(task)
        if len(versions) > 1:
            notes.append(f"{task} has results from versions {', '.join(k.version for k in versions)}: each version is "
                         "ranked separately.")
    return {"columns": columns, "rows": rows, "notes": notes}


def _headline_value(board: Board, key: TaskKey, entry) -> float | None:
    metric = headline(board, key)
    mv = entry.cells[key].task_result.metrics.get(metric) if metric else None
    return mv.value if mv is not None else None


def mean_ranks(rows: list[dict[str, Any]]) -> dict[str, float]:
    """Each row's rank per overview column (1 = best), averaged over the columns it has (pandas)."""
    values = pd.DataFrame({r["slug"]: [float(c["sort"]) if c["sort"] else float("nan") for c in r["cells"]]
                           for r in rows}).T
    if values.empty:
        return {}
    ranks = values.rank(axis=0, ascending=False, method="min").mean(axis=1, skipna=True)
    return {slug: float(v) for slug, v in ranks.items() if v == v}


def build_site(results: Path, out: Path, config: Path | None = None, seed: int = 0) -> BuildReport:
    """Read the results under `results` and write the whole site to `out` (replacing it)."""
    board = collect(results, config)
    return render_board(board, out, seed=seed)


def _check_replaceable(out: Path) -> None:
    """The build replaces --out whole: refuse a directory that holds something other than a site."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "assets" / "site.js").exists())):
        raise HarnessError(f"{out} exists and is not a leaderboard site: refusing to replace it",
                           "pass a new or empty directory to --out")


def render_board(board: Board, out: Path, seed: int = 0) -> BuildReport:
    out = Path(out).resolve()
    _check_replaceable(out)
    tmp = out.with_name(out.name + ".building")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    env = _env()
    report = BuildReport(site=out, left_out=list(board.left_out), n_entries=len(board.entries),
                         n_runs=len({r.result.run_id for e in board.entries for r in e.runs}))
    fams = family_views(board)
    members = {k.task for _, ms in fams for k in ms}
    nav = [{"task": v.name, "href": family_href(v)} for v, _ in fams]
    nav += [{"task": t, "href": bench_href(t)} for t in board.task_names if t not in members]

    def write(rel: str, template: str, **ctx: Any) -> None:
        depth = rel.count("/")
        html = env.get_template(template).render(root="../" * depth, nav=nav, page=rel, **ctx)
        path = tmp / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html)
        report.pages.append(rel)

    write("index.html", "index.html.j2", title="Leaderboard", board=board, **overview_context(board, fams))
    for view, keys in fams:
        write(family_href(view), "family.html.j2", title=view.name, **family_page(board, view, keys, tmp, seed=seed))
    for task in board.task_names:
        sections = [bench_section(board, key, tmp, seed=seed) for key in board.versions_of(task)]
        family = next((v for v, ms in fams if any(k.task == task for k in ms)), None)
        write(bench_href(task), "bench.html.j2", title=task, task=task, sections=sections,
              view=view_for(task, board.config),
              family={"name": family.name, "href": family_href(family)} if family else None)
        for sec in sections:
            for a, b, cell_a, cell_b, test in sec["compare_pages"]:
                ctx = comparison(sec["key"], sec["metric"], a, b, cell_a, cell_b, test)
                write(f"compare/{sec['key'].slug}/{a.slug}__{b.slug}.html", "compare.html.j2",
                      title=f"{task}: {a.label} vs {b.label}", bench=bench_href(task), **ctx)
    write("runs.html", "runs.html.j2", title="Runs and provenance", board=board,
          entries=[{"label": e.label, "slug": e.slug, "runs": [provenance(e, c) | {"task": k.label}
                                                                for k, c in sorted(e.cells.items())],
                    "superseded": e.superseded} for e in board.entries],
          left_out=board.left_out)
    assets = tmp / "assets"
    assets.mkdir()
    for name in STATIC_FILES:
        (assets / name).write_text(resources.files("leaderboard").joinpath("static", name).read_text())
    data = tmp / "data"
    data.mkdir()
    frame = export_frame(board)
    (data / "scores.json").write_text(frame.to_json(orient="records", indent=1))
    (data / "left_out.json").write_text(json.dumps([lo.__dict__ for lo in board.left_out], indent=1))
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    return report
