"""Answer extraction from real-looking model outputs, and the splice guard (a documented
deviation from the reference, switchable off)."""

from __future__ import annotations

import pytest

from tasks.cruxeval.guards import python_splice_reason
from tasks.cruxeval.task import CruxEvalTask, extract, reference_rejects
from tasks.cruxeval_x.data import load_problems
from tasks.cruxeval_x.guards import splice_reason
from tasks.cruxeval_x.languages import LANGUAGE_CODES
from tasks.cruxeval_x.programs import extract_answer, extract_answer_lenient
from tasks.cruxeval_x.task import CruxEvalXTask


def test_cruxeval_x_reference_extraction():
    # what a backend returns when it stops at [/ANSWER] (the stop string is not included)
    assert extract_answer("[ANSWER]\n(std::make_tuple(5, 12))\n") == "(std::make_tuple(5, 12))"
    assert extract_answer('\n[ANSWER]\ncandidate("ba", "nana")\n[/ANSWER]\n```cpp\nmore') == 'candidate("ba", "nana")'
    # the reference keeps any preamble: such answers fail, as they did there
    assert extract_answer("The output is [ANSWER] 3") == "The output is  3"
    assert extract_answer("") == ""


def test_cruxeval_x_lenient_extraction():
    assert extract_answer_lenient("The output is [ANSWER] 3") == "3"
    assert extract_answer_lenient("Sure.\n[ANSWER]\n```cpp\ncandidate(1)\n```\n") == "candidate(1)"
    assert extract_answer_lenient("[ANSWER]\n3\n[/ANSWER]") == "3"


def test_cruxeval_reference_postprocessing():
    assert extract('assert f("ba", "nana") == "banana"\n', "input", False) == 'f("ba", "nana")'
    assert extract("assert f(17) == 17\n", "output", False) == "17"
    assert extract(" [1, 2]\n", "output", False) == "[1, 2]"  # no assertion: the whole text
    cot = ("Let's execute the code step by step:\n1. ...\n[/THOUGHT]\n[ANSWER]\n"
           'assert f("hi") == "bhihia"\n')
    assert extract(cot, "output", True) == '"bhihia"'
    assert extract("We need 16.\n[/THOUGHT]\n[ANSWER]\nassert f(16) == 17\n", "input", True) == "f(16)"


def test_cruxeval_reference_rejections():
    row = {"input": "[1, 2]", "output": "3"}
    assert reference_rejects("[1, 2]", row, "input")  # no call of f
    assert reference_rejects("f([1, 2])", row, "output")  # calls f on the input
    assert not reference_rejects("f([2, 1])", row, "input")


@pytest.mark.parametrize("answer,mode,reason", [
    ("f(1) or True", "input", "not_a_single_call"),
    ("f(f(1))", "input", "calls_function_twice"),
    ("f(__import__('os')._exit(0))", "input", "forbidden_attribute:_exit"),
    ("f(3)", "output", "calls_function"),
    ("1; 2", "output", "statements"),
    ("().__class__", "output", "forbidden_attribute:__class__"),
    ("f([1, 2], 'a')", "input", None),
    ("{'a': [1, (2, 3)], 'b': None}", "output", None),
    ("x ==", "output", None),  # not code: left to fail when run
])
def test_python_guard(answer, mode, reason):
    assert python_splice_reason(answer, mode) == reason


