"""Identity of a reward model checkpoint, cheap enough to compute on every rerank.

A local directory: the names, sizes and content hashes of its config, tokenizer and weight
files (files over 256 MiB are hashed on 64 evenly spread 1 MiB windows plus their size, which
tells a fine-tuned copy from its base, since training changes every tensor). A hub id: the
snapshot's commit, resolved through the local hub cache.
"""

from __future__ import annotations

import hashlib

from functools import lru_cache
from pathlib import Path

from harness.errors import HarnessError

FULL_HASH_LIMIT = 256 << 20
WINDOW = 1 << 20
WINDOWS = 64
MODEL_FILE_SUFFIXES = (".json", ".safetensors", ".bin", ".model", ".txt", ".jinja", ".tiktoken", ".gguf", ".py")


def resolve_model_path(path: str) -> Path:
    """A local checkpoint directory for `path`: the path itself, or a hub snapshot."""
    p = Path(path).expanduser()
    if p.exists():
        return p
    try:  # the embedded default model by name (smollm2-135m-instruct)
        from harness.backends.embedded import ensure_converted, is_embedded

        if is_embedded(path):
            return Path(ensure_converted(path))
    except ImportError:
        pass
    if path.startswith((".", "/", "~")) or path.count("/") != 1:
        raise HarnessError(f"no model at {path}", "pass an existing checkpoint directory or a hub id ORG/NAME")
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(path))
    except Exception as e:  # offline, unknown repo, gated
        raise HarnessError(f"cannot fetch model {path} from the hub: {str(e).splitlines()[0][:200]}",
                           "download it first and pass the local directory") from None


def _file_digest(path: Path) -> str:
    size = path.stat().st_size
    h = hashlib.sha256(str(size).encode())
    with path.open("rb") as f:
        if size <= FULL_HASH_LIMIT:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        else:
            for j in range(WINDOWS):
                f.seek((size - WINDOW) * j // (WINDOWS - 1))
                h.update(f.read(WINDOW))
    return h.hexdigest()


@lru_cache(maxsize=64)
def _dir_fingerprint(path: str, stamp: tuple) -> str:
    h = hashlib.sha256()
    root = Path(path)
    for f in sorted(root.iterdir()):
        if f.is_file() and f.name.endswith(MODEL_FILE_SUFFIXES):
            h.update(f.name.encode() + b"\0" + _file_digest(f).encode() + b"\n")
    return h.hexdigest()


def model_fingerprint(path: str) -> str:
    p = resolve_model_path(path)
    if p.is_file():
        return _file_digest(p)
    # The lru key carries mtimes and sizes, so a checkpoint rewritten in place is hashed again.
    stamp = tuple((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in sorted(p.iterdir()) if f.is_file())
    return _dir_fingerprint(str(p.resolve()), stamp)


def digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


