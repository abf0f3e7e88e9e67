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
