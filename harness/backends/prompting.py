"""Turning a Request into token ids the same way for every local backend, so vLLM and
transformers see identical inputs (chat templates applied the way the model defines them)."""

from __future__ import annotations

from harness.errors import BackendError
from harness.requests import Request


def encode_request(tokenizer, request: Request) -> list[int]:
    if request.media:
        raise BackendError(f"request {request.task}/{request.doc_id} carries images, which this backend does not send",
                           "serve the vision model with `vllm serve` and use --model openai:URL#MODEL")
    if request.messages is not None:
        if not getattr(tokenizer, "chat_template", None):
            raise BackendError(
                f"the model has no chat template but task '{request.task}' sends chat messages",
                "use a chat model or a completion-format task",
            )
        ids = tokenizer.apply_chat_template(
            [dict(m) for m in request.messages], tokenize=True, add_generation_prompt=True,
            **template_kwargs(request),
        )
        if hasattr(ids, "keys"):  # transformers 5 returns a BatchEncoding
            ids = ids["input_ids"]
        return list(ids)
    return list(tokenizer(request.prompt)["input_ids"])


def template_kwargs(request: Request) -> dict:
    """The chat-template keyword arguments a request carries (--chat-template-kwargs, --reasoning):
    every local backend passes them to apply_chat_template, servers get them as chat_template_kwargs."""
    return request.sampling.template_kwargs()


def render_request(tokenizer, request: Request) -> str:
    """The text a local backend's model reads for this request (`harness tasks show --model`)."""
    if request.messages is None:
        return request.prompt or ""
    return tokenizer.apply_chat_template([dict(m) for m in request.messages], tokenize=False,
                                         add_generation_prompt=True, **template_kwargs(request))


def truncate_at_stop(text: str, stop: tuple[str, ...]) -> tuple[str, bool]:
    """Cut text at the first stop string (vLLM's default: the stop string itself is dropped)."""
    cut = min((i for i in (text.find(s) for s in stop) if i >= 0), default=-1)
    return (text[:cut], True) if cut >= 0 else (text, False)
