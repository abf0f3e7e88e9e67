"""A "reasoning" copy of the embedded SmolLM2 checkpoint, assembled locally for the reasoning tests:
the same weights (a symlink) and vocabulary, two unused special tokens renamed `<think>` and
`</think>` (plain tokens, so decoding keeps them and vLLM's reasoning parsers find them), a
response_template that declares them, and a chat template that honours `enable_thinking`:

    undefined  exactly SmolLM2's own prompt
    true       the assistant turn opens a thinking block (`<think>\\n`), as DeepSeek-R1's template
    false      an empty, closed thinking block (`<think>\\n\\n</think>\\n\\n`), as Qwen3's template
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

THINKING_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}"
    "{% endif %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
    "{% if enable_thinking is defined and enable_thinking is false %}{{ '<think>\\n\\n</think>\\n\\n' }}"
    "{% elif enable_thinking is defined and enable_thinking %}{{ '<think>\\n' }}{% endif %}{% endif %}"
)
#: SmolLM2's unused <jupyter_start>, <jupyter_text> become the thinking delimiters
RENAMED = {11: "<think>", 12: "</think>"}
#: how the tokenizer declares its output format (transformers' response parsing; vLLM's
#: `--reasoning-parser hf` reads it): a thinking field, then the content
RESPONSE_TEMPLATE = {"version": 1, "start_anchor": "<|im_start|>assistant\n",
                     "fields": {"thinking": {"open": "<think>", "close": "</think>"}, "content": {}}}


def thinking_checkpoint(source: Path, target: Path, weights: bool = True) -> Path:
    """`target`: SmolLM2 (from `source`) with the thinking tokens and template above."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "generation_config.json"):
        shutil.copy(source / name, target / name)
    cfg = json.loads((source / "tokenizer_config.json").read_text())
    (target / "tokenizer_config.json").write_text(json.dumps({**cfg, "response_template": RESPONSE_TEMPLATE}, indent=2))
    if weights and not (target / "model.safetensors").exists():
        (target / "model.safetensors").symlink_to(source / "model.safetensors")
    tok = json.loads((source / "tokenizer.json").read_text())
    for added in tok["added_tokens"]:
        if added["id"] in RENAMED:
            old = added["content"]
            added.update(content=RENAMED[added["id"]], special=False)
            vocab = tok["model"]["vocab"]
            vocab[RENAMED[added["id"]]] = vocab.pop(old)
    (target / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False))
    (target / "chat_template.jinja").write_text(THINKING_TEMPLATE)
    return target
