"""Implicit PRM (Yuan et al. 2024, "Free Process Rewards without Process Labels").

Per-token reward beta * (log pi(y_t) - log pi_ref(y_t)); a step's reward is the sum over its
tokens; a response's score aggregates the step rewards: min (default), sum, last (the final
cumulative value q_T, the ORM reading; equal to sum here because steps tile the response), or
qmin (the minimum cumulative value q_t, how EurusPRM's released evaluation reads its scores).
The store keeps the unscaled per-step log-ratio sums, so beta and agg can change for free.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from harness.errors import HarnessError
from harness.rerank.base import RewardModel
from harness.rerank.candidates import Candidate
from harness.rerank.engines import LogprobEngine, make_engine
from harness.rerank.fingerprint import digest, model_fingerprint, resolve_model_path
from harness.rerank.spec import RerankSpec
from harness.rerank.tokens import ScoredSequence, build_sequence
from harness.store import SampleStore

SCORER_VERSION = "implicit-prm/1"


def step_sums(token_values: np.ndarray, step_of: Sequence[int], n_steps: int) -> np.ndarray:
    out = np.zeros(n_steps, dtype=np.float64)
    np.add.at(out, np.asarray(step_of, dtype=np.int64), token_values)
    return out


def aggregate(step_rewards: np.ndarray, agg: str) -> float:
    if step_rewards.size == 0:
        return 0.0
    if agg == "min":
        return float(step_rewards.min())
    if agg == "sum":
        return float(step_rewards.sum())
    if agg == "last":
        return float(np.cumsum(step_rewards)[-1])
    if agg == "qmin":
        return float(np.cumsum(step_rewards).min())
    raise HarnessError(f"unknown aggregation '{agg}'", "use min, sum, last or qmin")


class ImplicitPRM(RewardModel):
    kind = "implicit-prm"
    scores_all_at_once = True

    def __init__(self, spec: RerankSpec):
        super().__init__(spec)
        self.policy = str(resolve_model_path(spec.params["policy"]))
        self.ref = str(resolve_model_path(spec.params["ref"]))
        self.beta = float(spec.get("beta", "0.001"))
        self.agg = spec.get("agg", "min")
        self.engine = spec.get("engine", "auto")
        self.steps = spec.get("steps", "auto")
        self.dtype = spec.get("dtype", "auto")
        self.batch_tokens = int(spec.get("batch_tokens", "4096"))
        self.max_model_len = int(spec["max_model_len"]) if spec.get("max_model_len") else None
        self._tok = None
        self.template = spec.get("template") or ("chat" if getattr(self.tokenizer, "chat_template", None) else "raw")

    @property
    def tokenizer(self):
        if self._tok is None:
            from transformers import AutoTokenizer

            self._tok = AutoTokenizer.from_pretrained(self.policy)
            ref_tok = AutoTokenizer.from_pretrained(self.ref)
            if self._tok.get_vocab() != ref_tok.get_vocab():
                raise HarnessError("the implicit PRM's policy and reference models have different vocabularies",
                                   "pass a reference model of the same family as the policy")
        return self._tok

    def fingerprint(self) -> str:
        return digest(SCORER_VERSION, model_fingerprint(self.policy), model_fingerprint(self.ref),
                      self.template, self.steps, *self.part_identity())

    def sequences(self, candidates: list[Candidate]) -> list[ScoredSequence]:
        return [build_sequence(self.tokenizer, c.question, c.text_of(self.part), self.template, self.steps)
                for c in candidates]

    def _engine(self, path: str, kind: str | None = None) -> LogprobEngine:
        return make_engine(kind or self.engine, path, self.dtype, self.batch_tokens, self.max_model_len)

    def token_logratios(self, seqs: list[ScoredSequence], engine: str | None = None) -> list[np.ndarray]:
        """log pi(y_t) - log pi_ref(y_t) per scored token; policy then reference, one engine at a time."""
        ids, firsts = [s.ids for s in seqs], [s.first for s in seqs]
        results = []
        for path in (self.policy, self.ref):
            eng = self._engine(path, engine)
            try:
                results.append(eng.token_logprobs(ids, firsts))
            finally:
                eng.close()
        return [p - r for p, r in zip(*results)]

    def _step_logprobs(self, path: str, seqs: list[ScoredSequence], candidates: list[Candidate],
                       store: SampleStore | None, chunk: int) -> list[list[float]]:
        """Per-step sums of log p(y_t) under one model. Kept in the store per (model, candidate):
        the sums are linear, so policy minus reference sums give the step log-ratios, and a
        reference shared by several implicit PRMs is computed once."""
        fp = digest("step-logprob", model_fingerprint(path), self.template, self.steps)
        keys = [digest(fp, c.key) for c in candidates]
        out: list[list[float] | None] = [None] * len(seqs)
        for i, k in enumerate(keys):
            rec = store.get(k) if store is not None else None
            if rec is not None and rec.get("kind") == "step_logprob":
                out[i] = rec["step_logprob"]["sums"]
        todo = [i for i, v in enumerate(out) if v is None]
        if todo:
            eng = self._engine(path)
            try:
                for start in range(0, len(todo), chunk):
                    part = todo[start:start + chunk]
                    lps = eng.token_logprobs([seqs[i].ids for i in part], [seqs[i].first for i in part])
                    for i, lp in zip(part, lps):
                        out[i] = step_sums(lp, seqs[i].step_of, seqs[i].n_steps).tolist()
                        if store is not None:
                            store.put(keys[i], "step_logprob", {"sums": out[i], "n_tokens": len(lp), "engine": eng.name},
                                      meta={"model": path, "candidate": candidates[i].key})
            finally:
                eng.close()
        return out  # type: ignore[return-value]

    def score(self, candidates: list[Candidate], store: SampleStore | None = None, chunk: int = 512) -> list[dict[str, Any]]:
        seqs = self.sequences(candidates)
        pol = self._step_logprobs(self.policy, seqs, candidates, store, chunk)
        ref = self._step_logprobs(self.ref, seqs, candidates, store, chunk)
        return [{"step_logratio": (np.asarray(p) - np.asarray(r)).tolist(), "n_tokens": len(s.step_of)}
                for s, p, r in zip(seqs, pol, ref)]

    def step_rewards(self, payload: dict[str, Any]) -> np.ndarray:
        return self.beta * np.asarray(payload["step_logratio"], dtype=np.float64)

    def response_score(self, payload: dict[str, Any]) -> float:
        return aggregate(self.step_rewards(payload), self.agg)

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "policy": self.policy, "ref": self.ref, "beta": self.beta, "agg": self.agg,
                "engine": self.engine, "steps": self.steps, "template": self.template}
