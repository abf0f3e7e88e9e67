"""The CRUXEval-X tasks: `cruxeval-x-input-<lang>` and `cruxeval-x-output-<lang>`."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from harness.requests import Request, SamplingParams
from harness.task import Doc, DocState, SampleScore, ScoringContext, Task
from tasks.cruxeval.execution import Attempt, pass_values, run_attempts
from tasks.cruxeval.guards import python_splice_reason
from tasks.cruxeval_x import data
from tasks.cruxeval_x.guards import splice_reason
from tasks.cruxeval_x.languages import LANGUAGES
from tasks.cruxeval_x.programs import (build_program_text, extract_answer, extract_answer_lenient,
                                       problem_text, reference_program, to_program, gold_program)

PROMPTS = Path(__file__).parent / "prompts"
STATUS_FILE = Path(__file__).parent / "reference_status.json"
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), keep_trailing_newline=True,
                          undefined=jinja2.StrictUndefined, autoescape=False)


@lru_cache(maxsize=1)
def reference_status() -> dict[str, Any]:
    """Reference programs that fail or flip between runs in our sandboxes (found by
    `harness sandbox check --repeat`), by language: {"flaky": {lang: [id]}, "failing": {...}}."""
    try:
        return json.loads(STATUS_FILE.read_text())
    except (OSError, ValueError):
        return {"flaky": {}, "failing": {}}


def defects(problem: data.Problem, mode: str) -> list[str]:
    """The problem's data defects that matter in this mode."""
    other = "output" if mode == "input" else "input"
    return [d for d in data.known_defects(problem) if d != f"{other}_template_mismatch"]


def reliability(problem: data.Problem, mode: str) -> str:
    """'flaky', 'defect' or 'ok': flaky and defective problems are reported apart."""
    status = reference_status()
    if problem.id in status.get("flaky", {}).get(problem.lang, []):
        return "flaky"
    listed = {**status.get("failing", {}).get(problem.lang, {}), **status.get("vacuous", {}).get(problem.lang, {})}
    if str(problem.id) in listed or defects(problem, mode):
        return "defect"
    return "ok"


def problem_of(doc: Doc) -> data.Problem:
    d = doc.data
    return data.Problem(d["lang"], d["id"], d["code"], d["input_template"], d["output_template"])


