"""How a benchmark page looks: a small view config per task family, the rest read from the data.

A family is matched on the task name. Its view names the breakdown keys worth a table, whether a
breakdown value gets all metrics (READoc's ten columns per subset) or only the headline one, and
which two keys make a heatmap. Metric names, breakdown keys and their values come from the
results; a task that matches no family gets the generic view (every metric, every breakdown).
A leaderboard.json may override or add families under "families".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: headline metrics, in order of preference, when a view does not name one
PRIMARY_PREFERENCE = ("accuracy", "acc", "exact_match", "pass@1", "score", "overall", "f1")

#: units a metric is declared in: a fraction shown as a percentage, a count, or a raw number
PERCENT, COUNT, RAW = "%", "count", "raw"
#: units of common metric names, for any task (full-match regular expressions); a family view's
#: own `units` come first, and a result may declare its own in TaskResult.extra["units"]
COMMON_UNITS: dict[str, str] = {
    r"(accuracy|acc|acc_norm|exact_match|em|f1|precision|recall|agreement(_\w+)?)": PERCENT,
    r"(pass|maj|rm)@\d+(_\w+)?": PERCENT,
    r"\w+_(rate|failure|error)": PERCENT,
    r"(tp|fp|tn|fn|items|traces|n_\w+|\w+_count|events_\w+)": COUNT,
}


@dataclass
class FamilyView:
    name: str
    match: str  # regular expression on the task name
    primary: list[str] = field(default_factory=list)  # headline metric candidates
    breakdowns: list[str] | None = None  # breakdown keys to show (None: all of them)
    metrics: list[str] = field(default_factory=list)  # columns shown first, in this order (the rest follow)
    all_metrics_per_group: bool = False  # one table per breakdown value with every metric
    heatmap: tuple[str, str] | None = None  # (row key, column key) from sample groups
    correlation: str | None = None  # breakdown key whose values are correlated across models
    description: str = ""
    # Families split into one task per slice (cruxeval-x-input-cpp): the named groups of
    # task_pattern become dimensions of a family page; `columns` and `split` lay out its tables
    # ("metric" is a dimension too: every metric of each member), `defaults` fill absent groups.
    task_pattern: str | None = None
    columns: list[str] = field(default_factory=list)
    split: list[str] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    # units of this family's metrics: {name or regular expression: unit}, then `default_unit`
    units: dict[str, str] = field(default_factory=dict)
    default_unit: str = RAW

    def matches(self, task: str) -> bool:
        return re.search(self.match, task, flags=re.IGNORECASE) is not None


DEFAULT_FAMILIES: list[FamilyView] = [
    FamilyView("MATH", r"^(math|hendrycks_math|minerva_math)", primary=["accuracy", "exact_match", "acc"],
               breakdowns=["subject", "level"], default_unit=PERCENT,
               description="Accuracy by subject and level; accuracy against N where the run sampled several answers."),
    FamilyView("CRUXEval-X", r"^cruxeval[-_]x", primary=["pass@1", "accuracy"], breakdowns=["language", "mode"],
               metrics=["pass@1"], task_pattern=r"^cruxeval[-_]x[-_](?P<mode>input|output)[-_](?P<language>\w+)$",
               columns=["language"], split=["mode"], heatmap=("language", "mode"), correlation="language",
               default_unit=PERCENT,
               description="pass@1 per language and task (input/output prediction) as a heatmap, and how "
                           "languages correlate across models."),
    FamilyView("CRUXEval", r"^cruxeval(?![-_]x)", primary=["pass@1", "accuracy"],
               task_pattern=r"^cruxeval[-_](?P<mode>input|output)(?P<cot>[-_]cot)?$", columns=["mode"], split=["cot"],
               defaults={"cot": "direct"}, default_unit=PERCENT, description="pass@1 on input and output prediction, direct and with CoT."),
    FamilyView("READoc", r"^readoc", primary=["average", "overall", "score"], all_metrics_per_group=True,
               metrics=["text_concat", "text_vocab", "heading_concat", "heading_tree", "formula_embed",
                        "formula_isolate", "table_concat", "table_tree", "order_block", "order_token", "average"],
               task_pattern=r"^readoc[-_](?P<subset>[a-z]+)(?P<input>[-_]pages)?$", columns=["metric"],
               split=["subset", "input"], defaults={"input": "text"}, default_unit=PERCENT,
               units={"seconds": RAW},
               description="READoc's ten columns (and their average) per subset."),
    FamilyView("T-Eval", r"^t[-_]?eval", primary=["score", "overall"],
               metrics=["score", "instruct", "plan", "reason", "retrieve", "understand", "review", "overall"],
               task_pattern=r"^t[-_]?eval[-_](?P<ability>[a-z]+)(?:[-_](?P<format>json|str))?(?:[-_](?P<data>v\d+))?$",
               columns=["ability", "format"], split=["data"], defaults={"data": "v1"}, default_unit=PERCENT,
               description="The six abilities (instruct, plan, reason, retrieve, understand, review) per format."),
    FamilyView("ProactiveBench", r"^proactive", primary=["f1", "accuracy"], breakdowns=["split"],
               all_metrics_per_group=True, metrics=["recall", "precision", "accuracy", "false_alarm", "f1"],
               default_unit=PERCENT, units={r"(agree|unparsable|(judge|agent)_(unparsable|failed))": COUNT},
               description="Recall, precision, accuracy, false-alarm rate and F1 per split."),
]


def families(config: dict[str, Any] | None = None) -> list[FamilyView]:
    """The default families, with a leaderboard.json's "families" entries first (they win)."""
    extra = []
    for f in (config or {}).get("families", []):
        f = dict(f)
        if f.get("heatmap"):
            f["heatmap"] = tuple(f["heatmap"])
        f.setdefault("match", f.get("task_pattern") or re.escape(f["name"]))
        extra.append(FamilyView(**f))
    return extra + DEFAULT_FAMILIES


