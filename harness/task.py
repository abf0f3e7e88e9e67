"""The task interface: what a benchmark gives the harness.

A task loads documents, asks for generations in rounds (one round for most tasks, several for
agent loops and judges), scores a document's generations with a pure function, and aggregates
the per-document scores into metrics. Everything slow or stateful a scorer needs (a sandbox, an
embedding model) comes in through the ScoringContext.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.requests import Generation, Request, SamplingParams


@dataclass
class Doc:
    """One benchmark item."""

    id: str
    data: dict[str, Any]


@dataclass
class DocState:
    """What a document has received so far, by request tag (in request order)."""

    outputs: dict[str, list[Generation]] = field(default_factory=dict)
    requests: dict[str, Request] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # tag -> why the generation failed

    def texts(self, tag: str = "main") -> list[str]:
        return [g.text for g in self.outputs.get(tag, [])]


@dataclass
class SampleScore:
    """The verdict for one document.

    `values` are per-document metric values (None where a metric is undefined for this
    document, so it is left out of that metric's denominator). `groups` are the breakdown
    keys (subject, level, language). `record` holds what a reader wants to see per sample
    (extracted answers, verdicts, reasons).
    """

    doc_id: str
    values: dict[str, float | None]
    groups: dict[str, str] = field(default_factory=dict)
    record: dict[str, Any] = field(default_factory=dict)


@dataclass
class ScoringContext:
    """Slow or stateful helpers a scorer may use; built by the runner, passed in."""

    options: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    executor: Any = None  # harness.executors.Executor: where sandboxes run (ray: across the cluster)
    used: set[str] = field(default_factory=set)  # resources asked for (the runner clears it per task)

    def get(self, name: str, factory=None):
        self.used.add(name)
        if name not in self.resources and factory is not None:
            self.resources[name] = factory()
        return self.resources.get(name)


@dataclass
class RunSettings:
    """What the user asked for on the command line that tasks must honour."""

    samples: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int = 1234
    limit: int | None = None
    spread: bool = False  # with limit: spread the documents over the task's categories (doc_sample.py)
    data_dir: Path | None = None
    #: documents read as page images by a vision model: the first N pages, render resolution and
    #: pixel cap per image (None: the task's defaults)
    max_pages: int | None = None
    image_dpi: int | None = None
    max_pixels: int | None = None


class Task(ABC):
    """A benchmark. Subclasses set `name` and `version` and implement the abstract methods."""

    name: str = ""
    version: str = "1"  # prompts and data: part of the store key, so a change regenerates
    #: how outputs are graded: a change re-grades stored outputs (`harness score`) and keeps the
    #: results apart from the old ones (compare, leaderboard), without generating again
    scorer_version: str = "1"
    description: str = ""
    #: the sampling a task uses unless the user overrides it
    default_sampling: SamplingParams = SamplingParams()

    @abstractmethod
    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        """Read the task's documents (raise DataMissing with a hint when absent)."""

    @abstractmethod
    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        """The requests for the next round of `doc`, given what it received so far; [] when done."""

    @abstractmethod
    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        """Pure: a document's verdict from its generations."""

    def score_all(self, items: list[tuple[Doc, DocState]], ctx: ScoringContext) -> list[SampleScore]:
        """Score many documents; override to batch expensive work (program runs, embeddings)."""
        return [self.score(doc, state, ctx) for doc, state in items]

    def aggregate(self, scores: list[SampleScore], seed: int = 0):
        """Metrics over documents: by default the mean of each value with its uncertainty."""
        from harness.metrics import aggregate_means

        return aggregate_means(scores, seed=seed)

    def bind_backend(self, info) -> None:
        """Told which model or system will answer (a ModelInfo) before the first round, so a task
        can shape its requests for it (a whole PDF for a converter, page images for a model)."""

    def sampling(self, settings: RunSettings) -> SamplingParams:
        """The task's default sampling with the user's overrides applied."""
        s = self.default_sampling
        upd: dict[str, Any] = {}
        if settings.samples is not None:
            upd["n"] = settings.samples
        if settings.temperature is not None:
            upd["temperature"] = settings.temperature
        if settings.top_p is not None:
            upd["top_p"] = settings.top_p
        if settings.max_tokens is not None:
            upd["max_tokens"] = settings.max_tokens
        if not (settings.temperature == 0.0 or (settings.temperature is None and s.greedy)):
            upd["seed"] = settings.seed
        return s.model_copy(update=upd)

    def prompt_sources(self) -> list[str]:
        """The texts that define the prompt (templates, instructions); hashed into prompt_hash."""
        return []

    def prompt_hash(self) -> str:
        h = hashlib.sha256()
        for src in self.prompt_sources():
            h.update(src.encode())
            h.update(b"\0")
        return h.hexdigest()[:16]

    def data_files(self, data_dir: Path | None) -> list[Path]:
        """The local files the documents came from (hashed into the results)."""
        return []

    def config(self) -> dict[str, Any]:
        """Task settings worth recording in the results."""
        return {}

    def configure(self, settings: RunSettings) -> None:
        """Told the run's settings before documents load (page limits for image requests)."""

    def category(self, doc: Doc) -> str | None:
        """The document's category (subject, trace domain...), which `--limit N --spread` covers."""
        return None

    def example_request(self, doc: Doc, settings: RunSettings | None = None) -> Request:
        """The first request of a document, as a user inspects it (`harness tasks show`)."""
        reqs = self.next_requests(doc, DocState(), self.sampling(settings or RunSettings()))
        return reqs[0]


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
