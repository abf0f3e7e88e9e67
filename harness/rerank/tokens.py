"""Turning (question, response) into the token ids both models score, and the step of each token.

As in the implicit-PRM reference (PRIME-RL's EurusPRM evaluation): the reward model's chat
template renders [user: question, assistant: response]; the scored tokens run from the first
response token through the end-of-turn token (the rendered text with trailing whitespace
stripped); every scored token belongs to the step holding its first character, the end-of-turn
token to the last step. One tokenisation feeds both the policy and the reference model.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import HarnessError
from harness.rerank.steps import step_spans


@dataclass
class ScoredSequence:
    ids: list[int]
    first: int  # index of the first scored token (>= 1: a token needs a left context)
    step_of: list[int]  # step index of each scored token ids[first:]
    n_steps: int


def render(tokenizer, question: str, response: str, template: str) -> tuple[str, int, int]:
    """The full text, where the response starts in it, and where scoring stops."""
    if template == "chat":
        msgs = [{"role": "user", "content": question}, {"role": "assistant", "content": response}]
        full = tokenizer.apply_chat_template(msgs, tokenize=False)
        start = full.rfind(response) if response else -1
        if start < 0:
            # Templates that strip the message: find the stripped response instead.
            start = full.rfind(response.strip())
        if start < 0:
            raise HarnessError("the reward model's chat template does not keep the response text",
                               "use template=raw in the --rerank spec")
        return full, start, len(full.rstrip())
    sep = "" if question.endswith(("\n", " ")) else "\n"
    full = question + sep + response
    return full, len(question) + len(sep), len(full)


def build_sequence(tokenizer, question: str, response: str, template: str = "chat", steps: str = "auto") -> ScoredSequence:
    full, start, stop = render(tokenizer, question, response, template)
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids, offsets = enc["input_ids"], enc["offset_mapping"]
    if template == "raw" and tokenizer.bos_token_id is not None:
        ids, offsets = [tokenizer.bos_token_id] + list(ids), [(0, 0)] + list(offsets)
    spans = step_spans(response[: stop - start] if stop - start < len(response) else response, steps)
    span_starts = [start + a for a, _ in spans]
    first, step_of = None, []
    for i, (a, b) in enumerate(offsets):
        if b <= start or (a == b == 0 and i == 0):
            continue  # prompt side
        if a >= stop:
            break  # trailing template text after the end-of-turn token
        if first is None:
            first = i
        pos = max(a, start)
        s = 0
        while s + 1 < len(span_starts) and span_starts[s + 1] <= pos:
            s += 1
        step_of.append(s)
    if first is None:
        raise HarnessError("a response renders to no tokens", "check the candidates are non-empty")
    first = max(first, 1)
    n_scored = len(step_of)
    ids = list(ids[: first + n_scored])
    return ScoredSequence(ids=ids, first=first, step_of=step_of[-(len(ids) - first):], n_steps=len(spans))
