"""Prompts: CRUXEval-X's few-shot prompts per language and CRUXEval's four prompt kinds, checked
against an independent assembly of the reference format on real rows."""

from __future__ import annotations

import json

import pytest

from harness.registry import resolve
from tasks.cruxeval.task import CruxEvalTask
from tasks.cruxeval_x.data import FEWSHOT_DIR, load_problems
from tasks.cruxeval_x.languages import LANGUAGE_CODES, LANGUAGES
from tasks.cruxeval_x.task import CruxEvalXTask, problem_of

INPUT_INSTRUCTION = ("You will be given a {lang} function f and a check function, where you only know the output of "
                     "the test case. Find any input such that executing f on the input leads to the given output. "
                     "There may be multiple answers, but you should only output one. Think step by step before "
                     "arriving at an answer. Finally, surround the answer, with no additional words, with [ANSWER] "
                     "and [/ANSWER] tags. Express your answer as a function call that when executed will give the "
                     "output.")
OUTPUT_INSTRUCTION = ('Based on the given code, which may contain errors, complete the "????" in assert statement with '
                      "the output when executing the {lang} code on the given test case. Do NOT output any extra "
                      "information, even if the function is incorrect or incomplete. Do NOT output a description "
                      "for the assert.")


def expected_prompt(lang: str, mode: str, code: str) -> str:
    """The reference layout, assembled by hand: instruction, blank line, three fenced examples
    each followed by its [ANSWER] block, then the problem in a fence."""
    spec = LANGUAGES[lang]
    parts = []
    for ex in json.loads((FEWSHOT_DIR / f"{lang}.json").read_text()):
        marker = next(m for m in spec.test_starts if m in ex["code"])
        shown = ex["code"].split(marker)[0] + ex[f"{mode}_reasoning"]
        parts.append(f"```{lang}\n{shown.strip()}\n```\n[ANSWER]\n{ex[mode + 's']}\n[/ANSWER]\n")
    instruction = (INPUT_INSTRUCTION if mode == "input" else OUTPUT_INSTRUCTION).format(lang=lang)
    return f"{instruction}\n\n{''.join(parts).rstrip()}\n```{lang}\n{code}\n```\n"


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
@pytest.mark.parametrize("mode", ["input", "output"])
def test_cruxeval_x_prompt_matches_reference_layout(fixture_dir, lang, mode):
    task = CruxEvalXTask(lang, mode)
    docs = task.load_docs(fixture_dir)
    assert docs, f"no fixture rows for {lang}"
    for doc in docs:
        p = problem_of(doc)
        template = p.input_template if mode == "input" else p.output_template
        shown = p.code.split(next(m for m in LANGUAGES[lang].test_starts if m in p.code))[0] + template
        prompt = task.example_request(doc).prompt
        assert prompt == expected_prompt(lang, mode, shown)
        assert prompt.count("\n[ANSWER]\n") == 3 and prompt.count("```" + lang) == 4
        slot = LANGUAGES[lang].call if mode == "input" else "????"
        assert slot in prompt.rsplit("```" + lang, 1)[1]


def test_cruxeval_x_requests_are_greedy_and_stop_at_answer_tag(fixture_dir):
    task = resolve("cruxeval-x-input-java")[0]
    req = task.example_request(task.load_docs(fixture_dir)[0])
    assert req.sampling.temperature == 0.0 and req.sampling.n == 1
    assert req.sampling.stop == ("[/ANSWER]",) and req.sampling.max_tokens == 512
    assert req.prompt.endswith("```\n") and req.task == "cruxeval-x-input-java"


def test_task_names_and_groups():
    names = [t.name for t in resolve("cruxeval-x")]
    assert len(names) == 38 and "cruxeval-x-output-rkt" in names and "cruxeval-x-input-sh" in names
    assert {t.name for t in resolve("cruxeval-x-input")} == {f"cruxeval-x-input-{l}" for l in LANGUAGE_CODES}
    assert [t.name for t in resolve("cruxeval-input,cruxeval-output")] == ["cruxeval-input", "cruxeval-output"]


def test_cruxeval_output_prompt(fixture_dir):
    task = CruxEvalTask("output")
    doc = task.load_docs(fixture_dir)[0]
    prompt = task.example_request(doc).prompt
    assert prompt.startswith("You are given a Python function and an assertion containing an input")
    assert prompt.endswith(f"[PYTHON]\n{doc.data['code']}\nassert f({doc.data['input']}) == ??\n[/PYTHON]\n[ANSWER]\n")
    assert 'assert f("x9j") == "x9ja"' in prompt and "[THOUGHT]" not in prompt


def test_cruxeval_input_prompt_and_cot(fixture_dir):
    doc = CruxEvalTask("input").load_docs(fixture_dir)[3]
    direct = CruxEvalTask("input").prompt(doc.data)
    assert direct.endswith(f"{doc.data['code']}\nassert f(??) == {doc.data['output']}\n[/PYTHON]\n[ANSWER]\n")
    cot = CruxEvalTask("input", cot=True).prompt(doc.data)
    assert cot.endswith(f"assert f(??) == {doc.data['output']}\n[/PYTHON]\n[THOUGHT]\n")
    assert "the value of ?? should be 16" in cot


def test_cruxeval_default_sampling_is_the_papers():
    s = CruxEvalTask("input").sampling(__import__("harness.task", fromlist=["RunSettings"]).RunSettings())
    assert (s.n, s.temperature, s.top_p, s.stop) == (10, 0.2, 0.95, ("[/ANSWER]",))


@pytest.mark.needs_shared_data
def test_every_real_row_yields_a_prompt(data_dir):
    for lang in LANGUAGE_CODES:
        for mode in ("input", "output"):
            task = CruxEvalXTask(lang, mode)
            problems = load_problems(data_dir, lang)
            first, last = problems[0], problems[-1]
            for p in (first, last):
                prompt = task.prompt(p)
                assert prompt.endswith("\n```\n") and (LANGUAGES[lang].call if mode == "input" else "????") in prompt