def view_for(task: str, config: dict[str, Any] | None = None) -> FamilyView:
    for fam in families(config):
        if fam.matches(task):
            return fam
    return FamilyView(name=task, match=re.escape(task))


def metric_unit(metric: str, view: FamilyView, config: dict[str, Any] | None = None,
                declared: dict[str, Any] | None = None) -> str:
    """The unit a metric is declared in, never guessed from its values: the result's own
    declaration (TaskResult.extra["units"]), leaderboard.json's "units", the family view's
    table, the common names, else the view's default (raw for tasks no view knows)."""
    for table in (declared or {}, (config or {}).get("units") or {}):
        if isinstance(table, dict) and metric in table:
            return str(table[metric])
    for table in (view.units, COMMON_UNITS):
        for pattern, unit in table.items():
            if re.fullmatch(pattern, metric):
                return unit
    return view.default_unit


def primary_metric(view: FamilyView, metric_names: list[str]) -> str | None:
    """The headline metric: the view's choice if present, else a common name, else the first."""
    for cand in list(view.primary) + list(PRIMARY_PREFERENCE):
        if cand in metric_names:
            return cand
    return metric_names[0] if metric_names else None


_AT_K = re.compile(r"^(?P<name>[A-Za-z_][\w\-]*)@(?P<k>\d+)$")


def curve_points(metrics: dict[str, Any], extra: dict[str, Any]) -> dict[str, dict[int, float]]:
    """Best-of-N curves of one task result: method -> {N: value}.

    Read from metrics named METHOD@N (pass@1, pass@8, maj@8, rm@8) and from extra["best_of_n"]
    ({method: {N: value}}), the shape the MATH task writes for its best-of-N runs.
    """
    curves: dict[str, dict[int, float]] = {}
    for name, mv in metrics.items():
        m = _AT_K.match(name)
        value = getattr(mv, "value", mv)
        if m and isinstance(value, (int, float)):
            curves.setdefault(m.group("name"), {})[int(m.group("k"))] = float(value)
    bon = extra.get("best_of_n") if isinstance(extra, dict) else None
    if isinstance(bon, dict):
        for method, pts in bon.items():
            if isinstance(pts, dict):
                for k, v in pts.items():
                    if isinstance(v, dict):
                        v = v.get("value")
                    try:
                        curves.setdefault(str(method), {})[int(k)] = float(v)
                    except (TypeError, ValueError):
                        continue
    # a curve needs at least two points
    return {m: dict(sorted(p.items())) for m, p in curves.items() if len(p) >= 2}


def order_metrics(view: FamilyView, names: list[str]) -> list[str]:
    """The view's metrics first (those present), then the others as the results list them."""
    first = [m for m in view.metrics if m in names]
    return first + [m for m in names if m not in first]


def task_dims(view: FamilyView, task: str) -> dict[str, str] | None:
    """The dimensions a family's task name encodes ({mode: input, language: cpp}), or None."""
    if not view.task_pattern:
        return None
    m = re.match(view.task_pattern, task, flags=re.IGNORECASE)
    if not m:
        return None
    dims = {k: (v.strip("-_") if v else view.defaults.get(k, "")) for k, v in m.groupdict().items()}
    return {k: (v or view.defaults.get(k, "")) for k, v in dims.items()}
