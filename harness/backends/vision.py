"""Chat requests with images, built the same way for every backend that sends them.

The request's images (`Request.media`: (path, sha256) pairs) go to the last user turn, after its
text, as the READoc reference sent them to GPT-4o-mini; the model's own processor and chat
template then decide where the image tokens go and how many there are. vLLM and transformers
receive the same rendered prompt and the same decoded images, so their prompts agree token for
token (`harness parity`).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from harness.backends.prompting import template_kwargs
from harness.errors import BackendError
from harness.requests import Request

#: the fix every "page too big for the model" message offers
SHRINK_FIX = "raise --max-model-len if the model allows it, or send smaller pages (--max-pixels, --image-dpi)"


def is_vision_model(path: str, revision: str | None = None) -> bool:
    """Does the checkpoint's config have a vision tower (Idefics3, LLaVA, Qwen2-VL, Gemma 3...)?"""
    from transformers import AutoConfig

    return getattr(AutoConfig.from_pretrained(path, revision=revision), "vision_config", None) is not None


def load_processor(path: str, revision: str | None = None):
    from transformers import AutoProcessor

    return AutoProcessor.from_pretrained(path, revision=revision)


def image_token_id(processor) -> int | None:
    """The token the processor repeats for each image position (counted in Generation.meta)."""
    tid = getattr(processor, "image_token_id", None)
    if tid is None and getattr(processor, "image_token", None):
        tid = processor.tokenizer.convert_tokens_to_ids(processor.image_token)
    return tid


@lru_cache(maxsize=16)
def image_bytes(path: str, sha256: str) -> bytes:
    """The file's bytes, read once; they must still be what the store key was made from."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise BackendError(f"cannot read image {path} ({e.strerror})", "run the same command again to re-render it") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise BackendError(f"image {path} changed after it was planned (sha256 differs)",
                           "run the same command again to re-render it")
    return data


@lru_cache(maxsize=8)
def load_image(path: str, sha256: str):
    """The decoded RGB image (cached: n samples or a retry decode it once)."""
    from PIL import Image

    with Image.open(io.BytesIO(image_bytes(path, sha256))) as im:
        return im.convert("RGB")


def with_images(messages: list[dict], parts: list[Any]) -> list[dict]:
    """The chat with `parts` (one per image) after the text of the last user turn."""
    msgs = [dict(m) for m in messages]
    users = [i for i, m in enumerate(msgs) if m["role"] == "user"]
    if not users:
        raise BackendError("a request with images has no user message", "put the instruction in a user message")
    last = users[-1]
    msgs[last] = {"role": "user", "content": [{"type": "text", "text": msgs[last]["content"]}, *parts]}
    return msgs


@dataclass
class ImagePrompt:
    """A chat rendered by the model's chat template (one image placeholder per image, expanded
    by the processor) and the images in placeholder order."""

    text: str
    images: list


def check_image_count(request: Request, max_images: int | None) -> None:
    if max_images is not None and len(request.media) > max_images:
        raise BackendError(f"request {request.doc_id}/{request.tag} has {len(request.media)} images; the model "
                           f"takes at most {max_images} per prompt", "raise --max-images if the model allows more")


def render_image_chat(processor, request: Request, max_images: int | None = None) -> ImagePrompt:
    if request.messages is None:
        raise BackendError(f"request {request.doc_id}/{request.tag}: images need a chat, not a raw prompt",
                           "send the instruction as chat messages")
    check_image_count(request, max_images)
    if not getattr(processor, "chat_template", None):
        raise BackendError("the model's processor has no chat template, so it cannot place image tokens",
                           "use an instruction-tuned vision-language checkpoint (chat_template.jinja beside it)")
    images = [load_image(p, h) for p, h in request.media]
    msgs = with_images([dict(m) for m in request.messages], [{"type": "image"} for _ in images])
    text = processor.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False,
                                         **template_kwargs(request))
    return ImagePrompt(text=text if isinstance(text, str) else text[0], images=images)


def no_vision(request: Request) -> str:
    return (f"request {request.doc_id}/{request.tag} carries images but the model has no vision tower "
            "(its config has no vision_config): use a vision-language model")


_LENGTH = re.compile(r"\(length (\d+)\).*?maximum model length of (\d+)")


def too_long(request: Request, prompt_tokens: int, limit: int) -> str:
    """The one-line reason a prompt (text and image tokens) does not fit the context."""
    what = "page" if request.media else "prompt"
    return (f"{what} {request.doc_id}/{request.tag} is {prompt_tokens} tokens with its images, over the model's "
            f"context of {limit}: {SHRINK_FIX}")


def engine_refusal(request: Request, error: Exception) -> str:
    """One line for an engine's refusal of a single request (vLLM validates at add_request)."""
    msg = str(error).splitlines()[0] if str(error) else type(error).__name__
    m = _LENGTH.search(msg)
    if m:
        return too_long(request, int(m.group(1)), int(m.group(2)))
    if "encoder cache" in msg:
        return f"{request.doc_id}/{request.tag}: an image has more tokens than the engine can encode at once: {SHRINK_FIX}"
    return f"{type(error).__name__}: {msg[:300]}"

