"""A single-turn task described by data: rows, a jinja2 prompt template, a named scorer.

Most benchmarks (MATH, a YAML task) are one of these: one request per document with n samples,
scored by a pure function of (document, outputs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import jinja2

from harness import normalize
from harness.data import DataSource
from harness.errors import HarnessError
from harness.requests import Request, SamplingParams
from harness.task import Doc, DocState, SampleScore, ScoringContext, Task

#: a scorer: (document, outputs) -> SampleScore
Scorer = Callable[[Doc, list[str]], SampleScore]

_SCORERS: dict[str, Scorer] = {}
_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False)


def register_scorer(name: str, fn: Scorer) -> None:
    _SCORERS[name] = fn


def get_scorer(name: str) -> Scorer:
    from harness import registry

    registry.task_names()  # built-in task packages register their scorers on import
    if name not in _SCORERS:
        raise HarnessError(f"unknown scorer '{name}'", f"known scorers: {', '.join(sorted(_SCORERS))}")
    return _SCORERS[name]


def scorer_names() -> list[str]:
    from harness import registry

    registry.task_names()
    return sorted(_SCORERS)


def exact_match(doc: Doc, outputs: list[str]) -> SampleScore:
    gold = str(doc.data.get("answer", "")).strip()
    hits = [float(o.strip() == gold) for o in outputs]
    return SampleScore(doc.id, {"accuracy": sum(hits) / len(hits)}, record={"gold": gold})


register_scorer("exact_match", exact_match)


class TemplateTask(Task):
    def __init__(self, name: str, source: DataSource, template: str, scorer: Scorer | str,
                 version: str = "1", fmt: str = "chat", system: str | None = None, id_field: str = "id",
                 group_fields: tuple[str, ...] = (), sampling: SamplingParams | None = None,
                 description: str = "", config: dict[str, Any] | None = None, answer_field: str = "answer",
                 normalize: tuple[str, ...] = (), scorer_version: str = "1"):
        if fmt not in ("chat", "completion"):
            raise ValueError(f"format must be chat or completion, not {fmt}")
        self.name, self.version, self.source, self.fmt = name, version, source, fmt
        self.scorer_version = scorer_version
        self.template_source, self.system = template, system
        self.template = _ENV.from_string(template)
        self.scorer_name = scorer if isinstance(scorer, str) else getattr(scorer, "__name__", "custom")
        self._scorer = scorer
        self.id_field, self.group_fields = id_field, group_fields
        self.default_sampling = sampling or SamplingParams()
        self.description = description
        # scorers read the gold from `answer`: answer_field names the column that holds it
        self.answer_field, self.normalize = answer_field, tuple(normalize)
        self._config = dict(config or {})
        if answer_field != "answer":
            self._config["answer_field"] = answer_field
        if self.normalize:
            self._config["normalize"] = list(self.normalize)

    def scorer(self) -> Scorer:
        return get_scorer(self._scorer) if isinstance(self._scorer, str) else self._scorer

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        rows = self.source.load(data_dir)
        docs = []
        for i, row in enumerate(rows):
            doc_id = str(row[self.id_field]) if self.id_field in row else str(i)
            docs.append(Doc(doc_id, dict(row)))
        if docs:  # a typo in the template or a missing gold column: said now, not mid-run
            self.render(docs[0])
            named = isinstance(self._scorer, str) or self.answer_field != "answer"  # a registered scorer reads `answer`
            if named and self.answer_field not in docs[0].data:
                raise HarnessError(f"task {self.name}: the documents have no field '{self.answer_field}' for the gold answer",
                                   f"set answer_field: to one of {', '.join(sorted(docs[0].data))}")
        return docs

    def render(self, doc: Doc) -> str:
        try:
            return self.template.render(**doc.data)
        except jinja2.TemplateError as e:
            raise HarnessError(f"task {self.name}: the prompt template fails on document {doc.id}: {e}",
                               f"the document has the fields {', '.join(sorted(doc.data))}; fix the template or the data") from None

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        if "main" in state.outputs:
            return []
        text = self.render(doc)
        if self.fmt == "completion":
            return [Request(task=self.name, doc_id=doc.id, sampling=sampling, prompt=text)]
        msgs = ([{"role": "system", "content": self.system}] if self.system else []) + [{"role": "user", "content": text}]
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling, messages=tuple(msgs))]

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        outputs = state.texts("main")
        if self.answer_field != "answer" or self.normalize:  # the scorer sees the gold as `answer`
            gold = normalize.apply(str(doc.data.get(self.answer_field, "")), self.normalize)
            doc = Doc(doc.id, {**doc.data, "answer": gold})
            outputs = [normalize.apply(o, self.normalize) for o in outputs]
        s = self.scorer()(doc, outputs)
        for g in self.group_fields:
            if g in doc.data and g not in s.groups:
                s.groups[g] = str(doc.data[g])
        return s

    def prompt_sources(self) -> list[str]:
        return [self.fmt, self.system or "", self.template_source]

    def category(self, doc: Doc) -> str | None:
        """The first breakdown field (MATH: subject)."""
        return str(doc.data.get(self.group_fields[0])) if self.group_fields else None

    def data_files(self, data_dir: Path | None) -> list[Path]:
        f = self.source.local_file(data_dir)
        return [f] if f else []

    def config(self) -> dict[str, Any]:
        return {"format": self.fmt, "scorer": self.scorer_name, **self._config}
