"""Test programs: the program built from the gold answer is the data's own program (so it has
`code`'s semantics), for every language, both modes; data defects are found and named."""

from __future__ import annotations

import pytest

from tasks.cruxeval_x.data import common_ids, known_defects, load_problems
from tasks.cruxeval_x.languages import LANGUAGE_CODES, LANGUAGES
from tasks.cruxeval_x.programs import build_program_text, problem_text

# The templates that differ from the test in `code` (found by scanning the released data).
TEMPLATE_MISMATCH = {
    ("d", "output"): {116, 203, 270, 341, 396, 402, 467, 609, 746},
    ("jl", "output"): {116, 270, 341, 396, 467, 503, 533, 609, 746},
    ("jl", "input"): {116, 203, 224, 270, 341, 396, 402, 467, 577, 609, 746},
}
PHP_WITHOUT_OPEN_TAG = {33, 85, 130, 131, 149, 202, 469, 484, 491, 556, 572, 581, 748}
# 7 start with the translator's prose ("The error is due to ..."), 3 with a bare `func` (no package clause)
GO_WITHOUT_PACKAGE = {6, 38, 112, 167, 175, 182, 288, 599, 687, 712}


def same_program(problem, mode: str) -> bool:
    gold, exact = problem.gold(mode)
    built = build_program_text(problem, mode, gold)
    # the reference wraps the code in newlines and drops every ``` (see programs.py)
    return exact and built == "\n" + problem.code.replace("```", "") + "\n\n"


@pytest.mark.parametrize("lang", LANGUAGE_CODES)
def test_gold_answer_rebuilds_the_reference_program(fixture_dir, lang):
    for p in load_problems(fixture_dir, lang):
        for mode in ("input", "output"):
            if p.id in TEMPLATE_MISMATCH.get((lang, mode), ()):
                assert not p.gold(mode)[1] and f"{mode}_template_mismatch" in known_defects(p)
                continue
            assert same_program(p, mode), (lang, p.id, mode)
            gold = p.gold(mode)[0]
            if mode == "input":
                assert gold.startswith(LANGUAGES[lang].call_head)
            # the slot is what the prompt shows, and only the slot differs from code
            assert (LANGUAGES[lang].call if mode == "input" else "????") in problem_text(p, mode)


def test_input_answers_are_whole_calls(fixture_dir):
    swift = {p.id: p for p in load_problems(fixture_dir, "swift")}
    gold = swift[2].gold("input")[0]
    assert gold.startswith("f(") and ":" in gold.split("(", 1)[1]  # Swift keeps argument labels
    rkt = load_problems(fixture_dir, "rkt")[0].gold("input")[0]
    assert rkt.startswith("(candidate ") and rkt.endswith(")")
    sh = load_problems(fixture_dir, "sh")[0].gold("input")[0]
    assert sh.startswith("$(candidate ") and sh.endswith(")")


def test_template_mismatch_is_a_defect_only_in_its_mode(fixture_dir):
    from tasks.cruxeval_x.task import reliability

    d116 = next(p for p in load_problems(fixture_dir, "d") if p.id == 116)
    assert reliability(d116, "output") == "defect" and reliability(d116, "input") == "ok"


def test_known_defects_in_fixtures(fixture_dir):
    php = {p.id: p for p in load_problems(fixture_dir, "php")}
    assert "php_no_open_tag" in known_defects(php[33])
    rkt = {p.id: p for p in load_problems(fixture_dir, "rkt")}
    assert "stray_fence" in known_defects(rkt[13])
    assert "```" not in build_program_text(rkt[13], "output", "1")
    assert known_defects(rkt[2]) == []


@pytest.mark.needs_shared_data
def test_all_real_programs_rebuild_except_listed_defects(data_dir):
    """13,459 problems x 2 modes: the gold-substituted program is `code` itself, except the
    template mismatches listed above (and no others)."""
    counts = {}
    for lang in LANGUAGE_CODES:
        problems = load_problems(data_dir, lang)
        counts[lang] = len(problems)
        for mode in ("input", "output"):
            bad = {p.id for p in problems if not same_program(p, mode)}
            assert bad == TEMPLATE_MISMATCH.get((lang, mode), set()), (lang, mode, sorted(bad))
        if lang == "php":
            assert {p.id for p in problems if "php_no_open_tag" in known_defects(p)} == PHP_WITHOUT_OPEN_TAG
        if lang == "go":
            assert {p.id for p in problems if "go_no_package" in known_defects(p)} == GO_WITHOUT_PACKAGE
    assert sum(counts.values()) == 13459 and counts["py"] == 799 and counts["swift"] == 654
    assert len(common_ids(data_dir)) == 501


@pytest.mark.needs_shared_data
def test_reference_status_names_real_problems(data_dir):
    from tasks.cruxeval_x.task import reference_status, reliability

    status = reference_status()
    for kind in ("flaky", "failing", "vacuous"):
        for lang, ids in status[kind].items():
            assert lang in LANGUAGES, (kind, lang)
            known = {p.id: p for p in load_problems(data_dir, lang)}
            for i in ids:
                assert int(i) in known, (kind, lang, i)
                for mode in ("input", "output"):
                    assert reliability(known[int(i)], mode) == ("flaky" if kind == "flaky" else "defect")
