"""`proactivebench`: a proactive agent along 12 real activity traces, judged by a reward model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.requests import Request, SamplingParams
from harness.results import MetricValue
from harness.task import Doc, DocState, RunSettings, SampleScore, ScoringContext, Task
from tasks.proactivebench import data, loop, metrics, prompts

#: per-trace counts kept in SampleScore.values (aggregate() pools them)
EXTRA_COUNTS = ("events_total", "events_judged", "events_unfinished", "judge_unparsable",
                "judge_failed", "agent_unparsable", "agent_failed")


class ProactiveBench(Task):
    name = "proactivebench"
    version = "1"
    description = ("ProactiveBench (Lu et al. 2024): propose help or stay silent at each event of a real "
                   "activity trace; a judge (reward model) accepts or rejects each turn")
    #: upstream eval/script.py asks with temperature 0.5 (its 0.0 branch is never taken)
    default_sampling = SamplingParams(temperature=0.5, max_tokens=1024)
    #: a failed generation costs only the events that depend on it (see loop.py): the runner
    #: keeps the trace going and scores the rest; the next run asks again
    partial_failures = True
    #: the judge's max_tokens in this run (loop.judge_max_tokens: 512, or a lower --max-tokens)
    judge_max_tokens = loop.JUDGE_MAX_TOKENS

    def sampling(self, settings: RunSettings) -> SamplingParams:
        s = super().sampling(settings)
        self.judge_max_tokens = loop.judge_max_tokens(s)
        return s

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        return [Doc(id=t["id"], data=t) for t in data.load_traces(data_dir)]

    def data_files(self, data_dir: Path | None) -> list[Path]:
        files = data.trace_files(data_dir)
        return files + [files[0].parent / data.SPLITS_FILE]

    def prompt_sources(self) -> list[str]:
        return prompts.template_sources()

    def category(self, doc: Doc) -> str | None:
        return doc.id.split("_")[0]  # the trace's domain, as in the breakdown

    def config(self) -> dict[str, Any]:
        return {
            "upstream": data.UPSTREAM,
            "upstream_commit": data.UPSTREAM_COMMIT,
            "agent_attempts": loop.AGENT_ATTEMPTS,
            "agent_unparsable_after_retries": "no proposal (judged as silence), counted in agent_unparsable",
            "judge_attempts": loop.JUDGE_ATTEMPTS,
            "retries": "after a first unreadable reply, all remaining attempts at once; the first readable wins",
            "judge_sampling": [loop.judge_sampling(a, self.judge_max_tokens).identity()
                               for a in (1, loop.JUDGE_GREEDY_ATTEMPTS + 1)],
            "judge_max_tokens": f"{loop.JUDGE_MAX_TOKENS}, or the run's max_tokens where lower",
            "judge_parse": "json5 of the reply, else of a fenced block; 'judgement' == 'accepted'",
            "judge_unparsable_after_retries": "rejection, counted in judge_unparsable",
            "headline_split": data.HEADLINE_SPLIT,
        }

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        return loop.next_requests(self.name, doc.id, doc.data["observations"], state, sampling)

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        obs = doc.data["observations"]
        prog = loop.progress(len(obs), state)
        counts = {k: 0.0 for k in metrics.COUNTS + EXTRA_COUNTS}
        counts["events_total"] = len(obs)
        events: list[dict[str, Any]] = []
        for ev in prog.events:
            if ev.judged:
                counts[metrics.outcome(ev.proposal is not None, bool(ev.accepted))] += 1
                counts["events_judged"] += 1
            else:
                counts["events_unfinished"] += 1
            counts["judge_unparsable"] += ev.judge == "unparsable"
            counts["judge_failed"] += ev.judge == "failed"
            counts["agent_unparsable"] += ev.agent == "unparsable"
            counts["agent_failed"] += ev.agent == "failed"
            events.append(_event_record(ev, obs))
        return SampleScore(
            doc_id=doc.id,
            values=counts,
            groups={"domain": doc.id.split("_")[0]},
            record={"splits": doc.data["splits"], "events": events},
        )

    def aggregate(self, scores: list[SampleScore], seed: int = 0):
        """Rates per split, pooled over events (n = events judged); the raw counts go in the
        breakdown group "counts" (the headline is real_average's, or all traces')."""
        by_split: dict[str, list[SampleScore]] = {}
        for s in scores:
            for split in s.record.get("splits", []):
                by_split.setdefault(split, []).append(s)
        rates = {name: _split_rates(ss, seed) for name, ss in by_split.items()}
        counts = {name: _split_counts(ss) for name, ss in by_split.items()}
        headline = dict(rates.get(data.HEADLINE_SPLIT) or _split_rates(scores, seed))
        # the judge's unreadable replies (counted as rejections), in the headline as a share of the
        # judged events: the table shows the count beside the rates it affects
        c = counts.get(data.HEADLINE_SPLIT) or _split_counts(scores)
        judged = int(c["events_judged"].value or 0)
        headline["judge_unparsable"] = MetricValue(value=(c["judge_unparsable"].value or 0) / judged if judged else None,
                                                   n=judged)
        return headline, {"split": rates, "counts": counts}


def _n_judged(c) -> int:
    return int(sum(c.get(k, 0) for k in metrics.COUNTS))


def _split_rates(scores: list[SampleScore], seed: int) -> dict[str, MetricValue]:
    return metrics.pooled_with_bootstrap([s.values for s in scores], metrics.rates, metrics.COUNTS,
                                         _n_judged, seed=seed)


def _split_counts(scores: list[SampleScore]) -> dict[str, MetricValue]:
    total = metrics.sum_counts([s.values for s in scores], metrics.COUNTS + EXTRA_COUNTS)
    out = metrics.count_values(total, metrics.COUNTS + EXTRA_COUNTS, _n_judged(total))
    out["traces"] = MetricValue(value=float(len(scores)), n=len(scores))
    return out


def _event_record(ev: loop.EventOutcome, obs: list[dict[str, Any]]) -> dict[str, Any]:
    rec: dict[str, Any] = {
        "event": ev.index,
        "time": obs[ev.index].get("time"),
        "agent": ev.agent,
        "proposal": ev.proposal,
        "judge": ev.judge,
        "accepted": ev.accepted,
    }
    if ev.judged:
        rec["outcome"] = metrics.outcome(ev.proposal is not None, bool(ev.accepted)).upper()
    if ev.agent_attempts > 1 or ev.agent_problems:
        rec["agent_attempts"] = ev.agent_attempts
    if ev.judge_attempts > 1 or ev.judge_problems:
        rec["judge_attempts"] = ev.judge_attempts
    # the last two of each say why; every attempt's text is in the sample's extra_outputs
    problems = ev.agent_problems[-2:] + ev.judge_problems[-2:]
    if problems:
        rec["problems"] = problems
    return rec
