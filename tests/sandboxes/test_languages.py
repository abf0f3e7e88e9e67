"""Per-language smoke tests: a passing and a failing tiny program in every available language,
in each sandbox kind. The failing ones probe the traps: Java's -ea, C#'s DEBUG (mono exits 0 on a
failed Debug.Assert), rackunit's exit 0, go test's exit status, asserts not compiled out."""

from __future__ import annotations

import pytest

from sandboxes import LANGUAGES, Program, Reason


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_pass_and_fail(sandbox, smoke_programs, need, language):
    need(sandbox, language)
    template = smoke_programs[language]
    good, bad = sandbox.run_many([Program(language, {"main": template.replace("EXPECTED", "2")}),
                                  Program(language, {"main": template.replace("EXPECTED", "3")})])
    assert good.passed and good.reason is Reason.OK, good
    assert not bad.passed and bad.reason is Reason.RUNTIME_ERROR, bad


@pytest.mark.parametrize("language", ["cpp", "java", "ts", "scala", "go", "rs"])
def test_compile_error_is_reported(sandbox, smoke_programs, need, language):
    need(sandbox, language)
    broken = smoke_programs[language].replace("EXPECTED", "2").replace("x + 1", "x + )")
    verdict = sandbox.run(Program(language, {"main": broken}))
    assert not verdict.passed and verdict.reason is Reason.COMPILE_ERROR, verdict
