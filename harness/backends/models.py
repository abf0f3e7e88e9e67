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
from typing import Any

from harness.backends.base import Backend
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
        raise UnknownModel(f"--backend {backend} contradicts the model spec '{raw}'")
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
        keys = ("tensor_parallel_size", "dtype", "max_model_len", "gpu_memory_utilization", "seed", "enforce_eager")
    elif spec.kind == "hf":
        keys = ("batch_size", "dtype")
    else:
        raise UnknownModel(f"unknown backend '{spec.kind}'", f"use one of {', '.join(KINDS)}")
    kw = {k: opts[k] for k in keys if opts.get(k) is not None}
    key = (spec.raw, spec.kind, path, spec.revision, info.fingerprint, tuple(sorted((k, str(v)) for k, v in kw.items())))
    engine = _LIVE.get(key)
    if engine is None:
        engine = _LIVE[key] = _Engine(_local_backend(spec, path, info, kw))
    return SharedBackend(key, engine)


def _local_backend(spec: ModelSpec, path: str, info: ModelInfo, kw: dict[str, Any]) -> Backend:
    if spec.kind == "vllm":
        from harness.backends.vllm import VLLMBackend, vllm_version

        info.backend_version = vllm_version()
        info.settings = dict(kw)
        return VLLMBackend(path, info, revision=spec.revision, **kw)
    import transformers

    from harness.backends.hf import HFBackend

    info.backend_version = transformers.__version__
    info.settings = dict(kw)
    return HFBackend(path, info, revision=spec.revision, **kw)


# ---- one engine per model in a process -------------------------------------------------------
# A judge that is the model under test (`--model M --judge M`, same spec and options) is answered by the
# model's engine: loading the same weights twice doubles the memory (a vLLM engine on CPU holds
# its KV cache in RAM) and the start-up time, and changes nothing generated (the store keys
# carry the role). Every local backend is a handle; the engine closes with its last handle.

@dataclass
class _Engine:
    backend: Backend
    handles: int = 0


_LIVE: dict[tuple, _Engine] = {}


class SharedBackend(Backend):
    """A handle on a local engine (vllm, hf) that other roles of this process may share."""

    def __init__(self, key: tuple, engine: _Engine):
        self._key, self._engine, self._open = key, engine, True
        engine.handles += 1

    @property
    def kind(self) -> str:  # type: ignore[override]
        return self._engine.backend.kind

    @property
    def shared(self) -> bool:
        """True while another handle uses the same engine."""
        return self._engine.handles > 1

    def info(self) -> ModelInfo:
        return self._engine.backend.info()

    def generate(self, requests, on_result, on_error) -> None:
        if not self._open:
            raise BackendError("this backend was closed", "build another with make_backend")
        self._engine.backend.generate(requests, on_result, on_error)

    def close(self) -> None:
        if not self._open:
            return
        self._open = False
        self._engine.handles -= 1
        if self._engine.handles == 0:
            if _LIVE.get(self._key) is self._engine:
                del _LIVE[self._key]
            self._engine.backend.close()

    # The engine's own attributes (llm, tokenizer, batch_size) read and set through the handle.
    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._engine.backend, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._engine.backend, name, value)
