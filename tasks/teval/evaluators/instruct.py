"""INSTRUCT: follow a given output format, json or string (T-Eval's InstructEvaluator).

Per row: format_metric = 1 when the response parses in the requested format; args_em_metric =
(action name equal + each gold argument equal) / (number of gold arguments + 1).
"""

from __future__ import annotations

import ast
from typing import Any

from tasks.teval.parsing import format_load, parse_string


def parse_json(prediction: str, template: dict[str, str]) -> dict[str, Any] | None:
    try:
        data = format_load(prediction)
        parsed = {"thought": data[template["thought"]], "action": data[template["action"]]}
        args = data[template["args"]]
    except Exception:  # noqa: BLE001 - any failure is a format failure, as upstream
        return None
    parsed["args"] = args if isinstance(args, dict) else {}
    return parsed


def parse_text(prediction: str, template: dict[str, str]) -> dict[str, Any] | None:
    pattern = (template["thought_start"] + "{thought}" + template["thought_end"]
               + template["action_start"] + "{action}" + template["action_end"]
               + template["args_start"] + "{args}" + template["args_end"])
    res = parse_string(pattern, prediction, allow_newline=True)
    if res is None:
        return None
    try:
        args = ast.literal_eval(res["args"].strip())
        res["args"] = args if isinstance(args, dict) else {}
        res["action"] = res["action"].strip()
        return res
    except Exception:  # noqa: BLE001 - unparsable args still count as the right format
        return {"thought": res["thought"], "action": res["action"].strip(), "args": {}}


def args_em(gt_action: Any, pred_action: Any, gt_args: dict, pred_args: dict) -> float:
    hits = 1.0 if gt_action == pred_action else 0.0
    for key in gt_args:
        if pred_args.get(key, "") == gt_args[key]:
            hits += 1.0
    return hits / (len(gt_args) + 1)


def score(row: dict[str, Any], prediction: str | None) -> tuple[dict[str, float], dict[str, Any]]:
    fmt = row["meta_data"]["response_format"]
    text = prediction or ""
    parsed = parse_json(text, row["template"]) if fmt == "json" else parse_text(text, row["template"])
    if parsed is None:
        values = {f"{fmt}_format_metric": 0.0, f"{fmt}_args_em_metric": 0.0, "parse_rate": 0.0}
        return values, {"parsed": None}
    gt = row["ground_truth"]
    em = args_em(gt["action"], parsed["action"], gt["args"], parsed["args"])
    values = {f"{fmt}_format_metric": 1.0, f"{fmt}_args_em_metric": em, "parse_rate": 1.0}
    return values, {"parsed": {"action": parsed["action"], "args": parsed["args"]}}
