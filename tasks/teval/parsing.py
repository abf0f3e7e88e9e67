"""The reference's text parsers, reproduced with their behaviour (quirks included; see README).

`format_load` is T-Eval's parse cascade: cut after a ```json fence, slice from the first start
character to the last end character, then try ast.literal_eval, json.loads, and json.loads with
every ' turned into ". `parse_string` is its template matcher for the INSTRUCT string format.
"""

from __future__ import annotations

import ast
import json
import re
from string import Formatter
from typing import Any


class ParseError(ValueError):
    """The reference's "Cannot parse raw data"."""


def format_load(raw: Any, start: str = "", end: str = "") -> Any:
    if not isinstance(raw, str):
        return raw  # already structured (ground truths are stored parsed)
    if "```json" in raw:
        raw = raw[raw.find("```json") + len("```json"):]
        raw = raw.strip("`")
    # Quirk kept: a missing start character gives find() == -1, so only the last character
    # survives; a missing end character gives rfind() == -1, so nothing survives.
    if start:
        raw = raw[raw.find(start):]
    if end:
        raw = raw[:raw.rfind(end) + len(end)]
    for attempt in (ast.literal_eval, json.loads, lambda s: json.loads(s.replace("'", '"'))):
        try:
            return attempt(raw)
        except Exception:  # noqa: BLE001 - any failure moves on to the next parser, as upstream
            continue
    raise ParseError("Cannot parse raw data")


def parse_string(template: str, text: str, allow_newline: bool = False) -> dict[str, Any] | None:
    """Match `text` against a '{key}' template; None when it does not match.

    Quirk kept: the template's literal text is used as a regular expression unescaped, each
    field becomes a greedy '(.*)'. A template that is not a valid pattern gives None here
    (upstream raises).
    """
    keys = [field for _, field, _, _ in Formatter().parse(template) if field is not None]
    pattern = template
    for k in keys:
        pattern = pattern.replace("{" + k + "}", "(.*)")
    try:
        found = re.findall(pattern, text, re.S if allow_newline else 0)
    except re.error:
        return None
    if not found:
        return None
    data: dict[str, Any] = {}
    for k, v in zip(keys, found[0]):
        if k in data:
            data[k] = data[k] + [v] if isinstance(data[k], list) else [data[k], v]
        else:
            data[k] = v
    return data
