"""From a row's pre-baked `origin_prompt` to chat messages, and the model output clean-up."""

from __future__ import annotations

import json
from typing import Any

#: the roles every chat template accepts
STANDARD_ROLES = ("system", "user", "assistant")


def to_messages(origin_prompt: Any, function_role: str = "user") -> list[dict[str, str]]:
    """Map the `function` role (tool responses) onto `function_role` and merge consecutive
    turns of one role, as the reference's meta templates do (qwen, vicuna, chatglm, baichuan
    send function turns as user turns; T-Eval merges same-role turns before rendering)."""
    turns = json.loads(origin_prompt) if isinstance(origin_prompt, str) else origin_prompt
    if not isinstance(turns, list) or not turns:
        raise ValueError("origin_prompt is not a non-empty list of chat turns")
    out: list[dict[str, str]] = []
    for turn in turns:
        role = str(turn["role"])
        role = function_role if role == "function" else role
        content = str(turn["content"])
        if out and out[-1]["role"] == role:
            out[-1]["content"] = out[-1]["content"] + "\n" + content
        else:
            out.append({"role": role, "content": content})
    return out


def clean_output(text: str) -> str:
    """OpenCompass's `teval_postprocess`: cut at chat special tokens and turn markers, drop a
    ```json fence and surrounding backticks, unwrap a doubled {{...}}."""
    for marker in ("<eoa>", "<TOKENS_UNUSED_1>", "<|im_end|>", "\nuser", "\nUSER", "[INST]"):
        text = text.split(marker)[0]
    text = text.strip()
    if text.startswith("```json"):
        text = text[len("```json"):]
    text = text.strip("`").strip()
    if text[:2] == "{{" and text[-2:] == "}}":
        text = text[1:-1]
    return str(text)
