"""What CRUXEval-X needs to know about each of its 19 languages.

`test_starts` are the markers where a program's test harness begins (the reference splits `code`
at the first one found, in this order, and appends the test template); `call` is the call shape
an input answer replaces (`candidate(????)` and friends). Both follow the reference inference
code of CRUXEVAL-X/cruxeval-x (inference/untils.py); Python has no call entry there, and its
templates use `candidate(????)`.

`check_end` finds where the test's check has ended on every path that passes: the sandbox's
completion-proof statement goes there (sandboxes/judge.py). A regex matched against the end of
the program (the template's own tail, which no answer can change); "" means the end of the file.
Inside the function that runs the check where the program's end is not reached after it: C++,
Go and Rust `main`/`TestF`, Java, C# and Scala `main`, D's unittest, Lua's test function (LuaUnit
runs it, then `os.exit`), Ruby's test method (test/unit runs tests at exit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CruxLanguage:
    code: str  # the data's language code, also the fence tag and the name used in the prompt
    title: str
    test_starts: tuple[str, ...]
    call: str  # what an input answer replaces, with ???? where the arguments go
    #: identifiers that name the function under test in this language's test harness
    fn_names: tuple[str, ...] = ("candidate", "f")
    check_end: str = ""

    @property
    def call_head(self) -> str:
        return self.call.split("????")[0]

    def proof_offset(self, program: str) -> int | None:
        """Where the completion proof goes in this test program; None when its tail is not the
        test harness's (a data defect: the program then runs without the proof)."""
        if not self.check_end:
            return len(program)
        match = re.search(self.check_end + r"\Z", program)
        return match.start() if match else None


_LAST_BRACE = r"\}\s*"                  # main() / TestF's closing brace
_MAIN_IN_CLASS = r"\}\s*\}\s*"           # main's closing brace, then the class's

LANGUAGES: dict[str, CruxLanguage] = {
    lang.code: lang
    for lang in [
        CruxLanguage("cpp", "C++", ("}\nint main()", "}\n\nint main()"), "candidate(????)", check_end=_LAST_BRACE),
        CruxLanguage("cs", "C#", ("    }\n    public static void Main", "    }\n\n    public static void Main"),
                     "F(????)", ("F",), _MAIN_IN_CLASS),
        CruxLanguage("d", "D", ("unittest",), "candidate(????)", check_end=r"\}\s*(?:void\s+main\s*\(\s*\)\s*\{\s*\}\s*)?"),
        CruxLanguage("go", "Go", ("func TestF(t *testing.T)",), "candidate(????)", check_end=_LAST_BRACE),
        CruxLanguage("java", "Java", ("    }\n    public static void main", "    }\n\n    public static void main"),
                     "f(????)", ("f",), _MAIN_IN_CLASS),
        CruxLanguage("jl", "Julia", ("using Test",), "candidate(????)"),
        CruxLanguage("js", "JavaScript", ("const assert",), "candidate(????)"),
        CruxLanguage("lua", "Lua", ("lu = require('luaunit')",), "candidate(????)",
                     check_end=r"\bend\s*os\.exit\(\s*lu\.LuaUnit\.run\(\s*\)\s*\)\s*"),
        CruxLanguage("php", "PHP", ("function candidate(...$args)",), "candidate(????)"),
        CruxLanguage("pl", "Perl", ("use Test::Deep;",), "$candidate->(????)"),
        CruxLanguage("py", "Python", ("def check(candidate):",), "candidate(????)"),
        CruxLanguage("r", "R", ("test_humaneval",), "candidate(????)"),
        CruxLanguage("rb", "Ruby", ("require 'test/unit'",), "candidate.call(????)",
                     check_end=r"\bend\s*end\s*"),
        CruxLanguage("rkt", "Racket", ("(require rackunit)\n\n(define (test-humaneval)",
                                       "(require rackunit)\n(define (test-humaneval)"), "(candidate ????)"),
        CruxLanguage("rs", "Rust", ("}\n\nfn main()", "}\nfn main()", "}\n\n\nfn main()"), "candidate(????)",
                     check_end=_LAST_BRACE),
        CruxLanguage("scala", "Scala", ("    }\n    def main", "    }\n\n    def main"), "f(????)", ("f",),
                     _MAIN_IN_CLASS),
        CruxLanguage("sh", "Bash", ("}\n\ncandidate()", "}\ncandidate()", "}\n\n\ncandidate()"), "$(candidate ????)"),
        CruxLanguage("swift", "Swift", ("}\n\n\nfunc ==(left", "}\n\nfunc ==(left", "}\nfunc ==(left",
                                        "}\n\n\n\nfunc ==(left"), "f(????)", ("f",)),
        CruxLanguage("ts", "TypeScript", ("declare var require: any;",), "candidate(????)"),
    ]
}

LANGUAGE_CODES: list[str] = sorted(LANGUAGES)


def split_at_test(code: str, lang: CruxLanguage) -> str | None:
    """The part of `code` before its test harness (None when no marker is found)."""
    for marker in lang.test_starts:
        if marker in code:
            return code.split(marker)[0]
    return None
