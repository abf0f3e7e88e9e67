"""Process reward model in the Math-Shepherd style: a step tag after every step.

Input: "question response" where each step is followed by the tag (" ки" by default); at each
tag token the model's logits over the good and bad tokens ("+", "-") are softmaxed and the
good token's probability is that step's reward; the response score is their minimum (agg=min;
sum and last, the final step's, also accepted). One forward pass scores all steps of a response.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from harness.errors import HarnessError
from harness.rerank.base import RewardModel
from harness.rerank.candidates import Candidate
from harness.rerank.engines import _torch_dtype, batches_by_tokens
from harness.rerank.fingerprint import digest, model_fingerprint, resolve_model_path
from harness.rerank.implicit_prm import aggregate
from harness.rerank.spec import RerankSpec
from harness.rerank.steps import split_steps

SCORER_VERSION = "prm-steptag/1"


class StepTagPRM(RewardModel):
    kind = "prm"

    def __init__(self, spec: RerankSpec):
        super().__init__(spec)
        self.path = str(resolve_model_path(spec.params["path"]))
        self.tag = spec.get("tag", "ки")
        self.good, self.bad = spec.get("good", "+"), spec.get("bad", "-")
        self.steps = spec.get("steps", "auto")
        self.agg = spec.get("agg", "min")
        self.dtype = spec.get("dtype", "auto")
        self.batch_tokens = int(spec.get("batch_tokens", "4096"))
        self.model = self.tok = None

    def fingerprint(self) -> str:
        return digest(SCORER_VERSION, model_fingerprint(self.path), self.tag, self.good, self.bad, self.steps,
                      *self.part_identity())

    def _load(self):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(self.path)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        dt = _torch_dtype(self.dtype)
        if dt == "auto" and self.device == "cpu":
            dt = torch.float32
        self.model = AutoModelForCausalLM.from_pretrained(self.path, dtype=dt).to(self.device).eval()
        self.candidate_ids = [self._single_token(self.good), self._single_token(self.bad)]

    def _single_token(self, text: str) -> int:
        # Math-Shepherd reads the label tokens as they follow a space ("+ -" minus the BOS).
        ids = self.tok.encode(f" {text}", add_special_tokens=False)
        return ids[-1]

    def tagged_input(self, c: Candidate) -> tuple[str, list[int]]:
        """The PRM input and the character offset where each step tag ends."""
        parts, ends = [c.question, " "], []
        pos = len(c.question) + 1
        for k, step in enumerate(split_steps(c.text_of(self.part), self.steps)):
            body = step.strip()
            if not body:
                continue
            chunk = ("\n" if ends else "") + body + f" {self.tag}"
            parts.append(chunk)
            pos += len(chunk)
            ends.append(pos)
        return "".join(parts), ends

    def tag_positions(self, text: str, ends: list[int]) -> tuple[list[int], list[int]]:
        enc = self.tok(text, add_special_tokens=True, return_offsets_mapping=True)
        ids, offs = enc["input_ids"], enc["offset_mapping"]
        pos = []
        for e in ends:
            hits = [i for i, (a, b) in enumerate(offs) if a < e <= b]
            if not hits:
                raise HarnessError(f"step tag {self.tag!r} did not survive tokenisation", "pass tag= of this PRM")
            pos.append(hits[-1])
        return ids, pos

    def score(self, candidates: list[Candidate], store=None) -> list[dict[str, Any]]:
        import torch

        if self.model is None:
            self._load()
        items = [self.tag_positions(*self.tagged_input(c)) for c in candidates]
        out: list[dict[str, Any]] = [{}] * len(items)
        pad = self.tok.pad_token_id if self.tok.pad_token_id is not None else 0
        for batch in batches_by_tokens([len(ids) for ids, _ in items], self.batch_tokens):
            width = max(len(items[i][0]) for i in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : len(items[i][0])] = torch.tensor(items[i][0])
                mask[row, : len(items[i][0])] = 1
            with torch.no_grad():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
            pair = logits[..., self.candidate_ids].float().softmax(-1)[..., 0].cpu().numpy()
            for row, i in enumerate(batch):
                out[i] = {"step_scores": [float(pair[row, p]) for p in items[i][1]], "n_tokens": len(items[i][0])}
        return out

    def response_score(self, payload: dict[str, Any]) -> float:
        scores = np.asarray(payload["step_scores"], dtype=np.float64)
        if self.agg == "last":  # a probability per step: "last" reads the final step's
            return float(scores[-1]) if scores.size else 0.0
        return aggregate(scores, self.agg)

    def close(self):
        self.model = None
