"""A task defined outside the package: a YAML file naming a data file, a template and a scorer.

    name: my-arith
    version: "1"
    data: rows.jsonl            # relative to this file; JSON lines
    id_field: id
    template: prompt.j2         # a file beside this one, or `prompt:` inline
    format: chat                # or completion
    scorer: exact_match         # or math, or any registered scorer (required)
    sampling: {max_tokens: 64, stop: ["\\n"]}

`harness tasks schema` prints every key (answer_field, normalize, groups...) with an example.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness import normalize
from harness.data import DataSource
from harness.errors import HarnessError
from harness.requests import SamplingParams
from harness.template_task import TemplateTask, get_scorer


class TaskFile(BaseModel):
    """Every key of a task file; `harness tasks schema` prints them from here."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="the task's name in results and tables")
    version: str = Field("1", description="bump it when the prompt or data change: it is part of every store key")
    data: str = Field(description="the documents: a JSON-lines file, relative to this file")
    id_field: str = Field("id", description="the field that identifies a document (default: its line number)")
    template: str | None = Field(None, description="the prompt: a jinja2 file beside this one, rendered with the "
                                                   "document's fields (exactly one of template: or prompt:)")
    prompt: str | None = Field(None, description="the prompt inline, jinja2")
    system: str | None = Field(None, description="a system message for chat models")
    format: Literal["chat", "completion"] = Field("chat", description="chat (messages, the model's chat template) "
                                                                     "or completion (the raw prompt)")
    scorer: str = Field(description="how an output is judged against the gold: exact_match, math, or any "
                                    "registered scorer (required: a wrong default scores silently)")
    answer_field: str = Field("answer", description="the field that holds the gold answer")
    normalize: list[str] = Field([], description="steps applied to the output and the gold before scoring, in "
                                                 "order: " + ", ".join(normalize.STEPS))
    groups: list[str] = Field([], description="fields to break the scores down by (the first one is what "
                                              "--limit N --spread covers)")
    sampling: dict = Field({}, description="generation settings: max_tokens, temperature, top_p, top_k, stop, n")
    description: str = Field("", description="one line for `harness tasks list`")


def load_yaml_task(path: Path) -> TemplateTask:
    path = Path(path)
    if not path.is_file():
        raise HarnessError(f"task file {path} does not exist", "check the path given to --tasks")
    try:
        raw = yaml.safe_load(path.read_text())
        spec = TaskFile.model_validate(raw)
        sampling = SamplingParams.model_validate(
            {k: ((v,) if isinstance(v, str) else tuple(v)) if k == "stop" else v for k, v in spec.sampling.items()})
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise HarnessError(f"task file {path} is not valid YAML{where}: {getattr(e, 'problem', None) or str(e).splitlines()[0]}",
                           "fix the YAML syntax; `harness tasks schema` shows an example") from None
    except ValidationError as e:
        err = e.errors()[0]
        where = ".".join(map(str, err["loc"])) or "the file"
        if e.title == SamplingParams.__name__:
            where = f"sampling.{where}"
        msg = "missing (it has no default)" if err["type"] == "missing" else err["msg"]
        if err["type"] == "model_type":
            msg = "a task file is a mapping of keys (name:, data:, scorer: ...)"
        raise HarnessError(f"task file {path}: {where}: {msg}", "`harness tasks schema` shows every key") from None
    except TypeError as e:  # stop: 3 (not text)
        raise HarnessError(f"task file {path}: sampling: {e}", "`harness tasks schema` shows every key") from None
    bad = normalize.unknown_steps(spec.normalize)
    if bad:
        raise HarnessError(f"task file {path}: normalize: unknown step {', '.join(bad)}",
                           f"use any of {', '.join(normalize.STEPS)}")
    if (spec.template is None) == (spec.prompt is None):
        raise HarnessError(f"task file {path} needs exactly one of `template:` (a file) or `prompt:` (inline)",
                           "`harness tasks schema` shows every key")
    if spec.template is not None:
        tpath = path.parent / spec.template
        if not tpath.is_file():
            raise HarnessError(f"task file {path}: template {tpath} does not exist",
                               "template: is a path relative to the task file")
        template = tpath.read_text()
    else:
        template = spec.prompt
    get_scorer(spec.scorer)  # fail now, not after generation
    data = path.parent / spec.data
    if not data.is_file():
        raise HarnessError(f"task file {path}: data file {data} does not exist",
                           "data: is a JSON-lines file, relative to the task file")
    try:
        return TemplateTask(name=spec.name, version=spec.version, source=DataSource(bundled=data),
                            template=template, scorer=spec.scorer, fmt=spec.format, system=spec.system,
                            id_field=spec.id_field, group_fields=tuple(spec.groups), sampling=sampling,
                            description=spec.description, answer_field=spec.answer_field,
                            normalize=tuple(spec.normalize))
    except jinja2.TemplateSyntaxError as e:
        raise HarnessError(f"task file {path}: the prompt template has a syntax error at line {e.lineno}: {e.message}",
                           "see jinja2's syntax: {{ field }}, {% if %}...{% endif %}") from None
