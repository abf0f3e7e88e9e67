"""The sample browser's data: per run and task, an index of every document (verdict, groups, the
per-document values) and the documents themselves, rendered once into HTML fragments and stored
in chunks that the page loads as it needs them. A 5,000 x 8 run stays one small page and an
index; nothing loads every output unless a free-text search asks for it.

Data files are JavaScript handing JSON to the page (`LB.put(id, {...})`): a <script> loads from
file:// as well as from a web server, where fetch() of a local file is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from harness.results import SampleRecord
from leaderboard.collect import Board, Run, TaskKey, bench_href, slugify
from leaderboard.fmt import score_cell
from leaderboard.samples import sample_view
from leaderboard.tables import headline, natural_key, provenance_panel, reasoning_summary, sample_units
from leaderboard.views import PERCENT

PAGE_SIZE = 25  # documents per page of the browser
CHUNK_BYTES = 192 * 1024  # a chunk closes once its fragments reach this size...
CHUNK_DOCS = 100  # ...or this many documents


def run_rel(run: Run) -> str:
    """Where a run's browser pages live in the site."""
    return f"samples/{slugify(run.result.run_id)}"


def data_id(run: Run, key: TaskKey) -> str:
    return f"{run_rel(run)}/{key.slug}"


def data_js(ident: str, payload: Any) -> str:
    return f"LB.put({json.dumps(ident)},{json.dumps(payload, separators=(',', ':'), ensure_ascii=False)});\n"


class Fragments:
    """Renders one document's header, prompt and outcome through templates/sample.html.j2."""

    def __init__(self, env: jinja2.Environment):
        self.macros = env.get_template("sample.html.j2").module

    def render(self, view: dict[str, Any]) -> list[str]:
        m = self.macros
        return [str(m.header(view)), str(m.prompt(view["prompt"])), str(m.side(view))]

    def card(self, frags: list[str], cls: str, doc: str) -> str:
        return str(self.macros.card(*(Markup(f) for f in frags), cls, doc))


@dataclass
class BrowserData:
    ident: str  # site-relative, without extension: the index is ident/index.js
    n: int
    metric: str | None
    metrics: list[str]
    verdicts: dict[str, int]  # label -> documents
    groups: dict[str, list[str]]  # group key -> values
    first_page: list[str] = field(default_factory=list)  # rendered cards, for readers without JavaScript
    chunks: int = 0
    bytes: int = 0


def write_browser_data(site: Path, ident: str, records: list[SampleRecord], metric: str | None,
                       units: dict[str, str], fragments: Fragments) -> BrowserData:
    """Write ident/index.js and ident/cN.js under `site` for one run's task."""
    out = site / ident
    out.mkdir(parents=True, exist_ok=True)
    records = sorted(records, key=lambda r: natural_key(r.doc_id))
    metrics: list[str] = []
    group_keys: list[str] = []
    for r in records:
        metrics += [k for k in r.values if k not in metrics]
        group_keys += [k for k in r.groups if k not in group_keys]
    group_values = {k: sorted({r.groups[k] for r in records if k in r.groups}, key=natural_key) for k in group_keys}
    group_index = {k: {v: i for i, v in enumerate(vs)} for k, vs in group_values.items()}
    verdicts: dict[str, int] = {}
    verdict_classes: dict[str, str] = {}
    docs: list[list[Any]] = []
    chunk: dict[str, list[str]] = {}
    chunk_bytes, n_chunks, total = 0, 0, 0
    first_page: list[str] = []

    def flush() -> None:
        nonlocal chunk, chunk_bytes, n_chunks, total
        text = data_js(f"{ident}/c{n_chunks}", {"docs": chunk})
        (out / f"c{n_chunks}.js").write_text(text)
        total += len(text.encode())
        chunk, chunk_bytes, n_chunks = {}, 0, n_chunks + 1

    for r in records:
        view = sample_view(r, metric, units)
        frags = fragments.render(view)
        label = view["verdict"]
        verdicts[label] = verdicts.get(label, 0) + 1
        verdict_classes[label] = view["verdict_class"]
        groups = [group_index[k].get(r.groups.get(k), -1) for k in group_keys]
        docs.append([r.doc_id, n_chunks, label, groups, [r.values.get(m) for m in metrics]])
        if len(first_page) < PAGE_SIZE:
            first_page.append(fragments.card(frags, view["verdict_class"], r.doc_id))
        chunk[r.doc_id] = frags + [view["verdict_class"]]
        chunk_bytes += sum(len(f) for f in frags)
        if chunk_bytes >= CHUNK_BYTES or len(chunk) >= CHUNK_DOCS:
            flush()
    if chunk:
        flush()
    index = {"id": ident, "metric": metric, "metrics": metrics, "units": {m: units.get(m, "") for m in metrics},
             "groups": group_values, "groupKeys": group_keys, "verdicts": verdicts, "verdictClasses": verdict_classes,
             "chunks": n_chunks, "pageSize": PAGE_SIZE, "docs": docs}
    text = data_js(f"{ident}/index", index)
    (out / "index.js").write_text(text)
    total += len(text.encode())
    return BrowserData(ident, len(records), metric, metrics, verdicts, group_values, first_page, n_chunks, total)


def write_data_js(site: Path, ident: str, payload: Any) -> None:
    path = site / f"{ident}.js"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_js(ident, payload))


def browser_pages(board: Board, site: Path, fragments: Fragments) -> list[tuple[str, str, dict[str, Any]]]:
    """Write every cell's browser data; return the pages to render: (path, template, context),
    one per run and task, and one per run listing its tasks."""
    pages: list[tuple[str, str, dict[str, Any]]] = []
    runs: dict[str, dict[str, Any]] = {}
    for entry in board.entries:
        for key, cell in sorted(entry.cells.items()):
            run = cell.run
            info = runs.setdefault(run.result.run_id, {"run": run, "entry": entry, "tasks": []})
            metric = headline(board, key)
            units = sample_units(board, key, cell)
            mv = cell.task_result.metrics.get(metric) if metric else None
            task = {"key": key, "metric": metric, "score": score_cell(mv, units.get(metric or "") == PERCENT),
                    "n_docs": cell.task_result.n_docs, "href": None, "error": cell.samples_error,
                    "reasoning": reasoning_summary(cell.task_result),
                    "bench": f"../../{bench_href(key.task)}#{key.slug}"}
            info["tasks"].append(task)
            samples = cell.samples
            if samples is None:
                continue
            data = write_browser_data(site, data_id(run, key), samples, metric, units, fragments)
            task["href"] = f"{key.slug}.html"
            pages.append((f"{data.ident}.html", "samples.html.j2", {
                "title": f"{key.task} · {entry.label}", "key": key, "entry": entry, "run": run, "task": task,
                "data": data, "prov": provenance_panel(entry, cell), "siblings": info["tasks"]}))
    for run_id, info in runs.items():
        run = info["run"]
        pages.append((f"{run_rel(run)}/index.html", "run.html.j2", {
            "title": f"run {run_id}", "run": run, "entry": info["entry"], "tasks": info["tasks"],
            "prov": provenance_panel(info["entry"], keys=[t["key"] for t in info["tasks"]])}))
    return pages
