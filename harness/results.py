"""The results schema: one file per run (results.json) and per-sample records.

Everything that reads results (the CLI, the leaderboard) goes through these models.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.errors import HarnessError

SCHEMA_VERSION = 1
RESULTS_FILE = "results.json"
SAMPLES_DIR = "samples"


class MetricValue(BaseModel):
    value: float | None
    stderr: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int = 0


class ModelInfo(BaseModel):
    """Who answered: enough to tell two models (or two backends of one model) apart."""

    spec: str
    backend: str
    name: str
    fingerprint: str
    revision: str | None = None
    path: str | None = None
    files: dict[str, str] = Field(default_factory=dict)  # file name -> sha256
    backend_version: str | None = None
    settings: dict[str, Any] = Field(default_factory=dict)
    #: what its tokenizer declares about thinking: markers, their source, the chat template's
    #: switches (harness/reasoning.py model_profile); None when not looked at
    reasoning: dict[str, Any] | None = None


class TokenStats(BaseModel):
    mean: float = 0.0
    p50: float = 0.0
    p95: float = 0.0
    max: int = 0
    total: int = 0


class ReasoningResult(BaseModel):
    """A task's thinking, over the model's generations (harness/reasoning.py): how they were split,
    how many ended their thinking (verdicts), and tokens spent thinking and answering."""

    mode: str  # on | auto | off | strip-tags=START,END
    markers: list[str] | None = None
    markers_source: str = ""
    token_counter: str = ""
    generations: int = 0
    verdicts: dict[str, int] = Field(default_factory=dict)  # no_reasoning, complete, reasoning_truncated, ...
    truncated_share: float = 0.0
    reasoning_tokens: TokenStats = Field(default_factory=TokenStats)
    answer_tokens: TokenStats = Field(default_factory=TokenStats)
    max_tokens: int | None = None
    chat_template_kwargs: dict[str, Any] = Field(default_factory=dict)
    stop_after_reasoning: list[str] = Field(default_factory=list)


class TaskResult(BaseModel):
    task: str
    version: str
    prompt_hash: str
    n_docs: int
    sampling: dict[str, Any]
    metrics: dict[str, MetricValue]
    breakdown: dict[str, dict[str, dict[str, MetricValue]]] = Field(default_factory=dict)
    data_files: dict[str, str] = Field(default_factory=dict)  # path -> sha256
    config: dict[str, Any] = Field(default_factory=dict)
    limit: int | None = None
    limit_mode: str | None = None  # "spread" (--spread): the limit's documents cover the categories
    failed_docs: int = 0  # documents left unscored (a generation failed); the next run retries them
    docs_total: int | None = None  # documents in the run (after --limit); None in older files
    extra: dict[str, Any] = Field(default_factory=dict)
    reasoning: ReasoningResult | None = None  # None: outputs scored as generated (--reasoning off)
    #: the sandbox this task's programs ran in (Provenance.sandbox's description); {} when it ran
    #: none; None in files written before tasks recorded it
    sandbox: dict[str, Any] | None = None
    #: Task.scorer_version; None in files written before tasks recorded it (= "1")
    scorer_version: str | None = None

    @property
    def ranked_version(self) -> str:
        """The version results are kept apart by: the task's, and the scorer's from 2 on."""
        scorer = self.scorer_version or "1"
        return str(self.version) if scorer == "1" else f"{self.version}-scorer{scorer}"


class Timing(BaseModel):
    wall_s: float = 0.0
    generate_s: float = 0.0
    score_s: float = 0.0
    generations_new: int = 0
    generations_cached: int = 0
    output_tokens_new: int = 0
    tokens_per_s: float | None = None


class Provenance(BaseModel):
    harness_version: str
    git_commit: str | None = None
    command: list[str] = Field(default_factory=list)
    python: str = ""
    platform: str = ""
    packages: dict[str, str] = Field(default_factory=dict)
    seed: int = 0
    sandbox: dict[str, Any] = Field(default_factory=dict)  # image digests, toolchain versions
    executor: dict[str, Any] = Field(default_factory=dict)  # local/ray, replicas, placement
    created_at: str = Field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))


class RunResult(BaseModel):
    model_config = ConfigDict(protected_namespaces=())

    schema_version: int = SCHEMA_VERSION
    run_id: str
    model: ModelInfo
    judge: ModelInfo | None = None
    tasks: dict[str, TaskResult]
    provenance: Provenance
    timing: Timing = Field(default_factory=Timing)
    store_report: dict[str, int] = Field(default_factory=dict)

    def write(self, run_dir: Path) -> Path:
        run_dir.mkdir(parents=True, exist_ok=True)
        path = run_dir / RESULTS_FILE
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(self.model_dump_json(indent=2))
        tmp.replace(path)
        return path


class SampleRecord(BaseModel):
    """What one document received and how it was judged."""

    task: str
    doc_id: str
    prompt: Any
    outputs: list[str]
    values: dict[str, float | None]
    groups: dict[str, str] = Field(default_factory=dict)
    record: dict[str, Any] = Field(default_factory=dict)
    extra_outputs: dict[str, list[str]] = Field(default_factory=dict)  # other request tags
    #: the thinking of each output, parallel to `outputs` (which hold the answer part the scorer
    #: saw); [] when nothing was split off. reasoning_info: verdict and token counts per output
    reasoning: list[str | None] = Field(default_factory=list)
    reasoning_info: list[dict[str, Any]] = Field(default_factory=list)
    extra_reasoning: dict[str, list[str | None]] = Field(default_factory=dict)  # other request tags


def load_results(path: Path) -> RunResult:
    """Read a results file (or a run directory holding one)."""
    p = Path(path)
    if p.is_dir():
        p = p / RESULTS_FILE
    if not p.exists():
        raise HarnessError(f"no results file at {p}", "pass a run directory made by `harness run`")
    try:
        return RunResult.model_validate_json(p.read_text())
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise HarnessError(f"{p} does not match the results schema: {where}: {first['msg']}",
                           "re-create it with `harness score RUN_DIR`") from None
    except json.JSONDecodeError as e:
        raise HarnessError(f"{p} is not valid JSON ({e.msg} at line {e.lineno})") from None


def write_samples(run_dir: Path, task: str, records: list[SampleRecord]) -> Path:
    d = run_dir / SAMPLES_DIR
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{task}.jsonl"
    tmp = path.with_suffix(".jsonl.tmp")
    with tmp.open("w") as f:
        for r in records:
            f.write(r.model_dump_json() + "\n")
    tmp.replace(path)
    return path


def load_samples(run_dir: Path, task: str) -> list[SampleRecord]:
    path = Path(run_dir) / SAMPLES_DIR / f"{task}.jsonl"
    if not path.exists():
        raise HarnessError(f"no sample records for task '{task}' in {run_dir}")
    return [SampleRecord.model_validate_json(line) for line in path.read_text().splitlines() if line.strip()]
