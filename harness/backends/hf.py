"""transformers `generate`, batched: the reference other backends are checked against."""

from __future__ import annotations

import time

from harness.backends.base import Backend, OnError, OnResult
from harness.backends.cpu_settings import EngineSettings, choose as choose_engine_settings
from harness.backends.prompting import encode_request, truncate_at_stop
from harness.backends.vision import (image_token_id, is_vision_model, load_processor, no_vision, render_image_chat,
                                     too_long)
from harness.reasoning import mark_opened, opens_thinking
from harness.requests import Generation, Request
from harness.results import ModelInfo


class HFBackend(Backend):
    kind = "hf"

    def __init__(self, model: str, info: ModelInfo, batch_size: int = 16, device: str | None = None,
                 dtype: str | None = None, revision: str | None = None, engine: EngineSettings | None = None,
                 max_images: int | None = None):
        import torch
        from transformers import AutoModelForCausalLM, AutoModelForImageTextToText, AutoTokenizer

        self._info = info
        self.batch_size = batch_size
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        if engine is None:  # the dtype and threads chosen for this machine (cpu_settings.py)
            engine = choose_engine_settings("hf", model, {"dtype": dtype}, on_gpu=self.device != "cpu")
        if engine.device == "cpu" and engine.threads:
            torch.set_num_threads(engine.threads)
        # a vision-language model: its processor renders image chats (vision.py, shared with vLLM)
        self.processor = load_processor(model, revision) if is_vision_model(model, revision) else None
        self._max_images = max_images
        if self.processor is not None:
            self.tokenizer = self.processor.tokenizer
            self._image_token = image_token_id(self.processor)
        else:
            self.tokenizer = AutoTokenizer.from_pretrained(model, revision=revision)
        model_class = AutoModelForCausalLM if self.processor is None else AutoModelForImageTextToText
        torch_dtype = getattr(torch, engine.dtype) if engine.dtype != "auto" else "auto"
        self.model = model_class.from_pretrained(model, dtype=torch_dtype, revision=revision).to(self.device).eval()
        # prompts that do not fit fail one by one, as vLLM refuses them
        self.context_length = getattr(self.model.config.get_text_config(), "max_position_embeddings", None)
        self._pad = self.tokenizer.pad_token_id
        if self._pad is None:
            self._pad = self.tokenizer.eos_token_id

    def info(self) -> ModelInfo:
        return self._info

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        encoded = []
        for i, r in enumerate(requests):
            if r.media:
                continue  # answered one by one below
            try:
                ids = encode_request(self.tokenizer, r)
            except Exception as e:  # one bad request costs only itself
                on_error(i, f"{type(e).__name__}: {e}")
                continue
            if self.context_length and len(ids) >= self.context_length:
                on_error(i, too_long(r, len(ids), self.context_length))
            else:
                encoded.append((i, ids))
        # prompts that open a thinking block (harness/reasoning.py) say so in their generations' meta
        on_result = mark_opened(on_result, {i: opens_thinking(self.tokenizer, ids) for i, ids in encoded})
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
        for i, r in enumerate(requests):
            if r.media:
                self._generate_with_images(i, r, on_result, on_error)

    def _generate_with_images(self, i: int, req: Request, on_result: OnResult, on_error: OnError) -> None:
        """One request with images: the processor places and expands the image tokens (one at
        a time: image inputs of different sizes do not pad into one batch for every model)."""
        if self.processor is None:
            on_error(i, no_vision(req))
            return
        try:
            chat = render_image_chat(self.processor, req, self._max_images)
            inputs = self.processor(text=[chat.text], images=[chat.images], return_tensors="pt",
                                    add_special_tokens=False)
        except Exception as e:
            on_error(i, f"{type(e).__name__}: {e}")
            return
        ids = inputs["input_ids"][0].tolist()
        if self.context_length and len(ids) >= self.context_length:
            on_error(i, too_long(req, len(ids), self.context_length))
            return
        inputs = {k: v.to(self.device, dtype=self.model.dtype) if v.is_floating_point() else v.to(self.device)
                  for k, v in inputs.items()}
        try:
            (gens,) = self._run(req.sampling, inputs, [len(ids)])
        except Exception as e:
            on_error(i, f"{type(e).__name__}: {e}")
            return
        images = ids.count(self._image_token)
        for g in gens:
            g.meta.update(image_tokens=images, seconds=g.meta["batch_seconds"])  # a batch of one
        mark_opened(on_result, {i: opens_thinking(self.tokenizer, ids)})(i, gens)

    def _generate_batch(self, proto: Request, batch: list[list[int]]) -> list[list[Generation]]:
        import torch

        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), self._pad, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):  # left padding
            input_ids[row, width - len(ids):] = torch.tensor(ids)
            mask[row, width - len(ids):] = 1
        inputs = {"input_ids": input_ids.to(self.device), "attention_mask": mask.to(self.device)}
        return self._run(proto.sampling, inputs, [len(ids) for ids in batch])

    def _run(self, sp, inputs: dict, prompt_lens: list[int]) -> list[list[Generation]]:
        """generate() on padded inputs; each row's samples cut at EOS and the stop strings."""
        import torch

        width = inputs["input_ids"].shape[1]
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
            out = self.model.generate(**inputs, **kwargs)
        seconds = time.perf_counter() - t0
        new = out[:, width:].cpu()
        eos = set(self._eos_ids())
        results: list[list[Generation]] = []
        for row, n_prompt in enumerate(prompt_lens):
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
                                       prompt_tokens=n_prompt, meta={"batch_seconds": seconds}))
            results.append(gens)
        return results

    def _eos_ids(self) -> list[int]:
        eos = self.model.generation_config.eos_token_id
        if eos is None:
            eos = self.tokenizer.eos_token_id
        return eos if isinstance(eos, list) else [eos]

    def close(self) -> None:
        self.model = None
