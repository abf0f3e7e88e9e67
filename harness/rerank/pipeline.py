"""Rerank the stored candidates of a run: score them with each reward model (through the store),
select and vote for N = 1, 2, 4, ..., N, and write tables, plots and results.json's
`TaskResult.extra["best_of_n"]` (schema in harness/rerank/README.md)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import numpy as np

from harness.errors import HarnessError
from harness.metrics import ks_up_to
from harness.rerank.answers import AnswerChecker, checker_for
from harness.rerank.base import RewardModel, make_reward_model
from harness.rerank.candidates import DocCandidates, from_run_dir
from harness.rerank.fingerprint import digest
from harness.rerank.report import markdown_table, plot
from harness.rerank.scoring import score_candidates
from harness.rerank.selection import DocVotes, answer_classes, best_of_n_metrics, bon_first, sigmoid
from harness.rerank.spec import parse_spec
from harness.store import SampleStore

log = logging.getLogger(__name__)

SCHEMA = "harness.best_of_n/1"
REPORT_DIR = "rerank"
STORE_SUBDIR = "store"  # where `harness run` keeps the run's sample store


def doc_votes(docs: list[DocCandidates], same: Callable[[str, str], bool], n: int) -> list[DocVotes]:
    return [DocVotes(np.array([c.correct for c in d.candidates[:n]], dtype=bool),
                     answer_classes([c.answer for c in d.candidates[:n]], same)) for d in docs]


def _metrics_json(metrics) -> dict[str, dict[str, Any]]:
    return {name: {str(k): mv.model_dump() for k, mv in by_k.items()} for name, by_k in metrics.items()}


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._=-]+", "_", name)[:120]


def rerank_docs(docs: list[DocCandidates], checker: AnswerChecker | None, models: list[RewardModel] = (),
                precomputed: dict[str, list[np.ndarray]] | None = None, store: SampleStore | None = None,
                out_dir: Path | None = None, draws: int = 200, seed: int = 0,
                same: Callable[[str, str], bool] | None = None) -> dict[str, Any]:
    """The best_of_n section for one task's documents."""
    # N = the usual candidate count; documents with fewer (failed generations) are left out and counted.
    counts = Counter(len(d.candidates) for d in docs if d.candidates)
    if not counts:
        raise HarnessError("no documents with candidates to rerank", "run `harness run` with --samples N first")
    n = max(counts, key=lambda c: (counts[c], c))
    skipped = [d.doc_id for d in docs if len(d.candidates) < n]
    if skipped:
        log.warning("%d documents have fewer than %d candidates and are left out (e.g. %s)", len(skipped), n, skipped[0])
    docs = [d for d in docs if len(d.candidates) >= n]
    ks = ks_up_to(n)
    same = same or (checker.answers_equivalent if checker is not None else str.__eq__)
    votes = doc_votes(docs, same, n)
    section: dict[str, Any] = {
        "schema": SCHEMA, "n": n, "ks": ks, "n_docs": len(docs), "skipped_docs": len(skipped), "bootstrap_draws": draws, "seed": seed,
        "grouping": "mathematical equivalence" if same is not str.__eq__ else "exact string",
        "baselines": _metrics_json(best_of_n_metrics(votes, None, ks, draws, seed)),
        "rerankers": {},
    }
    ranked: list[tuple[str, dict[str, Any], list[np.ndarray]]] = []
    for name, rewards in (precomputed or {}).items():
        ranked.append((name, {"kind": "precomputed"}, [np.asarray(r[:n], dtype=float) for r in rewards]))
    for model in models:
        flat = [c for d in docs for c in d.candidates[:n]]
        payloads, counts = score_candidates(model, flat, store)
        scores = np.array([model.response_score(p) for p in payloads], dtype=float).reshape(len(docs), n)
        ranked.append((model.spec.name, {**model.describe(), **counts}, list(scores)))
        if store is not None:
            _store_selections(store, model, docs, scores, votes, ks)
    for name, info, rewards in ranked:
        metrics = best_of_n_metrics(votes, rewards, ks, draws, seed)
        entry = {**info, "metrics": _metrics_json({k: v for k, v in metrics.items() if k not in ("maj", "pass")})}
        if out_dir is not None:
            base = out_dir / safe_name(name)
            base.parent.mkdir(parents=True, exist_ok=True)
            table = markdown_table(name, metrics, ks, len(docs))
            base.with_suffix(".md").write_text(table)
            figs = plot(name, metrics, ks, base)
            entry["table"] = str(base.with_suffix(".md"))
            entry["plots"] = [str(p) for p in figs]
        section["rerankers"][name] = entry
    return section


