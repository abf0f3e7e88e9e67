"""The small typed objects a run is made of: sampling settings, requests and generations.

Backends see only these; they know nothing of tasks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict


class SamplingParams(BaseModel):
    """Generation settings. `n` is how many samples a request asks for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    temperature: float = 0.0
    top_p: float = 1.0
    top_k: int = -1
    max_tokens: int = 1024
    stop: tuple[str, ...] = ()
    n: int = 1
    seed: int | None = None
    #: keyword arguments for the chat template (enable_thinking, reasoning_effort), as sorted
    #: (key, value) pairs; harness/reasoning.py sets them from --chat-template-kwargs and --reasoning
    chat_template_kwargs: tuple[tuple[str, Any], ...] = ()
    #: stop strings applied to the answer part after the thinking (harness/reasoning.py), not
    #: given to the backend: one inside the thinking would cut the generation before its answer
    answer_stop: tuple[str, ...] = ()

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0

    def template_kwargs(self) -> dict[str, Any]:
        return dict(self.chat_template_kwargs)

    def identity(self) -> dict[str, Any]:
        """The fields that change what a single sample is (n does not; the reasoning fields are
        left out when unset, so earlier store keys stay valid)."""
        exclude = {"n"} | {k for k in ("chat_template_kwargs", "answer_stop") if not getattr(self, k)}
        return self.model_dump(exclude=exclude)


@dataclass(frozen=True)
class Request:
    """One prompt for one model role.

    Exactly one of `prompt` (raw completion text) or `messages` (a chat, rendered with the
    model's own chat template by the backend) is set. `role` picks the backend ("model" for
    the model under test, "judge" for a judge model). `tag` tells several requests of one
    document apart (a turn of a conversation, a judge call).
    """

    task: str
    doc_id: str
    sampling: SamplingParams
    prompt: str | None = None
    messages: tuple[dict[str, str], ...] | None = None
    role: str = "model"
    tag: str = "main"
    #: input files that go with the prompt (a PDF for a document converter, page images for a
    #: vision model), as (path, sha256) pairs so the store key follows the file's content
    media: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        if (self.prompt is None) == (self.messages is None):
            raise ValueError("a Request needs exactly one of prompt or messages")

    def content(self) -> Any:
        body = self.prompt if self.prompt is not None else [dict(m) for m in self.messages]
        if self.media:
            return {"text": body, "media": [h for _, h in self.media]}
        return body


@dataclass
class Generation:
    """One sample returned by a backend."""

    text: str
    n_tokens: int = 0
    finish_reason: str | None = None
    prompt_tokens: int = 0
    meta: dict[str, Any] = field(default_factory=dict)
