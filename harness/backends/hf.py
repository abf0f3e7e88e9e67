"""transformers `generate`, batched: the reference other backends are checked against."""

from __future__ import annotations

import time

from harness.backends.base import Backend, OnError, OnResult
from harness.backends.prompting import encode_request, truncate_at_stop
from harness.requests import Generation, Request
from harness.results import ModelInfo


class HFBackend(Backend):
    kind = "hf"

    def __init__(self, model: str, info: ModelInfo, batch_size: int = 16, device: str | None = None,
                 dtype: str = "auto", revision: str | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self._info = info
        self.batch_size = batch_size
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(model, revision=revision)
        torch_dtype = getattr(torch, dtype) if dtype != "auto" else "auto"
        self.model = AutoModelForCausalLM.from_pretrained(model, dtype=torch_dtype, revision=revision).to(self.device).eval()
        self._pad = self.tokenizer.pad_token_id
        if self._pad is None:
            self._pad = self.tokenizer.eos_token_id

    def info(self) -> ModelInfo:
        return self._info

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        encoded = []
        for i, r in enumerate(requests):
            try:
                encoded.append((i, encode_request(self.tokenizer, r)))
            except Exception as e:  # one bad request costs only itself
                on_error(i, f"{type(e).__name__}: {e}")
        # Longest first: similar lengths share a batch, and memory trouble shows up at once.
        encoded.sort(key=lambda x: -len(x[1]))
        # Only requests with the same sampling settings can share a generate() call.
        groups: dict[str, list[tuple[int, list[int]]]] = {}
        for i, ids in encoded:
            groups.setdefault(requests[i].sampling.model_dump_json(), []).append((i, ids))
        for items in groups.values():
            for start in range(0, len(items), self.batch_size):
                batch = items[start:start + self.batch_size]
                try:
                    outs = self._generate_batch(requests[batch[0][0]], [ids for _, ids in batch])
                except Exception as e:  # a failed batch costs only its own requests
                    for i, _ in batch:
                        on_error(i, f"{type(e).__name__}: {e}")
                    continue
                for (i, _), gens in zip(batch, outs):
                    on_result(i, gens)

    def _generate_batch(self, proto: Request, batch: list[list[int]]) -> list[list[Generation]]:
        import torch

        sp = proto.sampling
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):  # left padding
            input_ids[row, width - len(ids):] = torch.tensor(ids)
            mask[row, width - len(ids):] = 1
        kwargs = dict(max_new_tokens=sp.max_tokens, num_return_sequences=sp.n, pad_token_id=self._pad)
        if sp.greedy:
            kwargs.update(do_sample=False, temperature=None, top_p=None, top_k=None)
        else:
            kwargs.update(do_sample=True, temperature=sp.temperature, top_p=sp.top_p,
                          top_k=sp.top_k if sp.top_k > 0 else None)
            torch.manual_seed(sp.seed if sp.seed is not None else 0)
        if sp.stop:
            kwargs.update(stop_strings=list(sp.stop), tokenizer=self.tokenizer)
        t0 = time.perf_counter()
        with torch.no_grad():
            out = self.model.generate(input_ids=input_ids.to(self.device), attention_mask=mask.to(self.device), **kwargs)
        seconds = time.perf_counter() - t0
        new = out[:, width:].cpu()
        eos = set(self._eos_ids())
        results: list[list[Generation]] = []
        for row, ids in enumerate(batch):
            gens = []
            for j in range(sp.n):
                toks = new[row * sp.n + j].tolist()
                finish = "length"
                for k, t in enumerate(toks):
                    if t in eos:
                        toks, finish = toks[:k], "stop"
                        break
                text = self.tokenizer.decode(toks, skip_special_tokens=True)
                text, hit = truncate_at_stop(text, sp.stop)
                gens.append(Generation(text=text, n_tokens=len(toks), finish_reason="stop" if hit else finish,
                                       prompt_tokens=len(ids), meta={"batch_seconds": seconds}))
            results.append(gens)
        return results

    def _eos_ids(self) -> list[int]:
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        return eos if isinstance(eos, list) else [eos]

    def close(self) -> None:
        self.model = None
