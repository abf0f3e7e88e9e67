"""The six ability scores and the overall score, computed across T-Eval tasks as the reference's
teval/utils/convert_results.py does: each ability is the mean of its str and json parts, the
overall score is the unweighted mean of the six abilities."""

from __future__ import annotations

from typing import Any, Mapping

#: ability -> (task suffix, metric) parts, as in convert_results.py
ABILITIES: dict[str, list[tuple[str, str]]] = {
    "instruct": [("instruct", "json_score"), ("instruct", "string_score")],
    "plan": [("plan-str", "f1_score"), ("plan-json", "f1_score")],
    "reason": [("reason-str", "thought"), ("rru-json", "thought")],
    "retrieve": [("retrieve-str", "name"), ("rru-json", "name")],
    "understand": [("understand-str", "args"), ("rru-json", "args")],
    # upstream lists review_str twice; the mean of one value twice is that value
    "review": [("review", "review_quality")],
}


def _value(metric: Any) -> float | None:
    if metric is None:
        return None
    value = metric.get("value") if isinstance(metric, Mapping) else getattr(metric, "value", metric)
    return None if value is None else float(value)


def _metrics(task_result: Any) -> Mapping[str, Any]:
    return task_result.get("metrics", {}) if isinstance(task_result, Mapping) else task_result.metrics


def _evaluator_version(task_result: Any) -> str | None:
    config = task_result.get("config", {}) if isinstance(task_result, Mapping) else getattr(task_result, "config", {})
    return (config or {}).get("evaluator_version")


def summarize(tasks: Mapping[str, Any], version: str = "v1") -> dict[str, Any]:
    """From {task name: TaskResult (or its dict)} to ability scores, overall and parse failures.

    `overall` is the reference's number and needs all six abilities; with some missing it is
    None and `overall_of_present` averages the abilities that are there (marked incomplete).
    """
    suffix = "" if version == "v1" else "-v2"
    abilities: dict[str, float | None] = {}
    parts_used: dict[str, list[str]] = {}
    missing_parts: list[str] = []
    for ability, parts in ABILITIES.items():
        vals = []
        for task_suffix, metric in parts:
            name = f"teval-{task_suffix}{suffix}"
            value = _value(_metrics(tasks[name]).get(metric)) if name in tasks else None
            if value is None:
                missing_parts.append(f"{name}:{metric}")
            else:
                vals.append(value)
                parts_used.setdefault(ability, []).append(f"{name}:{metric}")
        abilities[ability] = sum(vals) / len(vals) if vals else None
    present = [v for v in abilities.values() if v is not None]
    complete = not missing_parts
    # parse failures over all rows of this version's tasks (each task weighted by its rows)
    ours = {f"teval-{t}{suffix}" for parts in ABILITIES.values() for t, _ in parts}
    fails = []
    for name in ours & set(tasks):
        metric = _metrics(tasks[name]).get("parse_failure")
        rate = _value(metric)
        n = metric.get("n") if isinstance(metric, Mapping) else getattr(metric, "n", 1)
        if rate is not None:
            fails.append((rate, n or 1))
    failure = sum(r * n for r, n in fails) / sum(n for _, n in fails) if fails else None
    # the data version is in the task names; the evaluator may differ (--score-option teval_evaluator)
    evaluators = sorted({e for name in ours & set(tasks) if (e := _evaluator_version(tasks[name]))} or {version})
    return {
        "version": version,
        "evaluators": evaluators,
        "abilities": abilities,
        "overall": sum(present) / 6 if complete else None,
        "overall_of_present": sum(present) / len(present) if present else None,
        "complete": complete,
        "missing": missing_parts,
        "parts": parts_used,
        "parse_failure_rate": failure,
    }


def format_summary(summary: dict[str, Any]) -> str:
    def pct(v):
        return "  -  " if v is None else f"{100 * v:5.1f}"

    head = ["Overall", *[a.capitalize() for a in ABILITIES]]
    vals = [summary["overall"] if summary["complete"] else summary["overall_of_present"], *summary["abilities"].values()]
    evaluators = summary.get("evaluators") or [summary["version"]]
    label = summary["version"] if evaluators == [summary["version"]] else f"{summary['version']} data, {'/'.join(evaluators)} evaluator"
    lines = [f"T-Eval {label} (x100, as the leaderboard)", "  ".join(f"{h:>10}" for h in head),
             "  ".join(f"{pct(v):>10}" for v in vals)]
    if not summary["complete"]:
        lines.append("incomplete: overall is the mean of the abilities present; missing " + ", ".join(summary["missing"]))
    if summary["parse_failure_rate"] is not None:
        lines.append(f"parse-failure rate (all rows): {100 * summary['parse_failure_rate']:.1f}%")
    return "\n".join(lines)
