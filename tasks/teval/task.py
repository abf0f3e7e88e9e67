"""One T-Eval file as a harness task: its pre-baked chats in, the reference evaluator out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness.embeddings import MODEL_ID, UPSTREAM_SHA256, load_embedder
from harness.errors import HarnessError
from harness.requests import Request, SamplingParams
from harness.task import Doc, DocState, SampleScore, ScoringContext, Task
from tasks.teval import files
from tasks.teval.chat import clean_output, to_messages
from tasks.teval.evaluators import instruct, plan, review, rru

REFERENCE = "open-compass/T-Eval (teval/evaluators, HEAD 58f2240; v1 evaluators at bab8696)"
POSTPROCESS = "opencompass teval_postprocess: cut at <eoa>, <TOKENS_UNUSED_1>, <|im_end|>, \\nuser, \\nUSER, [INST]; strip ```json and backticks; unwrap {{...}}"
EVALUATOR_OPTION = "teval_evaluator"
MATCHING_OPTION = "teval_matching"
MATCHING_MODES = {
    "reference": "each row's four text lists embedded as separate batches, similarity added in float32 (as upstream)",
    "batched": "every unique text of the file embedded once, similarity added in float64 (faster)",
}
#: the metric each file contributes to its ability in the reference's convert_results.py
SCORE_METRIC = {"plan": "f1_score", "review": "review_quality", "reason": "thought",
                "retrieve": "name", "understand": "args"}


class TEvalTask(Task):
    default_sampling = SamplingParams(temperature=0.0, max_tokens=512)

    def __init__(self, spec: files.FileSpec, function_role: str = "user"):
        self.spec = spec
        self.name = spec.task
        self.version = "1"
        # PLAN 2: its matching embeds and adds as the reference does, ties included (issue 19)
        self.scorer_version = "2" if spec.eval_type == "plan" else "1"
        self.function_role = function_role
        self.description = (f"T-Eval {spec.eval_type} ({spec.default_type}): {spec.filename}, "
                            f"evaluator {spec.version} unless --score-option {EVALUATOR_OPTION}=v1|v2")
        self.evaluator = spec.version  # the evaluator version; --score-option teval_evaluator overrides
        self.matching = "reference"    # PLAN matching mode; --score-option teval_matching overrides
        self._path: Path | None = None
        self._embedder_info: dict[str, Any] | None = None

    # ---- loading and requests ----

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        self._path = files.locate(self.spec, data_dir)
        return files.load_rows(self.spec, self._path)

    def data_files(self, data_dir: Path | None) -> list[Path]:
        path = self._path or files.find(self.spec, data_dir, download=False)
        return [path] if path else []

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        if state.outputs.get("main") or "main" in state.failed:
            return []
        messages = to_messages(doc.data["origin_prompt"], self.function_role)
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling,
                        messages=tuple(messages))]

    def prompt_sources(self) -> list[str]:
        return [f"origin_prompt; function role -> {self.function_role}; same-role turns merged with newline", POSTPROCESS]

    # ---- scoring ----

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        return self.score_all([(doc, state)], ctx)[0]

    def score_all(self, items: list[tuple[Doc, DocState]], ctx: ScoringContext) -> list[SampleScore]:
        """Parse every row, embed what the rows need (PLAN: as the matching mode says; REASON/
        UNDERSTAND: every text of the file in one batch, as upstream), then finish the rows."""
        kind = self.spec.kind
        self._read_options(ctx.options)
        preds = [self._prediction(state) for _, state in items]
        if kind in ("instruct", "review"):
            fn = instruct.score if kind == "instruct" else review.score
            return [self._sample(doc, pred, *fn(doc.data, pred)) for (doc, _), pred in zip(items, preds)]
        if kind == "plan":
            prepared = [plan.prepare(doc.data, pred) for (doc, _), pred in zip(items, preds)]
            if self.matching == "reference":
                similarity = plan.ReferenceSimilarity(self._embedder(ctx)) if any(plan.texts(p) for p in prepared) else None
            else:
                similarity = plan.BatchedSimilarity(self._embed([t for p in prepared for t in plan.texts(p)], ctx))
            threshold = plan.THRESHOLDS[self.evaluator]
            return [self._sample(doc, pred, *plan.finish(prep, similarity, threshold))
                    for (doc, _), pred, prep in zip(items, preds, prepared)]
        prepared = [rru.prepare(doc.data, pred, self.spec.eval_type, self.spec.default_type, self.evaluator)
                    for (doc, _), pred in zip(items, preds)]
        vectors = self._embed([t for p in prepared for t in rru.texts(p)], ctx)
        return [self._sample(doc, pred, *rru.finish(prep, vectors)) for (doc, _), pred, prep in zip(items, preds, prepared)]

    def _read_options(self, options: dict[str, Any]) -> None:
        """`--score-option teval_evaluator=v1|v2` (default: the data file's version) and
        `--score-option teval_matching=reference|batched` (PLAN; default reference)."""
        evaluator = str(options.get(EVALUATOR_OPTION, self.spec.version))
        matching = str(options.get(MATCHING_OPTION, "reference"))
        if evaluator not in plan.THRESHOLDS:
            raise HarnessError(f"--score-option {EVALUATOR_OPTION}={evaluator} is not a T-Eval evaluator version",
                               f"use {EVALUATOR_OPTION}=v1 or {EVALUATOR_OPTION}=v2")
        if matching not in MATCHING_MODES:
            raise HarnessError(f"--score-option {MATCHING_OPTION}={matching} is not a PLAN matching mode",
                               f"use {MATCHING_OPTION}=reference (as upstream, the default) or {MATCHING_OPTION}=batched (faster)")
        self.evaluator, self.matching = evaluator, matching

    @staticmethod
    def _prediction(state: DocState) -> str | None:
        """The first generation after the reference's clean-up (None when there is none)."""
        texts = state.texts("main")
        return clean_output(texts[0]) if texts else None

    def _embedder(self, ctx: ScoringContext):
        embedder = ctx.get("embedder", load_embedder)
        self._embedder_info = embedder.describe()
        return embedder

    def _embed(self, needed: list[str], ctx: ScoringContext) -> dict[str, Any]:
        """Every unique text embedded once, in one batch."""
        if not needed:
            return {}
        unique = list(dict.fromkeys(needed))
        return dict(zip(unique, self._embedder(ctx).encode(unique)))

    def _sample(self, doc: Doc, cleaned: str | None, values: dict[str, float], record: dict[str, Any]) -> SampleScore:
        values = {k: float(v) for k, v in values.items()}
        metric = SCORE_METRIC.get(self.spec.kind if self.spec.kind != "rru" else self.spec.eval_type)
        if metric and metric in values:
            values["score"] = values[metric]
        values["parse_failure"] = 1.0 - values["parse_rate"]
        groups = {"format": self._format(doc)}
        if self.spec.kind == "review":
            groups["gold_answer"] = str(doc.data["ground_truth"].get("answer"))
        record = {"scored_output": cleaned, **record}
        return SampleScore(doc_id=doc.id, values=values, groups=groups, record=record)

    def _format(self, doc: Doc) -> str:
        meta = doc.data.get("meta_data") or {}
        return str(meta.get("response_format") or (doc.data.get("meta") or {}).get("prompt_type") or self.spec.default_type)

    # ---- aggregation and provenance ----

    def aggregate(self, scores: list[SampleScore], seed: int = 0):
        from harness.metrics import aggregate_means
        from harness.results import MetricValue

        metrics, breakdown = aggregate_means(scores, seed=seed)
        if self.spec.kind == "instruct":
            # The reference averages format and argument match per format, then the two formats.
            halves = []
            for fmt in ("json", "string"):
                a, b = metrics.get(f"{fmt}_format_metric"), metrics.get(f"{fmt}_args_em_metric")
                if a and b and a.value is not None and b.value is not None:
                    metrics[f"{fmt}_score"] = MetricValue(value=(a.value + b.value) / 2, n=a.n)
                    halves.append(metrics[f"{fmt}_score"].value)
            if halves:
                metrics["score"] = MetricValue(value=sum(halves) / len(halves), n=len(scores))
        return metrics, breakdown

    def config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {
            "file": self.spec.filename, "data_version": self.spec.version, "evaluator": self.spec.kind,
            "evaluator_version": self.evaluator,
            "eval_type": self.spec.eval_type, "prompt_type": self.spec.default_type,
            "function_role": self.function_role, "max_new_tokens": self.default_sampling.max_tokens,
            "decoding": "greedy", "postprocess": POSTPROCESS, "reference": REFERENCE,
        }
        if self.spec.kind == "plan":
            cfg.update(match_threshold=plan.THRESHOLDS[self.evaluator], name_weight=plan.NAME_WEIGHT,
                       args_weight=plan.ARGS_WEIGHT, matching="networkx.max_weight_matching + longest increasing subsequence",
                       similarity=f"{self.matching}: {MATCHING_MODES[self.matching]}")
        if self.spec.kind == "rru":
            cfg["understand_args"] = "embedding cosine" if self.evaluator == "v1" else "exact per key"
        if self.spec.kind in ("plan", "rru"):
            cfg["embedder"] = self._embedder_info or {"model": MODEL_ID, "sha256": UPSTREAM_SHA256}
        return cfg
