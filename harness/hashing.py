"""File hashes for provenance, cached by (path, size, mtime) so large checkpoints hash once."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from harness.paths import cache_dir


def _cache_file() -> Path:
    return cache_dir() / "file-hashes.json"


def sha256_file(path: Path) -> str:
    path = Path(path).resolve()
    st = path.stat()
    ident = f"{path}|{st.st_size}|{st.st_mtime_ns}"
    cache = _load_cache()
    if ident in cache:
        return cache[ident]
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    cache[ident] = digest
    _save_cache(cache)
    return digest


def hash_tree(root: Path, patterns: tuple[str, ...] = ("*",)) -> dict[str, str]:
    """sha256 of every file under root (relative names), sorted."""
    root = Path(root)
    files = sorted({p for pat in patterns for p in root.rglob(pat) if p.is_file()})
    return {str(p.relative_to(root)): sha256_file(p) for p in files}


def _load_cache() -> dict[str, str]:
    try:
        return json.loads(_cache_file().read_text())
    except (OSError, ValueError):
        return {}


def _save_cache(cache: dict[str, str]) -> None:
    p = _cache_file()
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(cache))
    tmp.replace(p)
