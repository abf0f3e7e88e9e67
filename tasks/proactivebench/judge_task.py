"""`proactivebench-judge`: how well the model under test judges proactive proposals, against the
120 human-labelled items of the reward model's test set (upstream eval/reward_model_scoring.py).

Each item is a trace prefix and a proposal (or null) with the people's verdict `valid`. The model
answers once, greedily. Upstream's figures: agreement per category (MN, CR, CD, FA) and on
average, where a reply with no readable verdict disagrees; and accuracy, precision, recall, F1 of
"accepted" against `valid`, where a reply with no verdict counts as a rejection.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.metrics import mean_metric
from harness.requests import Request, SamplingParams
from harness.results import MetricValue
from harness.task import Doc, DocState, SampleScore, ScoringContext, Task
from tasks.proactivebench import data, metrics, prompts
from tasks.proactivebench.parsing import parse_rm_verdict

CATEGORY_SHORT = {
    "Missed-Need (MN)": "MN",
    "Correct-Rejection (CR)": "CR",
    "Correct-Detection (CD)": "CD",
    "False-Alarm (FA)": "FA",
}
JUDGE_COUNTS = ("tp", "fp", "tn", "fn", "agree", "unparsable", "items")


def judge_rates(c) -> dict[str, float | None]:
    tp, fp, tn, fn = (float(c.get(k, 0)) for k in metrics.COUNTS)
    items = float(c.get("items", 0))

    def ratio(a: float, b: float) -> float | None:
        return a / b if b else None  # upstream divides by zero here

    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {
        "agreement": ratio(float(c.get("agree", 0)), items),
        "accuracy": ratio(tp + tn, tp + tn + fp + fn),
        "precision": precision,
        "recall": recall,
        "f1": ratio(2 * tp, 2 * tp + fp + fn),
    }


class ProactiveBenchJudge(Task):
    name = "proactivebench-judge"
    version = "1"
    description = "ProactiveBench reward-model test: agreement of the model, as judge, with 120 human verdicts"
    default_sampling = SamplingParams(temperature=0.0, max_tokens=1024)

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        return [Doc(id=f"rm-{i:03d}", data=item) for i, item in enumerate(data.load_reward_items(data_dir))]

    def data_files(self, data_dir: Path | None) -> list[Path]:
        return [data.reward_test_file(data_dir)]

    def prompt_sources(self) -> list[str]:
        return prompts.template_sources(prompts.JUDGE_TEMPLATES)

    def category(self, doc: Doc) -> str | None:
        return doc.data["category"]  # the file is sorted by it: `--limit N --spread` covers all four

    def config(self) -> dict[str, Any]:
        return {"upstream": data.UPSTREAM, "upstream_commit": data.UPSTREAM_COMMIT,
                "verdict_parse": "strict JSON 'judgement', else the last '\"judgement\": \"accepted|rejected\"'"}

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        if "main" in state.outputs or "main" in state.failed:
            return []
        msgs = prompts.judge_messages(doc.data["obs"], doc.data["pred_task"])
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling.model_copy(update={"n": 1}),
                        messages=tuple(msgs), role="model", tag="main")]

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        texts = state.texts("main")
        verdict = parse_rm_verdict(texts[0]) if texts else None
        valid = bool(doc.data["valid"])
        # positive = "accepted"; no verdict counts as a rejection here (upstream's `if x["pred"]`)
        if verdict:
            cell = "tp" if valid else "fp"
        else:
            cell = "fn" if valid else "tn"
        values = {k: 0.0 for k in JUDGE_COUNTS}
        values[cell] = 1.0
        values["agree"] = float(verdict is not None and verdict == valid)
        values["unparsable"] = float(verdict is None)
        values["items"] = 1.0
        category = CATEGORY_SHORT.get(doc.data["category"], doc.data["category"])
        return SampleScore(doc_id=doc.id, values=values, groups={"category": category},
                           record={"verdict": verdict, "valid": valid, "category": category,
                                   "proposed_task": doc.data["pred_task"]})

    def aggregate(self, scores: list[SampleScore], seed: int = 0):
        def n_items(c) -> int:
            return int(c.get("items", 0))

        def table(ss: list[SampleScore], resamples: int) -> dict[str, MetricValue]:
            units = [s.values for s in ss]
            return metrics.pooled_with_bootstrap(units, judge_rates, JUDGE_COUNTS, n_items, seed, resamples)

        def counts(ss: list[SampleScore]) -> dict[str, MetricValue]:
            total = metrics.sum_counts([s.values for s in ss], JUDGE_COUNTS)
            return metrics.count_values(total, JUDGE_COUNTS, n_items(total))

        headline = table(scores, metrics.BOOTSTRAP_RESAMPLES)
        # replies with no readable verdict, in the headline: a judge that never answers must not
        # pass for one that always agrees (the table shows it as a count)
        headline["unparsable"] = mean_metric([s.values["unparsable"] for s in scores], seed)
        by_cat: dict[str, list[SampleScore]] = {}
        for s in scores:
            by_cat.setdefault(s.groups["category"], []).append(s)
        for cat in CATEGORY_SHORT.values():
            if cat in by_cat:
                ss = by_cat[cat]
                headline[f"agreement_{cat}"] = mean_metric([s.values["agree"] for s in ss], seed)
        breakdown = {"category": {c: table(ss, 0) for c, ss in sorted(by_cat.items())},
                     "counts": {"all": counts(scores), **{c: counts(ss) for c, ss in sorted(by_cat.items())}}}
        return headline, breakdown
