"""Token log-probabilities of given token ids under a causal LM: vLLM or transformers.

Both engines answer the same question for the same ids: for each sequence and each position
t >= first, log p(ids[t] | ids[:t]). vLLM computes them as prompt log-probabilities
(`SamplingParams(prompt_logprobs=0, max_tokens=1)`: position t's entry holds the prompt token's
own log-probability); transformers as a batched forward pass.
"""

from __future__ import annotations

import gc
import os
from abc import ABC, abstractmethod
from typing import Sequence

import numpy as np

from harness.errors import BackendError, HarnessError


class LogprobEngine(ABC):
    name: str = ""

    @abstractmethod
    def token_logprobs(self, seqs: Sequence[Sequence[int]], firsts: Sequence[int]) -> list[np.ndarray]:
        """log p(ids[t] | ids[:t]) for t in [first, len(ids)), one float64 array per sequence."""

    def close(self) -> None:
        pass


def _torch_dtype(name: str):
    import torch

    return {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}.get(name, "auto")


def batches_by_tokens(lengths: Sequence[int], budget: int) -> list[list[int]]:
    """Indices grouped, longest first, so each padded batch holds at most `budget` tokens."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    out: list[list[int]] = []
    for i in order:
        if out and (len(out[-1]) + 1) * lengths[out[-1][0]] <= budget:
            out[-1].append(i)
        else:
            out.append([i])
    return out


class HFLogprobEngine(LogprobEngine):
    name = "hf"

    def __init__(self, path: str, dtype: str = "auto", batch_tokens: int = 4096, device: str | None = None):
        import torch
        from transformers import AutoModelForCausalLM

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        dt = _torch_dtype(dtype)
        if dt == "auto" and self.device == "cpu":
            dt = torch.float32  # half precision on CPU is slow and far from vLLM's numbers
        try:
            self.model = AutoModelForCausalLM.from_pretrained(path, dtype=dt).to(self.device).eval()
        except OSError as e:
            raise HarnessError(f"cannot load causal LM from {path}: {str(e).splitlines()[0]}",
                               "pass a local checkpoint directory or a hub id") from None
        self.batch_tokens = batch_tokens

    def token_logprobs(self, seqs, firsts):
        import torch

        out: list[np.ndarray | None] = [None] * len(seqs)
        pad = 0
        for batch in batches_by_tokens([len(s) for s in seqs], self.batch_tokens):
            width = max(len(seqs[i]) for i in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, i in enumerate(batch):
                ids[row, : len(seqs[i])] = torch.tensor(list(seqs[i]))
                mask[row, : len(seqs[i])] = 1
            # Logits only from the earliest position any row needs: the vocab-wide tensor dominates memory.
            start = min(firsts[i] for i in batch) - 1
            with torch.no_grad():
                logits = self.model(input_ids=ids.to(self.device), attention_mask=mask.to(self.device),
                                    logits_to_keep=width - start).logits.float()
            targets = ids[:, start + 1:].to(self.device)
            logits = logits[:, : width - start - 1]
            lp = logits.gather(-1, targets.unsqueeze(-1)).squeeze(-1) - torch.logsumexp(logits, dim=-1)
            lp = lp.cpu().double().numpy()
            for row, i in enumerate(batch):
                out[i] = lp[row, firsts[i] - start - 1: len(seqs[i]) - start - 1]
            del logits
        return out  # type: ignore[return-value]

    def close(self):
        del self.model
        gc.collect()


class VLLMLogprobEngine(LogprobEngine):
    name = "vllm"

    def __init__(self, path: str, dtype: str = "auto", max_model_len: int | None = None, **engine_args):
        self.path, self.dtype, self.max_model_len, self.engine_args = path, dtype, max_model_len, engine_args
        self.llm = None
        self._len = 0

    def _engine(self, need_len: int):
        if self.llm is not None and need_len <= self._len:
            return self.llm
        self.close()
        try:
            import torch
            from vllm import LLM
        except ImportError:
            raise BackendError("vLLM is not installed", "pip install 'harness[cpu]' (or vllm), or use engine=hf") from None
        on_cpu = not torch.cuda.is_available()
        if on_cpu:
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
        self._len = self.max_model_len or max(256, 1 << (need_len - 1).bit_length())
        args = dict(model=self.path, tokenizer=self.path, dtype=self.dtype if self.dtype != "auto" else ("float32" if on_cpu else "auto"),
                    max_model_len=self._len, enforce_eager=on_cpu, disable_log_stats=True, seed=0)
        args.update(self.engine_args)
        self.llm = LLM(**args)
        return self.llm

    def token_logprobs(self, seqs, firsts):
        from vllm import SamplingParams
        from vllm.inputs import TokensPrompt

        if not seqs:
            return []
        llm = self._engine(max(len(s) for s in seqs) + 1)
        params = SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=0, detokenize=False)
        outs = llm.generate([TokensPrompt(prompt_token_ids=list(s)) for s in seqs], params, use_tqdm=False)
        result = []
        for s, first, o in zip(seqs, firsts, outs):
            pl = o.prompt_logprobs
            if pl is None or len(pl) != len(s):
                raise BackendError(f"vLLM returned {0 if pl is None else len(pl)} prompt log-probabilities for {len(s)} tokens")
            result.append(np.array([pl[t][s[t]].logprob for t in range(first, len(s))], dtype=np.float64))
        return result

    def close(self):
        if self.llm is None:
            return
        try:
            self.llm.llm_engine.engine_core.shutdown()
        except Exception:  # older/newer engines shut down on garbage collection instead
            pass
        self.llm = None
        gc.collect()


def make_engine(kind: str, path: str, dtype: str = "auto", batch_tokens: int = 4096, max_model_len: int | None = None) -> LogprobEngine:
    if kind == "auto":
        import importlib.util

        kind = "vllm" if importlib.util.find_spec("vllm") is not None else "hf"
    if kind == "vllm":
        return VLLMLogprobEngine(path, dtype=dtype, max_model_len=max_model_len)
    return HFLogprobEngine(path, dtype=dtype, batch_tokens=batch_tokens)
