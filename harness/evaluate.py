"""One evaluation end to end: tasks -> backends -> store -> scorers -> results files.

`harness run` and `harness score` both come here; `score` answers every request from the store
(no model is loaded) unless a new judge is given.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from harness import outcome, provenance, reasoning, registry, terminal
from harness.backends.base import Backend, OnError, OnResult
from harness.errors import HarnessError
from harness.executors import Executor, make_executor
from harness.hashing import sha256_file
from harness.progress import Progress
from harness.requests import Request
from harness.results import ModelInfo, RunResult, SampleRecord, TaskResult, Timing, write_samples
from harness.runner import TaskRun, failed_roles, first_failures, generate_all, load_task_runs, score_run
from harness.store import SampleStore
from harness.task import RunSettings, ScoringContext

RUN_CONFIG = "run.json"


class RunConfig(BaseModel):
    """What was asked for; saved in the run directory so `harness score` and resumes repeat it."""

    model: str
    backend: str | None = None
    judge: str | None = None
    tasks: str
    samples: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    seed: int = 1234
    limit: int | None = None
    spread: bool = False
    # documents read as page images (READoc for vision models): see RunSettings
    max_pages: int | None = None
    image_dpi: int | None = None
    max_pixels: int | None = None
    data_dir: str | None = None
    backend_options: dict[str, Any] = Field(default_factory=dict)
    scoring_options: dict[str, Any] = Field(default_factory=dict)
    # Reasoning models (harness/reasoning.py): how outputs are split into thinking and answer, and the
    # chat-template kwargs; `rescore_reasoning` (harness score --reasoning) re-splits stored outputs only.
    reasoning: str = "auto"
    chat_template_kwargs: dict[str, Any] = Field(default_factory=dict)
    rescore_reasoning: str | None = None
    # Where it runs (harness/executors): never what is generated, so not part of the run's identity.
    executor: str = "local"
    replicas: int = 1
    ray_address: str | None = None

    def settings(self) -> RunSettings:
        return RunSettings(samples=self.samples, temperature=self.temperature, top_p=self.top_p,
                           max_tokens=self.max_tokens, seed=self.seed, limit=self.limit, spread=self.spread,
                           data_dir=Path(self.data_dir) if self.data_dir else None,
                           max_pages=self.max_pages, image_dpi=self.image_dpi, max_pixels=self.max_pixels)

    def save(self, run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / RUN_CONFIG).write_text(self.model_dump_json(indent=2))

    @classmethod
    def load(cls, run_dir: Path) -> "RunConfig":
        p = Path(run_dir) / RUN_CONFIG
        if not p.exists():
            raise HarnessError(f"{run_dir} is not a run directory (no {RUN_CONFIG})", "pass the --output of `harness run`")
        return cls.model_validate_json(p.read_text())


class StoreOnlyBackend(Backend):
    """Answers nothing: used to re-score from the store without loading a model."""

    kind = "store"

    def __init__(self, info: ModelInfo):
        self._info = info

    def info(self) -> ModelInfo:
        return self._info

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        for i, _ in enumerate(requests):
            on_error(i, "not in the store (re-run `harness run` to generate it)")


def evaluate(cfg: RunConfig, run_dir: Path, backends: dict[str, Backend] | None = None,
             progress: bool | None = None, executor: Executor | None = None) -> RunResult:
    """backends: engines the caller built (run in this process, closed by the caller).
    executor: one the caller built and keeps (e.g. Ray replicas shared by several runs); its
    loaded roles are used as they are. Otherwise cfg.executor makes one for this run."""
    t_start = time.perf_counter()
    run_dir = Path(run_dir)
    tasks = registry.resolve(cfg.tasks)
    settings = cfg.settings()
    runs = load_task_runs(tasks, settings)  # data problems surface before any model loads
    owned = executor is None
    if executor is None:
        executor = make_executor(cfg.executor, replicas=cfg.replicas, address=cfg.ray_address,
                                 tensor_parallel=cfg.backend_options.get("tensor_parallel_size"))
    cfg.save(run_dir)
    store = None
    try:
        for role, backend in (backends or {}).items():
            executor.add_backend(role, backend)
        if "model" not in executor.roles:
            executor.load("model", cfg.model, cfg.backend, cfg.backend_options)
        if cfg.judge and "judge" not in executor.roles:
            executor.load("judge", cfg.judge, None, cfg.backend_options)
        infos = {role: executor.info(role) for role in executor.roles}
        reasoning.prepare_runs(runs, infos, cfg.reasoning, cfg.chat_template_kwargs, cfg.rescore_reasoning)
        _save_backend_infos(run_dir, infos)
        for tr in runs:
            tr.task.bind_backend(infos["model"])
        store = SampleStore(run_dir / "store")
        with Progress(progress) as prog:
            gen = generate_all(runs, executor, store, prog)
        t_gen = time.perf_counter()
        infos = {role: executor.info(role) for role in executor.roles}  # an engine that loaded may say more
        reasoning.describe_models(infos)
        _save_backend_infos(run_dir, infos)
        results = _score_and_write(runs, cfg, run_dir, executor, settings)
        execution = executor.describe()
    finally:
        if store is not None:
            store.close()
        if owned:
            executor.close()
    score_s = time.perf_counter() - t_gen
    timing = Timing(
        wall_s=time.perf_counter() - t_start, generate_s=gen.seconds, score_s=score_s,
        generations_new=gen.new, generations_cached=gen.cached, output_tokens_new=gen.output_tokens,
        tokens_per_s=(gen.output_tokens / gen.seconds) if gen.seconds > 0 and gen.new else None,
    )
    prov = provenance.collect(cfg.seed)
    prov.sandbox = results.pop("_sandbox", {})
    prov.executor = execution
    run = RunResult(
        run_id=_run_id(run_dir), model=infos["model"],
        judge=infos.get("judge"),
        tasks=results, provenance=prov, timing=timing,
        store_report={"corrupted_entries_skipped": store.corrupted, "failed_generations": gen.failed,
                      "requested_per_round": sum(gen.requested)},
    )
    _keep_extras(run, run_dir)
    run.write(run_dir)
    if gen.failed:
        terminal.echo(outcome.failure_note(gen.failed, failed_roles(runs), infos, first_failures(runs)))
    if store.corrupted:
        terminal.echo(f"warning: {store.corrupted} corrupted store entr{'y' if store.corrupted == 1 else 'ies'} skipped and regenerated")
    return run


def _score_and_write(runs: list[TaskRun], cfg: RunConfig, run_dir: Path, executor: Executor, settings) -> dict:
    ctx = ScoringContext(options=dict(cfg.scoring_options), executor=executor)
    results: dict[str, Any] = {}
    ran_programs: set[str] = set()  # tasks that asked for the sandbox
    for tr in runs:
        ctx.used.clear()
        scores, failed = score_run(tr, ctx)
        if "sandbox" in ctx.used:
            ran_programs.add(tr.task.name)
        metrics, breakdown = tr.task.aggregate(scores, seed=cfg.seed)
        records = []
        for s in scores:
            st = tr.states[s.doc_id]
            main = st.requests.get("main") or next(iter(st.requests.values()), None)
            thoughts, thought_info = reasoning.record_fields(st.outputs.get("main", []))
            extra_thoughts = {t: r for t, gs in st.outputs.items() if t != "main" and (r := reasoning.record_fields(gs)[0])}
            records.append(SampleRecord(
                task=tr.task.name, doc_id=s.doc_id, prompt=main.content() if main else None,
                outputs=st.texts("main"), values=s.values, groups=s.groups, record=s.record,
                extra_outputs={t: [g.text for g in gs] for t, gs in st.outputs.items() if t != "main"},
                reasoning=thoughts, reasoning_info=thought_info, extra_reasoning=extra_thoughts,
            ))
        write_samples(run_dir, tr.task.name, records)
        files = tr.task.data_files(settings.data_dir)
        results[tr.task.name] = TaskResult(
            task=tr.task.name, version=tr.task.version, scorer_version=tr.task.scorer_version,
            prompt_hash=tr.task.prompt_hash(),
            n_docs=len(scores), sampling=tr.sampling.model_dump(), metrics=metrics, breakdown=breakdown,
            data_files={str(f): sha256_file(f) for f in files}, config={**tr.task.config(), **({"scoring_options": cfg.scoring_options} if cfg.scoring_options else {})},
            limit=settings.limit, **({"limit_mode": "spread"} if settings.spread and settings.limit else {}),
            failed_docs=len(failed), docs_total=len(tr.docs),
            reasoning=reasoning.task_result(tr),
        )
    sandbox = ctx.resources.get("sandbox")
    if sandbox is not None and hasattr(sandbox, "describe"):
        results["_sandbox"] = sandbox.describe()
    for name, res in results.items():
        if isinstance(res, TaskResult):
            res.sandbox = results.get("_sandbox", {}) if name in ran_programs else {}
    for res in ctx.resources.values():
        if hasattr(res, "close"):
            res.close()
    return results


BACKENDS_FILE = "backends.json"


def _keep_extras(run: RunResult, run_dir: Path) -> None:
    """Re-scoring must not drop what later steps added to a task's results (best-of-N tables)."""
    from harness.results import RESULTS_FILE, load_results

    if not (run_dir / RESULTS_FILE).exists():
        return
    try:
        old = load_results(run_dir)
    except HarnessError:
        return
    for name, tr in run.tasks.items():
        if name in old.tasks:
            tr.extra = {**old.tasks[name].extra, **tr.extra}


def _save_backend_infos(run_dir: Path, infos: dict[str, ModelInfo]) -> None:
    data = {role: info.model_dump() for role, info in infos.items()}
    (run_dir / BACKENDS_FILE).write_text(json.dumps(data, indent=2))


def load_backend_infos(run_dir: Path) -> dict[str, ModelInfo]:
    p = Path(run_dir) / BACKENDS_FILE
    if not p.exists():
        raise HarnessError(f"{run_dir} has no {BACKENDS_FILE}", "it was not made by `harness run`")
    return {role: ModelInfo.model_validate(v) for role, v in json.loads(p.read_text()).items()}


def _run_id(run_dir: Path) -> str:
    return f"{run_dir.name}-{uuid.uuid4().hex[:8]}"
