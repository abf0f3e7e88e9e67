"""Scoring candidates through the sample store: each (reward model, candidate) pair is computed
once; reranking again, with this model or another, reads the store and loads no model."""

from __future__ import annotations

import logging
from typing import Any, Callable

from harness.rerank.base import RewardModel
from harness.rerank.candidates import Candidate
from harness.rerank.fingerprint import digest
from harness.store import SampleStore

log = logging.getLogger(__name__)

REWARD_KIND = "reward"


def reward_key(model_fingerprint: str, candidate_key: str) -> str:
    return digest("reward", model_fingerprint, candidate_key)


def score_candidates(model: RewardModel, candidates: list[Candidate], store: SampleStore | None,
                     chunk: int = 256, progress: Callable[[int, int], None] | None = None) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Payloads for all candidates (stored ones read back, the rest computed in chunks and
    written as each chunk finishes, so an interrupted rerank loses at most one chunk)."""
    fp = model.fingerprint()
    keys = [reward_key(fp, c.key) for c in candidates]
    payloads: list[dict[str, Any] | None] = [None] * len(candidates)
    todo = []
    for i, k in enumerate(keys):
        rec = store.get(k) if store is not None else None
        if rec is not None and rec.get("kind") == REWARD_KIND:
            payloads[i] = rec[REWARD_KIND]
        else:
            todo.append(i)
    log.info("%s: %d candidates stored, %d to score", model.spec.name, len(candidates) - len(todo), len(todo))
    step = max(len(todo), 1) if model.scores_all_at_once else chunk
    for start in range(0, len(todo), step):
        part = todo[start:start + step]
        for i, payload in zip(part, model.score([candidates[i] for i in part], store)):
            payloads[i] = payload
            if store is not None:
                c = candidates[i]
                store.put(keys[i], REWARD_KIND, payload,
                          meta={"reward_model": fp, "spec": model.spec.text, "candidate": c.key,
                                "task": c.task, "doc_id": c.doc_id, "index": c.index})
        if progress:
            progress(min(start + step, len(todo)), len(todo))
    return payloads, {"cached": len(candidates) - len(todo), "scored": len(todo)}  # type: ignore[return-value]
