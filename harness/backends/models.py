"""From a model spec on the command line to a backend.

    smollm2-135m-instruct            the embedded default (vLLM if installed, else transformers)
    vllm:PATH_OR_HUB_ID[@REVISION]   vLLM offline engine
    hf:PATH_OR_HUB_ID[@REVISION]     transformers generate
    openai:URL[#MODEL]               an OpenAI-compatible server
    replay:FILE.jsonl                outputs produced elsewhere
    PATH                             a local checkpoint (vLLM if installed, else transformers)
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from harness.backends.base import Backend
from harness.backends.cpu_settings import EngineSettings, choose as choose_engine_settings
from harness.backends.embedded import ensure_converted, is_embedded
from harness.errors import BackendError, UnknownModel
from harness.hashing import hash_tree
from harness.results import ModelInfo

KINDS = ("vllm", "hf", "openai", "replay", "system")


@dataclass
class ModelSpec:
    raw: str
    kind: str
    target: str
    revision: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


def default_local_kind() -> str:
    return "vllm" if importlib.util.find_spec("vllm") is not None else "hf"


def parse_spec(raw: str, backend: str | None = None) -> ModelSpec:
    kind, sep, target = raw.partition(":")
    if not sep or kind not in KINDS or (len(kind) == 1 and target.startswith("\\")):
        kind, target = (backend or default_local_kind()), raw
    elif backend and backend != kind:
        raise UnknownModel(f"--backend {backend} contradicts the model spec '{raw}'",
                           f"leave out --backend, or write the spec as {backend}:PATH")
    revision = None
    if kind in ("vllm", "hf") and "@" in target and not Path(target).exists():
        target, revision = target.rsplit("@", 1)
    return ModelSpec(raw=raw, kind=kind, target=target, revision=revision)


def resolve_local_model(spec: ModelSpec) -> tuple[str, ModelInfo]:
    """Where a vllm/hf model loads from, and its identity (file hashes for local checkpoints)."""
    name = spec.target
    if is_embedded(name):
        path = ensure_converted(name)
        return str(path), _local_info(spec, path, name=name, revision=(path / "harness-converted.txt").read_text().split("\n")[0])
    p = Path(name).expanduser()
    if p.exists():
        if not (p / "config.json").is_file():
            raise UnknownModel(f"model directory {p} has no config.json",
                               "point at a Hugging Face checkpoint directory (config.json, weights, tokenizer)")
        if not os.access(p / "config.json", os.R_OK):
            raise UnknownModel(f"model directory {p} is not readable", "check its permissions")
        return str(p.resolve()), _local_info(spec, p.resolve(), name=p.name)
    if name.startswith(("/", ".", "~")) or name.count("/") != 1:
        raise UnknownModel(f"model '{name}' is neither a local directory nor a hub id (org/name)",
                           "check the path, or use smollm2-135m-instruct for the embedded model")
    # A hub id: loaded by the engine from the hub (or its cache) at the pinned revision.
    ident = f"hub|{name}|{spec.revision or 'main'}"
    return name, ModelInfo(spec=spec.raw, backend=spec.kind, name=name, revision=spec.revision or "main",
                           fingerprint=hashlib.sha256(f"{spec.kind}|{ident}".encode()).hexdigest()[:16])


def _local_info(spec: ModelSpec, path: Path, name: str, revision: str | None = None) -> ModelInfo:
    files = hash_tree(path, ("*.json", "*.safetensors", "*.bin", "*.model", "*.jinja", "*.txt"))
    ident = json.dumps(files, sort_keys=True)
    # The backend is part of the identity: two backends of one model are compared, not merged.
    fp = hashlib.sha256(f"{spec.kind}|{ident}".encode()).hexdigest()[:16]
    return ModelInfo(spec=spec.raw, backend=spec.kind, name=name, fingerprint=fp, revision=revision,
                     path=str(path), files=files)


def make_backend(raw: str, backend: str | None = None, options: dict[str, Any] | None = None) -> Backend:
    """Build the backend for a model spec; heavy engines are imported only here."""
    opts = dict(options or {})
    spec = parse_spec(raw, backend)
    if spec.kind == "openai":
        from harness.backends.openai import OpenAIBackend

        url, _, model = spec.target.partition("#")
        return OpenAIBackend(url, model or None, api_key=os.environ.get("OPENAI_API_KEY"),
                             concurrency=int(opts.get("concurrency", 8)))
    if spec.kind == "replay":
        from harness.backends.replay import ReplayBackend

        return ReplayBackend(Path(spec.target))
    if spec.kind == "system":
        from harness.systems import make_system_backend  # document converters (READoc)

        return make_system_backend(spec.target)
    path, info = resolve_local_model(spec)
    if spec.kind == "vllm":
        keys = ("tensor_parallel_size", "dtype", "max_model_len", "gpu_memory_utilization", "seed", "enforce_eager",
                "max_images")
    elif spec.kind == "hf":
        keys = ("batch_size", "dtype", "max_images")
    else:
        raise UnknownModel(f"unknown backend '{spec.kind}'", f"use one of {', '.join(KINDS)}")
    kw = {k: opts[k] for k in keys if opts.get(k) is not None}
    settings = choose_engine_settings(spec.kind, path, kw)  # dtype, threads, KV cache on CPU
    info.fingerprint = served_fingerprint(info.fingerprint, settings.dtype)
    key = (spec.raw, spec.kind, path, spec.revision, info.fingerprint, tuple(sorted((k, str(v)) for k, v in kw.items())))
    engine = _LIVE.get(key)
    if engine is None:  # built when a request first misses the store, not here
        engine = _LIVE[key] = _Engine(lambda work=None: _local_backend(spec, path, info, kw, settings.for_work(work)), spec.kind,
                                      describe_engine(spec, info, kw, settings))
    return SharedBackend(key, engine)


def served_fingerprint(files_fingerprint: str, dtype: str) -> str:
    """The dtype is part of what answers: a bfloat16 and a float32 engine of one checkpoint give
    different outputs, so their generations never share store keys. "auto" (the engine's own
    choice, the default on GPU) keeps the checkpoint's fingerprint as it was before dtypes were
    chosen here."""
    if dtype == "auto":
        return files_fingerprint
    return hashlib.sha256(f"{files_fingerprint}|dtype={dtype}".encode()).hexdigest()[:16]


def describe_engine(spec: ModelSpec, info: ModelInfo, kw: dict[str, Any], settings: EngineSettings) -> ModelInfo:
    """The engine's identity and settings, known before it loads: a run answered from the store
    loads nothing."""
    info.settings = {**kw, "dtype": settings.dtype, "engine": settings.record()}
    if spec.kind == "vllm":
        from harness.backends.vllm import vllm_version

        info.backend_version = vllm_version()
    else:
        import transformers

        info.backend_version = transformers.__version__
    return info


def _local_backend(spec: ModelSpec, path: str, info: ModelInfo, kw: dict[str, Any], settings: EngineSettings) -> Backend:
    info.settings["engine"] = settings.record()  # compiled or eager is known only now
    if spec.kind == "vllm":
        from harness.backends.vllm import VLLMBackend

        return VLLMBackend(path, info, revision=spec.revision, engine=settings, **kw)
    from harness.backends.hf import HFBackend

    return HFBackend(path, info, revision=spec.revision, engine=settings, **kw)


# ---- one engine per model in a process -------------------------------------------------------
# A judge that is the model under test (`--model M --judge M`, same spec and options) is answered by the
# model's engine: loading the same weights twice doubles the memory (a vLLM engine on CPU holds
# its KV cache in RAM) and the start-up time, and changes nothing generated (the store keys
# carry the role). Every local backend is a handle; the engine closes with its last handle.

@dataclass
class _Engine:
    build: Callable[[int | None], Backend]  # the first round's token budget decides compiled or eager
    kind: str
    planned: ModelInfo  # the identity before it loads (the store's keys need nothing more)
    backend: Backend | None = None
    handles: int = 0

    def get(self, work_tokens: int | None = None) -> Backend:
        """The engine, loaded on first use with a `loading model ...` line on the terminal."""
        if self.backend is None:
            from harness.backends import cpu_settings
            from harness.progress import loading

            with loading(f"loading model {self.planned.name} ({self.kind})") as shown:
                self.backend = self.build(work_tokens)
                shown["detail"] = cpu_settings.describe(self.backend.info().settings.get("engine"))
        return self.backend

    def info(self) -> ModelInfo:
        return self.backend.info() if self.backend is not None else self.planned


_LIVE: dict[tuple, _Engine] = {}


class SharedBackend(Backend):
    """A handle on a local engine (vllm, hf) that other roles of this process may share."""

    def __init__(self, key: tuple, engine: _Engine):
        self._key, self._engine, self._open = key, engine, True
        engine.handles += 1

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self._engine.kind

    @property
    def shared(self) -> bool:
        """True while another handle uses the same engine."""
        return self._engine.handles > 1

    def info(self) -> ModelInfo:
        return self._engine.info()

    def start(self) -> None:
        self._engine.get()

    def generate(self, requests, on_result, on_error) -> None:
        if not self._open:
            raise BackendError("this backend was closed", "build another with make_backend")
        budget = sum(r.sampling.max_tokens * r.sampling.n for r in requests)
        self._engine.get(budget).generate(requests, on_result, on_error)

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        self._engine.handles -= 1
        if self._engine.handles == 0:
            if _LIVE.get(self._key) is self._engine:
                del _LIVE[self._key]
            if self._engine.backend is not None:
                self._engine.backend.close()

    # The engine's own attributes (llm, tokenizer, batch_size) read and set through the handle.
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._engine.get(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._engine.get(), name, value)
