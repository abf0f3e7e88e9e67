"""Outcome reward model: a sequence classifier with one scalar output (transformers).

The conversation [user: question, assistant: response] is rendered with the reward model's chat
template (plain "question\\n\\nresponse" without one) and the scalar logit at the last token is
the score, as AutoModelForSequenceClassification reads it (its pad token marks the end).
"""

from __future__ import annotations

from typing import Any

from harness.errors import HarnessError
from harness.rerank.base import RewardModel
from harness.rerank.candidates import Candidate
from harness.rerank.engines import _torch_dtype, batches_by_tokens
from harness.rerank.fingerprint import digest, model_fingerprint, resolve_model_path
from harness.rerank.spec import RerankSpec

SCORER_VERSION = "orm/1"


class SequenceClassifierORM(RewardModel):
    kind = "orm"

    def __init__(self, spec: RerankSpec):
        super().__init__(spec)
        self.path = str(resolve_model_path(spec.params["path"]))
        self.dtype = spec.get("dtype", "auto")
        self.template = spec.get("template", "auto")
        self.batch_tokens = int(spec.get("batch_tokens", "4096"))
        self.model = self.tok = None

    def fingerprint(self) -> str:
        return digest(SCORER_VERSION, model_fingerprint(self.path), self.template)

    def _load(self):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(self.path)
        dt = _torch_dtype(self.dtype)
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        if dt == "auto" and self.device == "cpu":
            dt = torch.float32
        try:
            self.model = AutoModelForSequenceClassification.from_pretrained(self.path, dtype=dt).to(self.device).eval()
        except (OSError, ValueError) as e:
            raise HarnessError(f"cannot load a sequence-classification reward model from {self.path}: "
                               f"{str(e).splitlines()[0][:200]}", "orm: needs a checkpoint with a scalar head") from None
        if self.model.config.num_labels != 1:
            raise HarnessError(f"{self.path} has {self.model.config.num_labels} output labels, not one scalar",
                               "orm: needs a reward model with a single-logit head")
        if self.tok.pad_token_id is None:
            self.tok.pad_token = self.tok.eos_token
        self.model.config.pad_token_id = self.tok.pad_token_id

    def render(self, c: Candidate) -> str:
        use_chat = self.template == "chat" or (self.template == "auto" and getattr(self.tok, "chat_template", None))
        if use_chat:
            msgs = [{"role": "user", "content": c.question}, {"role": "assistant", "content": c.text}]
            return self.tok.apply_chat_template(msgs, tokenize=False)
        return c.question + "\n\n" + c.text

    def score(self, candidates: list[Candidate], store=None) -> list[dict[str, Any]]:
        import torch

        if self.model is None:
            self._load()
        encs = [self.tok(self.render(c), add_special_tokens=False)["input_ids"] for c in candidates]
        scores: list[float] = [0.0] * len(encs)
        pad = self.tok.pad_token_id
        for batch in batches_by_tokens([len(e) for e in encs], self.batch_tokens):
            width = max(len(encs[i]) for i in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros_like(ids)
            for row, i in enumerate(batch):
                ids[row, : len(encs[i])] = torch.tensor(encs[i])
                mask[row, : len(encs[i])] = 1
            with torch.no_grad():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device)).logits
            for row, i in enumerate(batch):
                scores[i] = float(logits[row, 0])
        return [{"score": s, "n_tokens": len(e)} for s, e in zip(scores, encs)]

    def response_score(self, payload: dict[str, Any]) -> float:
        return float(payload["score"])

    def close(self):
        self.model = None
