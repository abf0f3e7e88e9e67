"""`harness tasks schema`: the YAML task format, every key, with an example, written from the
model that reads the files (harness/yaml_task.py TaskFile), so the two cannot disagree."""

from __future__ import annotations

from pydantic_core import PydanticUndefined

from harness import normalize
from harness.yaml_task import TaskFile

EXAMPLE = """\
# capitals.yaml: run it with `harness run --model ... --tasks capitals.yaml`
name: capitals
version: "1"
data: capitals.jsonl         # {"id": "fr", "country": "France", "target": "Paris", "region": "Europe"}
id_field: id
prompt: "What is the capital of {{ country }}? Answer with the city only."
format: chat
scorer: exact_match
answer_field: target         # the gold is in `target`, not `answer`
normalize: [lower, whitespace, punctuation]
groups: [region]
sampling: {max_tokens: 16, stop: ["\\n"]}
description: capital cities, exact match after normalisation
"""


def _default(field) -> str:
    if field.is_required():
        return "required"
    value = field.default
    if value is PydanticUndefined or value is None:
        return "optional"
    return f"default {value!r}" if value not in ("", [], {}) else "optional"


def key_names() -> list[str]:
    return list(TaskFile.model_fields)


def schema_text() -> str:
    from harness.template_task import scorer_names

    width = max(map(len, TaskFile.model_fields)) + 2
    lines = ["A task file (YAML) describes a single-turn task: documents, a jinja2 prompt, a scorer.",
             "Run it like a built-in task: harness run --model MODEL --tasks path/to/task.yaml", "", "keys:"]
    for name, field in TaskFile.model_fields.items():
        lines.append(f"  {name:<{width}}{_default(field)}: {field.description}")
    lines += ["", "scorers: " + ", ".join(scorer_names()),
              "normalize steps: " + "; ".join(f"{k}: {doc}" for k, (_, doc) in normalize.STEPS.items()),
              "", "The template is checked against the first document when the task loads: a field it",
              "names that the documents do not have is an error then, not during the run.",
              "", "example:", *("  " + line for line in EXAMPLE.splitlines())]
    return "\n".join(lines)
