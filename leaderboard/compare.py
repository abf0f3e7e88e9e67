"""The per-sample comparison of two runs of one task: prompt, both outputs, both verdicts."""

from __future__ import annotations

from typing import Any

from harness.results import SampleRecord
from leaderboard.collect import Cell, Entry, TaskKey
from leaderboard.fmt import fmt_p, fmt_value, is_number
from leaderboard.stats import PairedTest
from leaderboard.tables import natural_key, provenance


def prompt_text(prompt: Any) -> str:
    """A prompt as a reader sees it: raw text, or a chat as 'role: content' blocks."""
    if isinstance(prompt, str):
        return prompt
    if isinstance(prompt, list) and all(isinstance(m, dict) for m in prompt):
        return "\n\n".join(f"[{m.get('role', '?')}]\n{m.get('content', '')}" for m in prompt)
    if isinstance(prompt, dict) and "text" in prompt:
        media = prompt.get("media") or []
        return prompt_text(prompt["text"]) + (f"\n\n[media: {', '.join(map(str, media))}]" if media else "")
    return repr(prompt)


def _verdict(rec: SampleRecord | None, metric: str | None) -> dict[str, Any]:
    if rec is None:
        return {"value": None, "text": "not answered", "value_text": "", "record": []}
    v = rec.values.get(metric) if metric else None
    values = ", ".join(f"{k}={fmt_value(x, pct=False) if is_number(x) else 'n/a'}" for k, x in rec.values.items())
    record = [(k, x if isinstance(x, str) else repr(x)) for k, x in rec.record.items()]
    if v is None:
        text = "n/a"
    elif v in (0.0, 1.0):
        text = "correct" if v == 1.0 else "wrong"
    else:
        text = fmt_value(v, pct=False)
    return {"value": v, "text": text, "value_text": values, "record": record}


def _outputs(rec: SampleRecord | None) -> list[str]:
    if rec is None:
        return []
    outs = list(rec.outputs)
    for tag, more in rec.extra_outputs.items():
        outs += [f"[{tag}] {o}" for o in more]
    return outs


def comparison(key: TaskKey, metric: str | None, a: Entry, b: Entry, cell_a: Cell, cell_b: Cell,
               test: PairedTest) -> dict[str, Any]:
    recs_a = {r.doc_id: r for r in (cell_a.samples or [])}
    recs_b = {r.doc_id: r for r in (cell_b.samples or [])}
    ids = sorted(set(recs_a) | set(recs_b), key=natural_key)
    rows = []
    for doc_id in ids:
        ra, rb = recs_a.get(doc_id), recs_b.get(doc_id)
        va, vb = _verdict(ra, metric), _verdict(rb, metric)
        both = ra is not None and rb is not None
        # the verdicts differ when any per-document value does (accuracy, extraction failure...)
        differs = both and ra.values != rb.values
        headline_differs = both and va["value"] != vb["value"]
        same_output = both and _outputs(ra) == _outputs(rb)
        rows.append({
            "doc_id": doc_id, "prompt": prompt_text((ra or rb).prompt), "groups": (ra or rb).groups,
            "out_a": _outputs(ra), "out_b": _outputs(rb), "verdict_a": va, "verdict_b": vb,
            "differs": differs, "headline_differs": headline_differs, "shared": both, "same_output": same_output,
        })
    n_differ = sum(r["differs"] for r in rows)
    n_headline_differ = sum(r["headline_differs"] for r in rows)
    return {
        "key": key, "metric": metric, "a": a, "b": b, "rows": rows, "n_differ": n_differ, "n_headline_differ": n_headline_differ,
        "n_shared": sum(r["shared"] for r in rows), "prov_a": provenance(a, cell_a), "prov_b": provenance(b, cell_b),
        "errors": [e for e in (cell_a.samples_error, cell_b.samples_error) if e],
        "test": {"method": test.method, "p": fmt_p(test.p_value), "diff": fmt_value(test.diff) if test.diff is not None else "–",
                 "mean_a": fmt_value(test.mean_a) if test.mean_a is not None else "–",
                 "mean_b": fmt_value(test.mean_b) if test.mean_b is not None else "–",
                 "a_only": test.a_only, "b_only": test.b_only, "significant": test.significant,
                 "tested": test.tested},
    }
