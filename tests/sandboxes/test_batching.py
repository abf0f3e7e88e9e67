"""Batched compiles give the verdicts one-by-one compiles give, program by program."""

from __future__ import annotations

import pytest

from sandboxes import Program, Reason
from sandboxes.batching import pch_applies


@pytest.mark.parametrize("language", ["java", "scala", "ts", "cpp"])
def test_batched_verdicts_equal_single_verdicts(sandbox, smoke_programs, need, language):
    need(sandbox, language)
    template = smoke_programs[language]
    programs = [Program(language, {"main": template.replace("EXPECTED", str(e))}) for e in (2, 3)]
    programs.append(Program(language, {"main": template.replace("EXPECTED", "2").replace("x + 1", "x +")}))
    batched = sandbox.run_many(programs)
    single = [sandbox.run(p) for p in programs]
    assert [v.reason for v in batched] == [v.reason for v in single]
    assert [v.reason for v in batched] == [Reason.OK, Reason.RUNTIME_ERROR, Reason.COMPILE_ERROR]
    if language != "cpp":
        assert all(v.meta.get("batched") for v in batched)


def test_pch_only_for_standard_include_prologues():
    assert pch_applies("#include<assert.h>\n#include<bits/stdc++.h>\nint main(){}")
    assert not pch_applies("#define int long long\n#include<bits/stdc++.h>\nint main(){}")
    assert not pch_applies("#include<vector>\nint main(){}")


def test_typescript_batch_checks_the_libs_where_a_program_can_change_them(sandbox, smoke_programs, need):
    """The batch skips re-checking the lib .d.ts files only for scripts that declare no lib global
    name; a program colliding with one (`name` is a DOM global) gets its errors, in the lib file
    too, as a lone tsc run does; a module is checked in full and compiles (node, running CommonJS,
    then fails on its `export`)."""
    need(sandbox, "ts")
    good = smoke_programs["ts"].replace("EXPECTED", "2")
    programs = [Program("ts", {"main": text}) for text in (
        good,
        "const name = 1;\n" + good,                       # collides with lib.dom's `name`
        good + "\nexport {};\n",                           # a module: full check; node then rejects `export`
        'let typo: number = "one";\n' + good,              # an error in the program itself
    )]
    batched = sandbox.run_many(programs)
    single = [sandbox.run(p) for p in programs]
    assert [v.reason for v in batched] == [Reason.OK, Reason.COMPILE_ERROR, Reason.RUNTIME_ERROR, Reason.COMPILE_ERROR]
    assert [v.reason for v in single] == [v.reason for v in batched]
    assert "lib.dom.d.ts" in batched[1].stdout + batched[1].stderr  # the lib side of the collision
    assert all(v.meta.get("batched") for v in batched)
