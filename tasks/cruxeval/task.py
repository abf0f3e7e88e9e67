"""The original Python CRUXEval (Gu et al. 2024): `cruxeval-input`, `cruxeval-output` and their
chain-of-thought variants, with the reference protocol of facebookresearch/cruxeval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

from harness.errors import DataMissing
from harness.paths import data_root
from harness.requests import Request, SamplingParams
from harness.task import Doc, DocState, SampleScore, ScoringContext, Task
from sandboxes.base import Limits, Program
from tasks.cruxeval.execution import Attempt, pass_values, run_attempts
from tasks.cruxeval.guards import python_splice_reason

HUB_ID = "cruxeval-org/cruxeval"
PROMPTS = Path(__file__).parent / "prompts"
#: the reference runs each check with a 3 s limit (evaluation/utils_execute.py)
RUN_LIMITS = Limits(timeout_s=3.0)
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PROMPTS)), keep_trailing_newline=True,
                          undefined=jinja2.StrictUndefined, autoescape=False)


def data_file(data_dir: Path | str | None) -> Path | None:
    root = data_root(data_dir)
    if root is None:
        return None
    for cand in (root / "cruxeval" / "cruxeval.jsonl", root / "cruxeval.jsonl"):
        if cand.exists():
            return cand
    return None


def load_rows(data_dir: Path | str | None) -> list[dict[str, str]]:
    path = data_file(data_dir)
    if path is not None:
        rows = []
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    row = json.loads(line)
                    rows.append({k: row[k] for k in ("id", "code", "input", "output")})
                except (ValueError, KeyError) as e:
                    raise DataMissing(f"{path}:{n} is not a CRUXEval row ({e})",
                                      "restore data/cruxeval.jsonl from facebookresearch/cruxeval") from None
        return rows
    try:
        import datasets

        ds = datasets.load_dataset(HUB_ID, split="test")
    except Exception as e:
        raise DataMissing(f"CRUXEval data is neither local nor loadable from the hub ({e})",
                          "put cruxeval.jsonl under <data>/cruxeval/ or pass --data-dir") from None
    return [{k: r[k] for k in ("id", "code", "input", "output")} for r in ds]


def extract(generation: str, mode: str, cot: bool) -> str:
    """The reference postprocessing (inference/tasks/{input,output}_prediction.py)."""
    g = generation.split("[/ANSWER]", 1)[0]  # a no-op when the backend honoured the stop
    if cot and "[ANSWER]" in g:
        g = g.split("[ANSWER]")[1].strip()
    if mode == "input":
        if "==" in g:
            g = g.split("==")[0].strip()
        if "assert" in g:
            g = g.split("assert")[1].strip()
    elif "==" in g:
        g = g.split("==")[1].strip()
    return g.strip()


def reference_rejects(answer: str, row: dict[str, str], mode: str) -> bool:
    """The reference's own checks (evaluation/utils_general.py): scored False without running."""
    if mode == "input":
        return "f(" not in answer
    return f"f({row['input']})" in answer


def check_program(row: dict[str, str], answer: str) -> str:
    """`code`, then `assert <output> == <answer>` (the answer is `f(...)` in input mode)."""
    return f"{row['code']}\nassert {row['output']} == {answer}"


def check(row: dict[str, str], answer: str) -> Program:
    """The check program as the sandbox runs it: the completion proof after the assert, so it
    passes only if it gets there (sandboxes/judge.py)."""
    from sandboxes.languages import with_proof

    text = check_program(row, answer)
    return Program(language="py", files={"main.py": with_proof("py", text, len(text))},
                   limits=RUN_LIMITS, proof=True)


class CruxEvalTask(Task):
    version = "1"
    scorer_version = "2"  # 2: answers must be values; a program proves it reached the end (issue 13)

    def __init__(self, mode: str, cot: bool = False, splice_guard: bool = True):
        if mode not in ("input", "output"):
            raise ValueError(f"bad CRUXEval mode {mode!r}")
        self.mode, self.cot, self.splice_guard = mode, cot, splice_guard
        self.name = f"cruxeval-{mode}" + ("-cot" if cot else "")
        self.description = f"CRUXEval-{'I' if mode == 'input' else 'O'}{' with CoT' if cot else ''} (Gu et al. 2024)"
        # the paper's protocol: 10 samples at T=0.2 (top-p 0.95), pass@1 and pass@5
        self.default_sampling = SamplingParams(temperature=0.2, top_p=0.95, n=10, stop=("[/ANSWER]",),
                                               max_tokens=1024 if cot else 512)

    def template_name(self) -> str:
        return f"{self.mode}{'_cot' if self.cot else ''}.j2"

    def load_docs(self, data_dir: Path | None) -> list[Doc]:
        return [Doc(id=r["id"], data=r) for r in load_rows(data_dir)]

    def prompt(self, row: dict[str, str]) -> str:
        return _env.get_template(self.template_name()).render(code=row["code"], input=row["input"], output=row["output"])

    def next_requests(self, doc: Doc, state: DocState, sampling: SamplingParams) -> list[Request]:
        if "main" in state.outputs:
            return []
        return [Request(task=self.name, doc_id=doc.id, sampling=sampling, prompt=self.prompt(doc.data))]

    def attempt(self, row: dict[str, str], generation: str) -> Attempt:
        answer = extract(generation, self.mode, self.cot)
        a = Attempt(answer=answer)
        if reference_rejects(answer, row, self.mode):
            a.rejected = "reference_check"
        elif self.splice_guard:
            a.rejected = python_splice_reason(answer, self.mode, ("f",))
        if a.rejected is None:
            a.program = check(row, answer)
        return a

    def score(self, doc: Doc, state: DocState, ctx: ScoringContext) -> SampleScore:
        return self.score_all([(doc, state)], ctx)[0]

    def score_all(self, items: list[tuple[Doc, DocState]], ctx: ScoringContext) -> list[SampleScore]:
        if "splice_guard" in ctx.options:  # a run's scoring option overrides; config() records it
            self.splice_guard = str(ctx.options["splice_guard"]).lower() not in ("0", "false", "no", "off")
        per_doc = [[self.attempt(doc.data, t) for t in state.texts("main")] for doc, state in items]
        run_attempts([a for attempts in per_doc for a in attempts], ctx)
        out = []
        for (doc, _), attempts in zip(items, per_doc):
            broken = any(a.reason == "sandbox_error" for a in attempts)
            values = pass_values(attempts, include=bool(attempts) and not broken)
            values["sandbox_error"] = 1.0 if broken else 0.0
            out.append(SampleScore(doc_id=doc.id, values=values, groups={"mode": self.mode},
                                   record={"samples": [a.as_record() for a in attempts]}))
        return out

    def prompt_sources(self) -> list[str]:
        return [(PROMPTS / self.template_name()).read_text()]

    def data_files(self, data_dir: Path | None) -> list[Path]:
        p = data_file(data_dir)
        return [p] if p else []

    def config(self) -> dict[str, Any]:
        return {"mode": self.mode, "cot": self.cot, "splice_guard": self.splice_guard,
                "timeout_s": RUN_LIMITS.timeout_s,
                "reference": "facebookresearch/cruxeval@190faf1 (prompts.py, evaluation/)"}

    def reference_programs(self, docs: list[Doc]):
        """(doc id, program) pairs: each problem's own check with the gold input and output."""
        return [(d.id, check(d.data, f"f({d.data['input']})")) for d in docs]
