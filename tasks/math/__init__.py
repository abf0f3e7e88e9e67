"""MATH (Hendrycks et al. 2021): MATH-500 and the full 5,000-problem test set."""

from pathlib import Path

from harness.data import DataSource, HubSource
from harness.registry import register, register_group
from harness.requests import SamplingParams
from harness.template_task import TemplateTask, register_scorer
from tasks.math.scorer import grading_config, score_math

HERE = Path(__file__).parent
PROMPT = (HERE / "prompts" / "zero_shot.j2").read_text()
SAMPLING = SamplingParams(temperature=0.0, max_tokens=1024)
VERSION = "1"
# 2: the last \boxed{} (not every box), no last-number fallback, CPU-time limits (issue 19)
SCORER_VERSION = "2"

register_scorer("math", score_math)


def math500() -> TemplateTask:
    return TemplateTask(
        name="math500", version=VERSION, template=PROMPT, scorer=score_math, fmt="chat",
        scorer_version=SCORER_VERSION,
        id_field="unique_id", group_fields=("subject", "level"), sampling=SAMPLING, config=grading_config(),
        description="MATH-500 (PRM800K split), zero-shot chain of thought, \\boxed{} answers",
        source=DataSource(local="math/math500.jsonl", bundled=HERE / "data" / "math500.jsonl",
                          hub=HubSource("HuggingFaceH4/MATH-500", revision="main", split="test")),
    )


def math_full() -> TemplateTask:
    return TemplateTask(
        name="math", version=VERSION, template=PROMPT, scorer=score_math, fmt="chat",
        scorer_version=SCORER_VERSION,
        id_field="unique_id", group_fields=("subject", "level"), sampling=SAMPLING, config=grading_config(),
        description="MATH test set, all 5,000 problems, zero-shot chain of thought",
        source=DataSource(local="math/math_test5000.jsonl"),
    )


register("math500", math500)
register("math", math_full)
register_group("math-all", lambda: ["math500", "math"])