class CruxEvalXTask(Task):
    version = "1"
    scorer_version = "2"  # 2: answers must be values; a program proves it reached the end (issue 13)
    default_sampling = SamplingParams(temperature=0.0, max_tokens=512, stop=("[/ANSWER]",), n=1)

    def __init__(self, lang: str, mode: str, splice_guard: bool = True, extraction: str = "reference"):
        if mode not in ("input", "output") or lang not in LANGUAGES or extraction not in ("reference", "lenient"):
            raise ValueError(f"bad CRUXEval-X task: {lang=} {mode=} {extraction=}")
        self.lang, self.mode = lang, mode
        self.splice_guard, self.extraction = splice_guard, extraction
        self.name = f"cruxeval-x-{mode}-{lang}"
        self.description = f"CRUXEval-X {mode} prediction in {LANGUAGES[lang].title} (Xu et al. 2024)"
        self._data_dir: Path | None = None

    # ---- documents and prompts -------------------------------------------------------------
    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        self._data_dir = data_dir
        common = data.common_ids(data_dir)
        docs = []
        for p in data.load_problems(data_dir, self.lang):
            docs.append(Doc(id=str(p.id), data={
                "lang": p.lang, "id": p.id, "code": p.code, "input_template": p.input_template,
                "output_template": p.output_template, "common": p.id in common, "reliability": reliability(p, self.mode)}))
        return docs

    def prompt(self, problem: data.Problem) -> str:
        examples = data.load_examples(self.lang, self.mode)
        return _env.get_template(f"{self.mode}.j2").render(
            lang=self.lang, examples=examples, code=problem_text(problem, self.mode))

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        if "main" in state.outputs:
            return []
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling, prompt=self.prompt(problem_of(doc)))]

    # ---- scoring ---------------------------------------------------------------------------
    def answer_of(self, generation: str) -> str:
        return extract_answer_lenient(generation) if self.extraction == "lenient" else extract_answer(generation)

    def attempt(self, problem: data.Problem, generation: str) -> Attempt:
        answer = self.answer_of(generation)
        a = Attempt(answer=answer)
        if self.splice_guard:
            if self.lang == "py":
                a.rejected = python_splice_reason(answer, self.mode, ("candidate", "f"))
            else:
                a.rejected = splice_reason(self.lang, self.mode, answer)
        if a.rejected is None:
            a.program = to_program(problem, build_program_text(problem, self.mode, answer))
        return a

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        return self.score_all([(doc, state)], ctx)[0]

    def apply_options(self, options: dict[str, Any]) -> None:
        """Scoring options of the run (`splice_guard`, `extraction`) override the defaults; the
        effective values are what config() records."""
        if "splice_guard" in options:
            self.splice_guard = str(options["splice_guard"]).lower() not in ("0", "false", "no", "off")
        if options.get("extraction") in ("reference", "lenient"):
            self.extraction = options["extraction"]

    def score_all(self, items: list[tuple[Doc, DocState]], ctx: ScoringContext) -> list[SampleScore]:
        self.apply_options(ctx.options)
        per_doc = [[self.attempt(problem_of(doc), text) for text in state.texts("main")] for doc, state in items]
        run_attempts([a for attempts in per_doc for a in attempts], ctx)
        return [self._doc_score(doc, attempts) for (doc, _), attempts in zip(items, per_doc)]

    def _doc_score(self, doc: Doc, attempts: list[Attempt]) -> SampleScore:
        problem: data.Problem = problem_of(doc)
        broken = any(a.reason == "sandbox_error" for a in attempts)
        ok = bool(attempts) and not broken
        values: dict[str, float | None] = {}
        values.update(pass_values(attempts, include=ok))
        values.update(pass_values(attempts, ks=(1,), suffix="_common501", include=ok and doc.data["common"]))
        values.update(pass_values(attempts, ks=(1,), suffix="_stable", include=ok and doc.data["reliability"] == "ok"))
        values["sandbox_error"] = 1.0 if broken else 0.0
        record: dict[str, Any] = {"samples": [a.as_record() for a in attempts], "id": problem.id}
        found = defects(problem, self.mode)
        if found:
            record["data_defects"] = found
        return SampleScore(doc_id=doc.id, values=values, record=record,
                           groups={"language": self.lang, "mode": self.mode,
                                   "reliability": doc.data["reliability"],
                                   "common501": "yes" if doc.data["common"] else "no"})

    # ---- provenance and checks -------------------------------------------------------------
    def prompt_sources(self) -> list[str]:
        sources = [(PROMPTS / f"{self.mode}.j2").read_text()]
        sources.append((data.FEWSHOT_DIR / f"{self.lang}.json").read_text())
        return sources

    def data_files(self, data_dir: Path | None) -> list[Path]:
        return [p for p in data.problem_files(data_dir, self.lang) if p.exists()]

    def config(self) -> dict[str, Any]:
        return {"language": self.lang, "mode": self.mode, "splice_guard": self.splice_guard,
                "extraction": self.extraction, "common_ids": len(data.common_ids(self._data_dir)),
                "reference": "CRUXEVAL-X/cruxeval-x@5c005eb (inference/infer_vllm.py, prompt.py)"}

    def reference_programs(self, docs: list[Doc]):
        """(doc id, program) pairs of the data's own programs, for `harness sandbox check`."""
        return [(d.id, reference_program(problem_of(d))) for d in docs]

    def known_issues(self, docs: list[Doc]) -> dict[str, str]:
        """Doc ids whose reference program is listed as flaky or defective, with why."""
        out = {}
        for d in docs:
            if d.data["reliability"] != "ok":
                p = problem_of(d)
                status = reference_status()
                why = (status.get("failing", {}).get(p.lang, {}).get(str(p.id))
                       or status.get("vacuous", {}).get(p.lang, {}).get(str(p.id)))
                found = defects(p, self.mode)
                out[d.id] = d.data["reliability"] + (f": {why}" if why else f": {', '.join(found)}" if found else "")
        return out

    def vacuous_programs(self, docs: list[Doc]):
        """Output mode: each test program with the next problem's (different) gold output in the
        slot. One that passes has a vacuous test: it accepts a wrong answer."""
        problems = [problem_of(d) for d in docs]
        out = []
        for i, p in enumerate(problems):
            gold = p.gold("output")[0]
            wrong = next((q.gold("output")[0] for q in problems[i + 1:] + problems[:i]
                          if q.gold("output")[0].strip() != gold.strip()), None)
            if wrong is not None:
                out.append((str(p.id), to_program(p, build_program_text(p, "output", wrong))))
        return out

    def gold_programs(self, docs: list[Doc]):
        """(doc id, program) pairs of the test programs built from the gold answers, where the
        template matches `code` (the mismatches are data defects, listed in the README)."""
        out = []
        for d in docs:
            p = problem_of(d)
            if p.gold(self.mode)[1]:
                out.append((d.id, gold_program(p, self.mode)))
        return out
