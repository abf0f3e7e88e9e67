"""The reference's prompts, rendered from the templates in prompts/.

The agent sees one system message and, per event, a user message whose JSON is built by text
substitution (so the observation sits inside quotes, exactly as upstream's eval/script.py does).
After the agent's reply is parsed, the turn is compacted: the user message shrinks to the bare
observation and the reply is stored as the re-serialised parsed JSON. The judge sees every
observation up to the event and the proposal (or null).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

PROMPTS_DIR = Path(__file__).parent / "prompts"
AGENT_TEMPLATES = ("agent_system.j2", "agent_step.j2")
JUDGE_TEMPLATES = ("judge_system.j2", "judge_user.j2")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(PROMPTS_DIR)),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def render(name: str, **kw: Any) -> str:
    return _env().get_template(name).render(**kw)


def template_sources(names: tuple[str, ...] = AGENT_TEMPLATES + JUDGE_TEMPLATES) -> list[str]:
    return [(PROMPTS_DIR / t).read_text() for t in names]


def observation_json(obs: dict[str, Any]) -> str:
    """The agent's view of one event: {"Time", "Event"} with Python's default json.dumps."""
    return json.dumps({"Time": obs["time"], "Event": obs["event"]})


def agent_system() -> str:
    return render("agent_system.j2")


def agent_step(obs: dict[str, Any]) -> str:
    """The full per-event user message (instructions + observation)."""
    return render("agent_step.j2", observation=observation_json(obs))


def agent_reply_json(parsed: dict[str, Any]) -> str:
    """What the history keeps of a parsed reply (upstream re-serialises the normalised dict)."""
    return json.dumps(parsed)


def agent_messages(observations: list[dict[str, Any]], replies: list[dict[str, Any] | None]) -> list[dict[str, str]]:
    """The conversation for event len(replies): earlier turns compacted, the new event in full.

    `replies[i]` is the parsed reply to event i, or None when every attempt was unparsable;
    upstream then keeps that event's full message and adds no assistant turn.
    """
    k = len(replies)
    msgs = [{"role": "system", "content": agent_system()}]
    for obs, reply in zip(observations[:k], replies):
        if reply is None:
            msgs.append({"role": "user", "content": agent_step(obs)})
        else:
            msgs.append({"role": "user", "content": observation_json(obs)})
            msgs.append({"role": "assistant", "content": agent_reply_json(reply)})
    msgs.append({"role": "user", "content": agent_step(observations[k])})
    return msgs


def _dumps4(x: Any) -> str:
    return json.dumps(x, ensure_ascii=False, indent=4)


def judge_messages(observations: list[dict[str, Any]], proposed_task: Any) -> list[dict[str, str]]:
    """The reward model's prompt: all observations so far, then the proposal (None -> null)."""
    user = render("judge_user.j2", observations=_dumps4(observations), proposed_task=_dumps4(proposed_task))
    return [{"role": "system", "content": render("judge_system.j2")}, {"role": "user", "content": user}]
