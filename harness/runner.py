"""A run: rounds of requests from every task, answered from the store or by the backends, then
scored and aggregated. Every generation is in the store before it is used, so a killed run
resumes where it stopped."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from harness import doc_sample
from harness.backends.base import Backend
from harness.errors import HarnessError
from harness.executors import Executor, LocalExecutor
from harness.progress import Progress
from harness.requests import Generation, Request
from harness.store import SampleStore, generation_key
from harness.task import Doc, DocState, RunSettings, SampleScore, ScoringContext, Task


@dataclass
class TaskRun:
    task: Task
    docs: list[Doc]
    sampling: object
    states: dict[str, DocState] = field(default_factory=dict)
    active: set[str] = field(default_factory=set)
    #: how a stored generation reaches the task (harness.reasoning.AnswerView: a thinking model's
    #: answer part, the thinking in meta); None: as generated
    view: Any = None

    def seen(self, req: Request, gens: list[Generation]) -> list[Generation]:
        return self.view.apply(req, gens) if self.view is not None else gens


@dataclass
class GenerationStats:
    new: int = 0
    cached: int = 0
    failed: int = 0
    output_tokens: int = 0
    seconds: float = 0.0
    requested: list[int] = field(default_factory=list)  # generations asked of the backend, per round


def load_task_runs(tasks: list[Task], settings: RunSettings) -> list[TaskRun]:
    runs = []
    for task in tasks:
        task.configure(settings)
        docs = task.load_docs(settings.data_dir)
        docs = doc_sample.select(docs, settings.limit, task.category if settings.spread else None)
        sampling = task.sampling(settings)
        if sampling.greedy and sampling.n > 1:
            raise HarnessError(f"{sampling.n} samples per prompt with greedy decoding give {sampling.n} equal outputs",
                               "add --temperature T (> 0) to sample")
        runs.append(TaskRun(task, docs, sampling, {d.id: DocState() for d in docs}, {d.id for d in docs}))
    return runs


def generate_all(runs: list[TaskRun], executor: Executor | dict[str, Backend], store: SampleStore,
                 progress: Progress | None = None) -> GenerationStats:
    """Drive every task's rounds until no document asks for more. Generation goes through the
    executor (a dict of backends means the local executor: each backend in this process)."""
    if not isinstance(executor, Executor):
        executor = LocalExecutor(executor)
    stats = GenerationStats()
    fingerprints = {role: executor.info(role).fingerprint for role in executor.roles}
    round_no = 0
    while True:
        pending: list[tuple[TaskRun, Doc, Request]] = []
        for tr in runs:
            for doc in tr.docs:
                if doc.id not in tr.active:
                    continue
                reqs = tr.task.next_requests(doc, tr.states[doc.id], tr.sampling)
                if not reqs:
                    tr.active.discard(doc.id)
                pending.extend((tr, doc, r) for r in reqs)
        if not pending:
            return stats
        round_no += 1
        _answer_round(pending, executor, fingerprints, store, stats, progress, round_no)


def _answer_round(pending, executor: Executor, fingerprints, store, stats, progress, round_no) -> None:
    by_role: dict[str, list[tuple]] = {}
    for tr, doc, req in pending:
        state = tr.states[doc.id]
        if req.role not in fingerprints:
            raise HarnessError(f"task {req.task} asks a '{req.role}' model but none was given",
                               f"pass --{req.role} MODEL")
        state.requests[req.tag] = req
        keys = [generation_key(fingerprints[req.role], tr.task.version, req, i) for i in range(req.sampling.n)]
        gens: list[Generation | None] = [store.get_generation(k) for k in keys]
        missing = [i for i, g in enumerate(gens) if g is None]
        stats.cached += req.sampling.n - len(missing)
        if not missing:
            state.outputs[req.tag] = tr.seen(req, gens)
            continue
        slot = (tr, doc, req, keys, gens, missing)
        by_role.setdefault(req.role, []).append(slot)
    stats.requested.append(sum(len(s[5]) for slots in by_role.values() for s in slots))
    for role, slots in by_role.items():
        asked = [replace(req, sampling=req.sampling.model_copy(update={"n": len(missing)}))
                 for (_, _, req, _, _, missing) in slots]
        total = sum(len(s[5]) for s in slots)
        executor.start(role)  # the engine loads here, on the first miss, before its bar starts
        label = f"round {round_no}: {role} ({executor.kind(role)})"
        bar = progress.bar(label, total) if progress else None
        t0 = time.perf_counter()

        def on_result(i: int, new: list[Generation], slots=slots, bar=bar) -> None:
            tr, doc, req, keys, gens, missing = slots[i]
            for idx, g in zip(missing, new):
                store.put_generation(keys[idx], g, meta={"task": req.task, "doc_id": doc.id, "tag": req.tag,
                                                         "role": req.role, "index": idx})
                gens[idx] = g
                stats.new += 1
                stats.output_tokens += g.n_tokens
            if all(g is not None for g in gens):
                tr.states[doc.id].outputs[req.tag] = tr.seen(req, list(gens))
            if bar:
                bar.advance(len(new), tokens=sum(g.n_tokens for g in new))

        def on_error(i: int, message: str, slots=slots, bar=bar) -> None:
            tr, doc, req, *_ = slots[i]
            tr.states[doc.id].failed[req.tag] = message
            if not _partial(tr.task):
                tr.active.discard(doc.id)
            stats.failed += 1
            if bar:
                bar.advance(len(slots[i][5]))

        try:
            executor.generate(role, asked, on_result, on_error)
        finally:
            stats.seconds += time.perf_counter() - t0
            if bar:
                bar.close()
            store.sync()


def score_run(tr: TaskRun, ctx: ScoringContext) -> tuple[list[SampleScore], list[str]]:
    """Score the documents whose generations are all in; the rest are reported as failed."""
    items, failed = [], []
    for doc in tr.docs:
        state = tr.states[doc.id]
        if state.failed or not state.outputs:
            failed.append(doc.id)
            if state.outputs and _partial(tr.task):
                items.append((doc, state))  # scored without what failed; retried next run
        else:
            items.append((doc, state))
    return tr.task.score_all(items, ctx), failed


def _partial(task: Task) -> bool:
    """Tasks whose documents survive a failed generation (an agent loop judged event by event)
    set `partial_failures = True`: the document keeps going, and is scored without the failed part."""
    return bool(getattr(task, "partial_failures", False))


def first_failures(runs: list[TaskRun], limit: int = 3) -> list[str]:
    out = []
    for tr in runs:
        for doc_id, st in tr.states.items():
            for tag, msg in st.failed.items():
                out.append(f"{tr.task.name}/{doc_id}/{tag}: {msg}")
                if len(out) >= limit:
                    return out
    return out


def failed_roles(runs: list[TaskRun]) -> set[str]:
    """The roles (model, judge) of the requests that failed."""
    return {st.requests[tag].role for tr in runs for st in tr.states.values() for tag in st.failed if tag in st.requests}


Callback = Callable[[str], None]
