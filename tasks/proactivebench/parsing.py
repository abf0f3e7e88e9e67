"""Reading the agent's replies and the judge's verdicts the way the reference does.

- Agent (upstream eval/script.py): a ```json fenced block wins when present, then strict JSON;
  the reply must be an object. A missing or null "Proactive Task", or the string "null", means
  no proposal; a "Response" of "null" becomes null. Anything else raises, and upstream retries.
- Judge of the agent (eval/judge_agent_prediction.py): JSON5 (lenient: single quotes, trailing
  commas, comments) of the whole reply, "judgement" == "accepted". We also read a fenced block
  when the whole reply is not JSON5, which upstream would have retried.
- Judge under test (eval/reward_model_scoring.py): strict JSON, else the last
  `"judgement": "accepted|rejected"` in the text, else no verdict (None); no retries.
"""

from __future__ import annotations

import json
import re
from typing import Any

import json5

PROPOSAL_KEY = "Proactive Task"
RESPONSE_KEY = "Response"
_AGENT_FENCE = re.compile(r"```json\n(.*?)\n```", re.DOTALL)
_ANY_FENCE = re.compile(r"```(?:json5?|JSON)?\s*\n(.*?)\n?```", re.DOTALL)
_RM_VERDICT = re.compile(r'"judgement": "(accepted|rejected)"')


class UnparsableReply(ValueError):
    """A reply the reference would have retried."""


def parse_agent_reply(text: str) -> dict[str, Any]:
    """The normalised reply object; raises UnparsableReply."""
    body = text
    if "```json" in text:
        found = _AGENT_FENCE.findall(text)
        if not found:
            raise UnparsableReply("a ```json fence that is never closed on its own line")
        body = found[0]
    try:
        reply = json.loads(body)
    except ValueError as e:
        raise UnparsableReply(f"not JSON: {e}") from None
    if not isinstance(reply, dict):
        raise UnparsableReply(f"JSON {type(reply).__name__}, not an object")
    if reply.get(PROPOSAL_KEY) is None or reply.get(PROPOSAL_KEY) == "null":
        reply[PROPOSAL_KEY] = None
    if reply.get(RESPONSE_KEY) == "null":
        reply[RESPONSE_KEY] = None
    return reply


def proposal_of(reply: dict[str, Any] | None) -> Any:
    """The proposed task of a parsed reply (None: no proposal)."""
    return None if reply is None else reply.get(PROPOSAL_KEY)


def parse_judge_verdict(text: str) -> bool:
    """True for "accepted", False for any other judgement; raises UnparsableReply."""
    candidates = [text]
    candidates += _ANY_FENCE.findall(text)
    last_error = "empty reply"
    for cand in candidates:
        try:
            obj = json5.loads(cand)
        except Exception as e:  # json5 raises ValueError, and others on odd input
            last_error = f"not JSON5: {e}"
            continue
        if not isinstance(obj, dict) or "judgement" not in obj:
            last_error = "no \"judgement\" field"
            continue
        return obj["judgement"] == "accepted"
    raise UnparsableReply(last_error)


def parse_rm_verdict(text: str) -> bool | None:
    """The reward-model benchmark's reading: True / False, or None when there is no verdict."""
    try:
        verdict = json.loads(text)["judgement"]
    except Exception:  # upstream's bare except: any failure falls through to the regex
        found = _RM_VERDICT.findall(text)
        verdict = found[-1] if found else None
    if verdict == "accepted":
        return True
    if verdict == "rejected":
        return False
    return None
