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
    ("f(f(1))", "input", "not_a_value:Call"),
    ("f(__import__('os')._exit(0))", "input", "not_a_value:Call"),
    ("f(3)", "output", "not_a_value:Call"),
    ("1; 2", "output", "statements"),
    ("().__class__", "output", "not_a_value:Attribute"),
    ("x ==", "output", "not_parsed"),  # not a value: rejected (it would fail when run too)
    ("f([1, 2], 'a')", "input", None),
    ("f(text='a', n=-1)", "input", None),
    ("{'a': [1, (2, 3)], 'b': None}", "output", None),
    ("'-' * 3 + 'x'", "output", None),  # arithmetic binds tighter than ==
    ("[set(), frozenset({1}), float('inf')]", "output", None),
])
def test_python_guard(answer, mode, reason):
    assert python_splice_reason(answer, mode) == reason


@pytest.mark.parametrize("lang,mode,answer,accepted", [
    ("cpp", "output", "candidate({1, 2})", False),
    ("cpp", "output", "5 || true", False),
    ("cpp", "output", "(5) == (5)", False),
    ("cpp", "input", "candidate(1) || true", False),
    ("cpp", "input", "candidate([](){ exit(0); return 1; }())", False),
    ("js", "input", "candidate(process.exit(0))", False),
    ("js", "output", "[1, 2] // rest", False),
    ("ts", "output", "`${candidate}`", False),
    ("java", "output", "f(x)", False),
    ("java", "output", "\\u0022a\\u0022", True),  # decoded as javac does: "a"
    ("cs", "input", "F(1).Equals(1) || true", False),
    ("go", "output", 'fmt.Sprint(candidate("x"))', False),
    ("rs", "output", "vec![1]);\n    std::process::exit(0", False),
    ("sh", "output", "*", False),
    ("sh", "input", '$(candidate "a"; exit 0)', False),
    ("sh", "input", '$(candidate "$(exit 0)")', False),
    ("rkt", "output", "5 1e9", False),
    ("rkt", "output", "5;", False),
    ("rb", "input", "candidate.call(1) { }", False),
    ("rb", "output", '"#{exit}"', False),
    ("pl", "input", "$candidate->(1), exit(0)", False),
    ("lua", "output", "{1, 2} -- c", False),
    ("lua", "output", "os.exit(0)", False),
    ("r", "output", "c(1) | TRUE", False),
    ("php", "output", "array(1) or true", False),
    ("jl", "output", '"$(exit(0))"', False),
    ("d", "input", '["x": 5L, "y": 12L].nullable', False),
    ("swift", "input", "f(nums: [1, 2])", True),
    ("rkt", "output", "(list 5 12)", True),
    ("rkt", "output", "#t", True),
    ("rkt", "output", "'(exit 0)", True),  # quoted: a list of a symbol and 0, nothing runs
    ("sh", "output", '"4 1\n2 3"', True),
    ("cs", "output", '("5000   $")', True),
    ("d", "input", 'candidate(["x": 5L, "y": 12L].nullable)', True),
])
def test_literal_guard(lang, mode, answer, accepted):
    reason = splice_reason(lang, mode, answer)
    assert (reason is None) == accepted, reason


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_gold_answers_are_never_rejected(fixture_dir, lang):
    for p in load_problems(fixture_dir, lang):
        for mode in ("input", "output"):
            gold, exact = p.gold(mode)
            if exact:
                task = CruxEvalXTask(lang, mode)
                assert task.attempt(p, f"[ANSWER]\n{gold}\n").rejected is None, (lang, p.id, mode, gold)


#: the one gold answer the guard rejects: Perl 199's string holds `$$@##`, which
#: tree-sitter-perl does not parse (a string that interpolates the pid `$$`; both modes)
UNPARSED_GOLD = {("pl", 199, "input"), ("pl", 199, "output")}


@pytest.mark.needs_shared_data
def test_no_real_gold_answer_is_rejected(data_dir):
    """Every gold answer of the released data (13,459 x 2) passes the guard but Perl 199's."""
    rejected = set()
    for lang in LANGUAGE_CODES:
        for p in load_problems(data_dir, lang):
            for mode in ("input", "output"):
                gold, exact = p.gold(mode)
                if not exact:
                    continue
                why = (python_splice_reason(gold, mode, ("candidate", "f")) if lang == "py"
                       else splice_reason(lang, mode, gold))
                if why is not None:
                    rejected.add((lang, p.id, mode))
    assert rejected == UNPARSED_GOLD


def test_guard_is_switchable_and_recorded(fixture_dir):
    p = load_problems(fixture_dir, "cpp")[0]
    cheat = "[ANSWER]\ncandidate(x) || true\n"
    on, off = CruxEvalXTask("cpp", "input"), CruxEvalXTask("cpp", "input", splice_guard=False)
    assert on.attempt(p, cheat).rejected == "not_a_single_call" and on.attempt(p, cheat).program is None
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
