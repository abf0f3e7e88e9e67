"""Test programs and answers, built exactly as the reference inference script builds them
(CRUXEVAL-X/cruxeval-x, inference/infer_vllm.py).

The reference takes the problem's code block back out of the prompt (`split("```<lang>")[-1]`),
drops every ``` in it (this also removes the stray fences some PHP and Racket programs carry),
and replaces the slot: `????` in output mode, the call `candidate(????)` (per language) in input
mode, every occurrence, by the model's answer.
"""

from __future__ import annotations

from sandboxes.base import Program
from tasks.cruxeval_x.data import MARKER, Problem


def problem_text(problem: Problem, mode: str) -> str:
    """The code shown in the prompt: the function, then the test with its slot."""
    template = problem.input_template if mode == "input" else problem.output_template
    return problem.head + template


def slot(problem: Problem, mode: str) -> str:
    return problem.language.call if mode == "input" else MARKER


def build_program_text(problem: Problem, mode: str, answer: str) -> str:
    shown = problem_text(problem, mode)
    fence = f"```{problem.lang}"
    # as the reference: the text after the last ```<lang> of the prompt, which ends "```\n"
    code = (f"{fence}\n{shown}\n```\n").split(fence)[-1].replace("```", "")
    return code.replace(slot(problem, mode), answer)


def extract_answer(generation: str) -> str:
    """The reference's extraction: drop the [ANSWER] tag, strip (generation stops at [/ANSWER])."""
    text = generation.split("[/ANSWER]", 1)[0]
    return text.replace("[ANSWER]", "").strip()


def extract_answer_lenient(generation: str) -> str:
    """Our alternative for chatty models: the text between the last [ANSWER] and [/ANSWER], with
    a code fence around it removed."""
    text = generation.split("[/ANSWER]", 1)[0]
    if "[ANSWER]" in text:
        text = text.rsplit("[ANSWER]", 1)[1]
    text = text.strip()
    if text.startswith("```"):  # ```lang\n...\n```
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text.strip()


def to_program(problem: Problem, text: str) -> Program:
    """The program the sandbox runs: with the completion proof after the test's check, so it
    passes only if it gets there (sandboxes/judge.py)."""
    from sandboxes.languages import get_language, with_proof

    spec = get_language(problem.lang)
    at = problem.language.proof_offset(text)
    if at is None:
        return Program(language=spec.key, files={spec.source_file: text})
    return Program(language=spec.key, files={spec.source_file: with_proof(spec.key, text, at)}, proof=True)


def reference_program(problem: Problem) -> Program:
    """The data's own program (`code`), for `harness sandbox check`."""
    return to_program(problem, problem.code)


def gold_program(problem: Problem, mode: str) -> Program:
    """The test program built from the gold answer: must pass wherever `code` passes."""
    return to_program(problem, build_program_text(problem, mode, problem.gold(mode)[0]))