@pytest.mark.parametrize("lang,mode,answer,reason", [
    ("cpp", "output", "candidate({1, 2})", "calls_function"),
    ("cpp", "output", "5 || true", "operator_outside_value"),
    ("cpp", "output", "(5) == (5)", "operator_outside_value"),
    ("cpp", "input", "candidate(1) || true", "code_after_call"),
    ("cpp", "input", "candidate([](){ exit(0); return 1; }())", "statement_separator"),
    ("js", "input", "candidate(process.exit(0))", "forbidden_name:process"),
    ("js", "output", "[1, 2] // rest", "comment"),
    ("ts", "output", "`${candidate}`", "string_interpolation"),
    ("java", "output", "f(x)", "calls_function"),
    ("cs", "input", "F(1).Equals(1) || true", "code_after_call"),
    ("go", "output", 'fmt.Sprint(candidate("x"))', "calls_function"),
    ("rs", "output", "vec![1]);\n    std::process::exit(0", "unbalanced_brackets"),
    ("sh", "output", "*", "glob_pattern"),
    ("sh", "input", '$(candidate "a"; exit 0)', "statement_separator"),
    ("sh", "input", '$(candidate "$(exit 0)")', "string_interpolation"),
    ("rkt", "output", "5 1e9", "extra_argument"),
    ("rkt", "output", "5;", "comment"),
    ("rb", "input", "candidate.call(1) { }", "code_after_call"),
    ("rb", "output", '"#{exit}"', "string_interpolation"),
    ("pl", "input", "$candidate->(1), exit(0)", "code_after_call"),
    ("lua", "output", "{1, 2} -- c", "comment"),
    ("lua", "output", "os.exit(0)", "forbidden_name:os"),
    ("r", "output", "c(1) | TRUE", "operator_outside_value"),
    ("php", "output", "array(1) or true", "operator_outside_value"),
    ("jl", "output", '"$(exit(0))"', "string_interpolation"),
    ("swift", "input", "f(nums: [1, 2])", None),
    ("rkt", "output", "(list 5 12)", None),
    ("rkt", "output", "#t", None),
    ("sh", "output", '"4 1\n2 3"', None),
    ("cs", "output", '("5000   $")', None),
    ("d", "input", '["x": 5L, "y": 12L].nullable', "not_a_call"),
])
def test_lexical_guard(lang, mode, answer, reason):
    assert splice_reason(lang, mode, answer) == reason


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_gold_answers_are_never_rejected(fixture_dir, lang):
    for p in load_problems(fixture_dir, lang):
        for mode in ("input", "output"):
            gold, exact = p.gold(mode)
            if exact:
                task = CruxEvalXTask(lang, mode)
                assert task.attempt(p, f"[ANSWER]\n{gold}\n").rejected is None, (lang, p.id, mode, gold)


@pytest.mark.needs_shared_data
def test_no_real_gold_answer_is_rejected(data_dir):
    """Every gold answer of the released data (13,459 x 2) passes the guard: no false positive."""
    for lang in LANGUAGE_CODES:
        for p in load_problems(data_dir, lang):
            for mode in ("input", "output"):
                gold, exact = p.gold(mode)
                if not exact:
                    continue
                why = (python_splice_reason(gold, mode, ("candidate", "f")) if lang == "py"
                       else splice_reason(lang, mode, gold))
                assert why is None, (lang, p.id, mode, gold, why)


def test_guard_is_switchable_and_recorded(fixture_dir):
    p = load_problems(fixture_dir, "cpp")[0]
    cheat = "[ANSWER]\ncandidate(x) || true\n"
    on, off = CruxEvalXTask("cpp", "input"), CruxEvalXTask("cpp", "input", splice_guard=False)
    assert on.attempt(p, cheat).rejected == "code_after_call" and on.attempt(p, cheat).program is None
    built = off.attempt(p, cheat)
    assert built.rejected is None and "assert(candidate(x) || true ==" in next(iter(built.program.files.values()))
    assert on.config()["splice_guard"] is True and off.config()["splice_guard"] is False
    assert CruxEvalTask("input", splice_guard=False).config()["splice_guard"] is False


def test_scoring_options_override_and_are_recorded():
    task = CruxEvalXTask("js", "output")
    task.apply_options({"splice_guard": "false", "extraction": "lenient"})
    assert task.config()["splice_guard"] is False and task.config()["extraction"] == "lenient"
    task.apply_options({"splice_guard": True})
    assert task.config()["splice_guard"] is True
