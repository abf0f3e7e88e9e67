"""The agent loop over one trace as a pure function of what the document has received so far.

Each round the task re-reads the DocState: for every event in order, the agent's attempts
(`event-007`, then retries `event-007.2` ... up to AGENT_ATTEMPTS, as upstream retries an
unparsable reply 5 times) and the judge's attempts (`judge-007` ... up to JUDGE_ATTEMPTS = 10,
upstream's tenacity loop). What is missing is what the next round asks for: the first unresolved
agent turn (a conversation needs every earlier reply) and every unresolved judge call.

Retries fan out: once the first attempt is unreadable, all remaining attempts are asked in the
next round at once. The outcome is the first readable attempt in order, exactly as upstream's
sequential loop (each attempt is its own stored generation, fixed by its seed); only the number
of rounds changes (2 per event at most, instead of 5 or 10).

A generation that failed (state.failed) stops only what depends on it: an agent failure stops
the trace there (later turns need its reply); a judge failure costs that one event. Both are
reported, and the next run asks again (finished generations come back from the store).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from harness.requests import Request, SamplingParams
from harness.task import DocState
from tasks.proactivebench import prompts
from tasks.proactivebench.parsing import UnparsableReply, parse_agent_reply, parse_judge_verdict, proposal_of

AGENT_ATTEMPTS = 5
JUDGE_ATTEMPTS = 10
#: upstream: temperature (attempt > 2) * 0.5 -- two greedy tries, then sampling
JUDGE_GREEDY_ATTEMPTS = 2
JUDGE_RETRY_TEMPERATURE = 0.5
JUDGE_MAX_TOKENS = 512  # a verdict is a short JSON; upstream sets no cap
#: retries differ from the first try by seed, so each is its own stored generation
JUDGE_SEED = 0


def agent_tag(event: int, attempt: int = 1) -> str:
    return f"event-{event:03d}" + (f".{attempt}" if attempt > 1 else "")


def judge_tag(event: int, attempt: int = 1) -> str:
    return f"judge-{event:03d}" + (f".{attempt}" if attempt > 1 else "")


def agent_sampling(sampling: SamplingParams, attempt: int) -> SamplingParams:
    upd: dict[str, Any] = {"n": 1}
    if attempt > 1:
        upd["seed"] = (sampling.seed or 0) + attempt - 1
    return sampling.model_copy(update=upd)


def judge_max_tokens(sampling: SamplingParams | None = None) -> int:
    """JUDGE_MAX_TOKENS, or the run's `--max-tokens` where that is lower: a run capped for a slow
    machine caps its judge too (ten judge attempts per event are most of a CPU run's tokens)."""
    cap = sampling.max_tokens if sampling is not None else None
    return min(JUDGE_MAX_TOKENS, cap) if cap else JUDGE_MAX_TOKENS


def judge_sampling(attempt: int, max_tokens: int = JUDGE_MAX_TOKENS) -> SamplingParams:
    greedy = attempt <= JUDGE_GREEDY_ATTEMPTS
    return SamplingParams(
        temperature=0.0 if greedy else JUDGE_RETRY_TEMPERATURE,
        max_tokens=max_tokens,
        seed=None if attempt == 1 else JUDGE_SEED + attempt,
    )


@dataclass
class EventOutcome:
    """Where one event stands. agent/judge: ok | unparsable | failed | pending | not_run."""

    index: int
    agent: str = "not_run"
    reply: dict[str, Any] | None = None
    agent_attempts: int = 0
    agent_problems: list[str] = field(default_factory=list)
    judge: str = "not_run"
    accepted: bool | None = None
    judge_attempts: int = 0
    judge_problems: list[str] = field(default_factory=list)

    @property
    def proposal(self) -> Any:
        return proposal_of(self.reply)

    @property
    def judged(self) -> bool:
        """Counted in the metrics: a verdict, or a judge unparsable after every retry (= rejection)."""
        return self.judge in ("ok", "unparsable")


@dataclass
class Progress:
    events: list[EventOutcome]
    asks: list[tuple[str, int, int]] = field(default_factory=list)  # (role, event, attempt)


Ask = list[tuple[int, int]]


def _first_text(state: DocState, tag: str) -> str:
    gens = state.outputs.get(tag) or []
    return gens[0].text if gens else ""


def _missing(state: DocState, tagger, event: int, attempt: int, last: int) -> Ask:
    """What to ask for when `attempt` is the first attempt not yet answered: the first try alone,
    or every remaining retry at once."""
    if attempt == 1:
        return [(event, 1)]
    return [(event, a) for a in range(attempt, last + 1)
            if tagger(event, a) not in state.outputs and tagger(event, a) not in state.failed]


@dataclass
class _Resolved:
    status: str  # ok | unparsable | failed | pending
    attempts: int
    value: Any = None
    ask: Ask = field(default_factory=list)


def _first_readable(state: DocState, tagger, event: int, last: int, parse, problems: list[str]) -> _Resolved:
    """The first attempt, in order, that parses; each unreadable or failed attempt adds a problem.
    Stops at the first attempt not yet answered (then `ask` says what to ask for)."""
    for attempt in range(1, last + 1):
        tag = tagger(event, attempt)
        if tag in state.failed:
            problems.append(f"{tag}: generation failed: {state.failed[tag]}")
            return _Resolved("failed", attempt)
        if tag not in state.outputs:
            return _Resolved("pending", attempt - 1, ask=_missing(state, tagger, event, attempt, last))
        try:
            return _Resolved("ok", attempt, parse(_first_text(state, tag)))
        except UnparsableReply as e:
            problems.append(f"{tag}: {e}")
    return _Resolved("unparsable", last)


def _resolve_agent(ev: EventOutcome, state: DocState) -> Ask:
    """Fill ev's agent fields from the attempts so far; return the attempts to ask for."""
    got = _first_readable(state, agent_tag, ev.index, AGENT_ATTEMPTS, parse_agent_reply, ev.agent_problems)
    ev.agent, ev.agent_attempts = got.status, got.attempts
    if got.status == "ok":
        ev.reply = got.value
    return got.ask


def _resolve_judge(ev: EventOutcome, state: DocState) -> Ask:
    got = _first_readable(state, judge_tag, ev.index, JUDGE_ATTEMPTS, parse_judge_verdict, ev.judge_problems)
    ev.judge, ev.judge_attempts = got.status, got.attempts
    if got.status == "ok":
        ev.accepted = got.value
    elif got.status == "unparsable":
        ev.accepted = False  # upstream's loop would give up here; the issue asks to count it as a rejection
    return got.ask


def progress(n_events: int, state: DocState) -> Progress:
    events = [EventOutcome(i) for i in range(n_events)]
    prog = Progress(events)
    for ev in events:
        prog.asks += [("model", e, a) for e, a in _resolve_agent(ev, state)]
        if ev.agent in ("ok", "unparsable"):
            prog.asks += [("judge", e, a) for e, a in _resolve_judge(ev, state)]
        else:
            break  # later turns need this one's reply
    return prog


def agent_request(task: str, doc_id: str, observations: list[dict[str, Any]], prog: Progress,
                  event: int, attempt: int, sampling: SamplingParams) -> Request:
    replies = [ev.reply for ev in prog.events[:event]]
    msgs = prompts.agent_messages(observations, replies)
    return Request(task=task, doc_id=doc_id, sampling=agent_sampling(sampling, attempt),
                   messages=tuple(msgs), role="model", tag=agent_tag(event, attempt))


def judge_request(task: str, doc_id: str, observations: list[dict[str, Any]], prog: Progress,
                  event: int, attempt: int, max_tokens: int = JUDGE_MAX_TOKENS) -> Request:
    msgs = prompts.judge_messages(observations[: event + 1], prog.events[event].proposal)
    return Request(task=task, doc_id=doc_id, sampling=judge_sampling(attempt, max_tokens),
                   messages=tuple(msgs), role="judge", tag=judge_tag(event, attempt))


def next_requests(task: str, doc_id: str, observations: list[dict[str, Any]], state: DocState,
                  sampling: SamplingParams) -> list[Request]:
    prog = progress(len(observations), state)
    return [
        agent_request(task, doc_id, observations, prog, e, a, sampling) if role == "model"
        else judge_request(task, doc_id, observations, prog, e, a, judge_max_tokens(sampling))
        for role, e, a in prog.asks
    ]
