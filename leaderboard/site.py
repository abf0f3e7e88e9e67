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
import harness
from harness.errors import HarnessError
from leaderboard.bench import bench_section, pair_href
from leaderboard.browser import Fragments, browser_pages, data_id, run_rel, write_data_js
from leaderboard.collect import Board, LeftOut, TaskKey, bench_href, collect
from leaderboard.compare import comparison
from leaderboard.family import family_href, family_page, family_views
from leaderboard.fmt import score_cell, sort_key
from leaderboard.ranking import MEAN_RANK_RULE, RULE, mean_ranks
from leaderboard.samples import table_keys
from leaderboard.tables import export_frame, headline, provenance, provenance_panel, units_of
from leaderboard.views import PERCENT, RAW, FamilyView, view_for

STATIC_FILES = ("site.css", "site.js", "browser.js")


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
    env.globals["table_keys"] = table_keys
    return env


def overview_context(board: Board, fams: list[tuple[FamilyView, list[TaskKey]]], sections: dict[TaskKey, dict],
                     family_pages: dict[str, dict]) -> dict[str, Any]:
    """Columns: one per family (the mean of its members' headlines), one per other task version.
    Each cell's rank is the rank its benchmark or family page gives; the mean rank averages them
    over the columns where a row competes with another (leaderboard/ranking.py)."""
    member_of = {k: (view, members) for view, members in fams for k in members}
    columns: list[dict[str, Any]] = []
    for view, members in fams:
        ranking = family_pages[view.name]["ranking"]
        columns.append({"kind": "family", "label": view.name, "members": members, "metric": "mean of members",
                        "pct": ranking["pct"], "unit": PERCENT if ranking["pct"] else RAW, "href": family_href(view),
                        "anchor": "", "version": None, "family": view.name, "ranks": ranking["ranks"],
                        "rows": {r["slug"]: r for r in ranking["rows"]},
                        "multi_version": len({k.version for k in members}) > 1})
    for key in board.task_keys:
        if key in member_of:
            continue
        metric = headline(board, key)
        unit = units_of(board, key).get(metric or "", RAW)
        columns.append({"kind": "task", "key": key, "label": key.task, "metric": metric, "pct": unit == PERCENT,
                        "unit": unit, "href": bench_href(key.task), "anchor": key.slug, "version": key.version,
                        "family": view_for(key.task, board.config).name, "ranks": sections[key]["ranks"],
                        "multi_version": len(board.versions_of(key.task)) > 1})
    means = mean_ranks([col["ranks"] for col in columns])
    rows = []
    for entry in board.entries:
        cells = []
        for col in columns:
            rank = col["ranks"].get(entry.slug)
            competes = sum(r is not None for r in col["ranks"].values()) > 1
            if col["kind"] == "family":
                fr = col["rows"].get(entry.slug)
                if fr is None:
                    cells.append({"sort": "", "text": "–", "ci": "", "n": "", "title": "no result", "rank": None})
                    continue
                cells.append({"sort": fr["sort"], "text": fr["value"], "ci": fr["ci"], "n": fr["n"],
                              "tasks": f"{fr['members']}/{fr['of']} tasks", "rank": rank, "competes": competes,
                              "title": f"mean headline over {fr['members']} of {fr['of']} member tasks; n = documents "
                                       "of those members; interval: normal approximation from the members' errors"})
                continue
            cell = entry.cells.get(col["key"])
            mv = cell.task_result.metrics.get(col["metric"]) if cell and col["metric"] else None
            sc = score_cell(mv, col["pct"])
            if cell is not None:
                tr = cell.task_result
                sc["title"] = f"{col['key'].label}, prompt {tr.prompt_hash}, run {cell.run.result.run_id}"
                sc["samples_href"] = f"{data_id(cell.run, col['key'])}.html" if cell.samples is not None else None
            else:
                sc["title"] = "no result"
            sc["rank"], sc["competes"] = rank, competes
            cells.append(sc)
        mr = means.get(entry.slug)
        rows.append({"label": entry.label, "slug": entry.slug, "cells": cells, "prov": provenance_panel(entry),
                     "runs": [{"id": r.result.run_id, "href": f"{run_rel(r)}/index.html"} for r in entry.runs],
                     "superseded": entry.superseded, "date": entry.newest.created_at,
                     "mean_rank": {"sort": sort_key(mr[0]) if mr else "", "text": f"{mr[0]:.1f}" if mr else "–",
                                   "count": mr[1] if mr else 0}})
    rows.sort(key=lambda r: (r["mean_rank"]["sort"] == "", float(r["mean_rank"]["sort"] or 0.0), r["label"]))
    notes = []
    for task in board.task_names:
        versions = board.versions_of(task)
        if len(versions) > 1:
            notes.append(f"{task} has results from versions {', '.join(k.version for k in versions)}: each version is "
                         "ranked separately.")
    return {"columns": columns, "rows": rows, "notes": notes, "rank_rule": RULE, "mean_rank_rule": MEAN_RANK_RULE}


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
    fragments = Fragments(env)
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

    # benchmark and family pages first: the overview shows their ranks
    sections = {key: bench_section(board, key, tmp, seed=seed) for key in board.task_keys}
    family_pages = {view.name: family_page(board, view, keys, tmp, seed=seed) for view, keys in fams}
    write("index.html", "index.html.j2", title="Leaderboard", board=board,
          **overview_context(board, fams, sections, family_pages))
    for view, keys in fams:
        write(family_href(view), "family.html.j2", title=view.name, rank_rule=RULE, **family_pages[view.name])
    for task in board.task_names:
        task_sections = [sections[key] for key in board.versions_of(task)]
        family = next((v for v, ms in fams if any(k.task == task for k in ms)), None)
        write(bench_href(task), "bench.html.j2", title=task, task=task, sections=task_sections, rank_rule=RULE,
              view=view_for(task, board.config),
              family={"name": family.name, "href": family_href(family)} if family else None)
        for sec in task_sections:
            write_data_js(tmp, f"data/pairs/{sec['key'].slug}", sec["pair_manifest"])
            for a, b, cell_a, cell_b, test in sec["compare_pages"]:
                ctx = comparison(board, sec["key"], sec["metric"], a, b, cell_a, cell_b, test, fragments)
                write(f"compare/{sec['key'].slug}/{a.slug}__{b.slug}.html", "compare.html.j2",
                      title=f"{task}: {a.label} vs {b.label}", bench=bench_href(task),
                      pair=pair_href(sec["key"], a, b), **ctx)
    write("pair.html", "pair.html.j2", title="Compare two rows sample by sample")
    for rel, template, ctx in browser_pages(board, tmp, fragments):
        write(rel, template, **ctx)
    write("runs.html", "runs.html.j2", title="Runs and provenance", board=board,
          entries=[{"label": e.label, "slug": e.slug, "runs": [provenance(e, c) | {"task": k.label, "browser": (
                        f"{data_id(c.run, k)}.html" if c.samples is not None else None)}
                                                                for k, c in sorted(e.cells.items())],
                    "superseded": e.superseded} for e in board.entries],
          left_out=board.left_out)
    assets = tmp / "assets"
    assets.mkdir()
    for name in STATIC_FILES:
        (assets / name).write_text(resources.files("leaderboard").joinpath("static", name).read_text())
    data = tmp / "data"
    data.mkdir(exist_ok=True)
    frame = export_frame(board)
    (data / "scores.json").write_text(frame.to_json(orient="records", indent=1))
    (data / "left_out.json").write_text(json.dumps([lo.__dict__ for lo in board.left_out], indent=1))
    if out.exists():
        shutil.rmtree(out)
    tmp.replace(out)
    return report
