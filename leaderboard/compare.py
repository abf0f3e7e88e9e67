"""The per-sample comparison of two runs of one task, as a static page (readable without
JavaScript): prompt, both outcomes and records in the sample browser's fragments."""

from __future__ import annotations

from typing import Any

from harness.results import SampleRecord
from leaderboard.browser import Fragments
from leaderboard.collect import Board, Cell, Entry, TaskKey
from leaderboard.fmt import fmt_p, fmt_value
from leaderboard.samples import sample_view
from harness.paired import PairedTest
from leaderboard.tables import natural_key, provenance, sample_units


def comparison(board: Board, key: TaskKey, metric: str | None, a: Entry, b: Entry, cell_a: Cell, cell_b: Cell,
               test: PairedTest, fragments: Fragments) -> dict[str, Any]:
    recs_a = {r.doc_id: r for r in (cell_a.samples or [])}
    recs_b = {r.doc_id: r for r in (cell_b.samples or [])}
    units_a, units_b = sample_units(board, key, cell_a), sample_units(board, key, cell_b)
    ids = sorted(set(recs_a) | set(recs_b), key=natural_key)
    rows = []
    for doc_id in ids:
        ra, rb = recs_a.get(doc_id), recs_b.get(doc_id)
        both = ra is not None and rb is not None
        va = sample_view(ra, metric, units_a) if ra is not None else None
        vb = sample_view(rb, metric, units_b) if rb is not None else None
        first: SampleRecord = ra or rb
        fa = fragments.render(va) if va else None
        fb = fragments.render(vb) if vb else None
        rows.append({
            "doc_id": doc_id, "header": (fa or fb)[0], "prompt": (fa or fb)[1],
            "side_a": fa[2] if fa else None, "side_b": fb[2] if fb else None,
            # the verdicts differ when any per-document value does (accuracy, extraction failure...)
            "differs": both and ra.values != rb.values,
            "headline_differs": both and metric is not None and ra.values.get(metric) != rb.values.get(metric),
            "shared": both, "groups": first.groups,
        })
    return {
        "key": key, "metric": metric, "a": a, "b": b, "rows": rows,
        "n_differ": sum(r["differs"] for r in rows), "n_headline_differ": sum(r["headline_differs"] for r in rows),
        "n_shared": sum(r["shared"] for r in rows), "prov_a": provenance(a, cell_a), "prov_b": provenance(b, cell_b),
        "errors": [e for e in (cell_a.samples_error, cell_b.samples_error) if e],
        "test": {"method": test.method, "p": fmt_p(test.p_value), "diff": fmt_value(test.diff) if test.diff is not None else "–",
                 "mean_a": fmt_value(test.mean_a) if test.mean_a is not None else "–",
                 "mean_b": fmt_value(test.mean_b) if test.mean_b is not None else "–",
                 "a_only": test.a_only, "b_only": test.b_only, "significant": test.significant,
                 "tested": test.tested},
    }