def _store_selections(store: SampleStore, model: RewardModel, docs: list[DocCandidates], scores: np.ndarray,
                      votes: list[DocVotes], ks: list[int]) -> None:
    """Which candidate each selection picked, per document and N, beside the scores."""
    settings = digest(model.fingerprint(), model.spec.text)
    for d, r, v in zip(docs, scores, votes):
        w = sigmoid(r)
        picks = {"bon_first": {}, "weighted_vote": {}}
        for k in ks:
            picks["bon_first"][str(k)] = int(np.argmax(r[:k]))
            best, best_total = None, -np.inf
            for c in v.classes:
                members = [i for i in c if i < k]
                if members and w[members].sum() > best_total:
                    best, best_total = members[0], float(w[members].sum())
            picks["weighted_vote"][str(k)] = best
        store.put(digest("selection", settings, d.task, d.doc_id), "selection",
                  {"spec": model.spec.text, "task": d.task, "doc_id": d.doc_id, "scores": r.tolist(), "picks": picks,
                   "correct_at_n": bon_first(r, v.correct, len(r))})


def _golds_from_task(task: str) -> dict[str, str] | None:
    try:
        from harness.registry import resolve

        t = resolve(task)[0]
        return {d.id: str(d.data.get("answer")) for d in t.load_docs(None) if d.data.get("answer") is not None}
    except Exception:  # no registered task or no data: sample records must carry the gold
        return None


def rerank_run(run_dir: Path, specs: list[str], tasks: list[str] | None = None, store_dir: Path | None = None,
               draws: int = 200, seed: int = 0) -> dict[str, dict[str, Any]]:
    """Rerank every (or the named) task of a finished run; results.json gains the sections."""
    from harness.results import load_results

    run_dir = Path(run_dir)
    result = load_results(run_dir)
    parsed = [parse_spec(s) for s in specs]
    names = tasks or list(result.tasks)
    unknown = [t for t in names if t not in result.tasks]
    if unknown:
        raise HarnessError(f"task(s) {', '.join(unknown)} not in {run_dir}", f"the run has {', '.join(result.tasks)}")
    models = [make_reward_model(s) for s in parsed]
    sections: dict[str, dict[str, Any]] = {}
    with SampleStore(store_dir or run_dir / STORE_SUBDIR) as store:
        for task in names:
            checker = checker_for(task)
            try:
                docs = from_run_dir(run_dir, task, checker)
            except HarnessError as e:
                if "carries no gold" not in e.problem:
                    raise
                docs = from_run_dir(run_dir, task, checker, golds=_golds_from_task(task))
            section = rerank_docs(docs, checker, models, store=store, out_dir=run_dir / REPORT_DIR / safe_name(task),
                                  draws=draws, seed=seed)
            old = result.tasks[task].extra.get("best_of_n") or {}
            if old.get("schema") == SCHEMA and old.get("n") == section["n"]:
                section["rerankers"] = {**old.get("rerankers", {}), **section["rerankers"]}
            result.tasks[task].extra["best_of_n"] = section
            sections[task] = section
            result.write(run_dir)  # after each task, so a later failure keeps this one
    for m in models:
        m.close()
    return sections
