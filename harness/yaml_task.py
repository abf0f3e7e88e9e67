"""A task defined outside the package: a YAML file naming a data file, a template and a scorer.

    name: my-arith
    version: "1"
    data: rows.jsonl            # relative to this file; JSON lines
    id_field: id
    template: prompt.j2         # a file beside this one, or `prompt:` inline
    format: chat                # or completion
    scorer: exact_match         # or math, or any registered scorer
    sampling: {max_tokens: 64, stop: ["\\n"]}
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from harness.data import DataSource
from harness.errors import HarnessError
from harness.requests import SamplingParams
from harness.template_task import TemplateTask, get_scorer


class TaskFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    version: str = "1"
    data: str
    id_field: str = "id"
    template: str | None = None
    prompt: str | None = None
    system: str | None = None
    format: str = "chat"
    scorer: str = "exact_match"
    groups: list[str] = []
    sampling: dict = {}
    description: str = ""


def load_yaml_task(path: Path) -> TemplateTask:
    path = Path(path)
    if not path.is_file():
        raise HarnessError(f"task file {path} does not exist")
    try:
        raw = yaml.safe_load(path.read_text())
        spec = TaskFile.model_validate(raw)
        sampling = SamplingParams(**{k: tuple(v) if k == "stop" else v for k, v in spec.sampling.items()})
    except yaml.YAMLError as e:
        raise HarnessError(f"task file {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    except ValidationError as e:
        err = e.errors()[0]
        raise HarnessError(f"task file {path}: {'.'.join(map(str, err['loc']))}: {err['msg']}",
                           "see `harness tasks --help` for the task file format") from None
    if (spec.template is None) == (spec.prompt is None):
        raise HarnessError(f"task file {path} needs exactly one of `template:` (a file) or `prompt:` (inline)")
    if spec.template is not None:
        tpath = path.parent / spec.template
        if not tpath.is_file():
            raise HarnessError(f"task file {path}: template {tpath} does not exist")
        template = tpath.read_text()
    else:
        template = spec.prompt
    get_scorer(spec.scorer)  # fail now, not after generation
    data = path.parent / spec.data
    if not data.is_file():
        raise HarnessError(f"task file {path}: data file {data} does not exist")
    return TemplateTask(name=spec.name, version=spec.version, source=DataSource(bundled=data),
                        template=template, scorer=spec.scorer, fmt=spec.format, system=spec.system,
                        id_field=spec.id_field, group_fields=tuple(spec.groups), sampling=sampling,
                        description=spec.description)
