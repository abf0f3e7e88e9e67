"""What CRUXEval-X needs to know about each of its 19 languages.

`test_starts` are the markers where a program's test harness begins (the reference splits `code`
at the first one found, in this order, and appends the test template); `call` is the call shape
an input answer replaces (`candidate(????)` and friends). Both follow the reference inference
code of CRUXEVAL-X/cruxeval-x (inference/untils.py); Python has no call entry there, and its
templates use `candidate(????)`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CruxLanguage:
    code: str  # the data's language code, also the fence tag and the name used in the prompt
    title: str
    test_starts: tuple[str, ...]
    call: str  # what an input answer replaces, with ???? where the arguments go
    #: identifiers that name the function under test in this language's test harness
    fn_names: tuple[str, ...] = ("candidate", "f")

    @property
    def call_head(self) -> str:
        return self.call.split("????")[0]


LANGUAGES: dict[str, CruxLanguage] = {
    lang.code: lang
    for lang in [
        CruxLanguage("cpp", "C++", ("}\nint main()", "}\n\nint main()"), "candidate(????)"),
        CruxLanguage("cs", "C#", ("    }\n    public static void Main", "    }\n\n    public static void Main"),
                     "F(????)", ("F",)),
        CruxLanguage("d", "D", ("unittest",), "candidate(????)"),
        CruxLanguage("go", "Go", ("func TestF(t *testing.T)",), "candidate(????)"),
        CruxLanguage("java", "Java", ("    }\n    public static void main", "    }\n\n    public static void main"),
                     "f(????)", ("f",)),
        CruxLanguage("jl", "Julia", ("using Test",), "candidate(????)"),
        CruxLanguage("js", "JavaScript", ("const assert",), "candidate(????)"),
        CruxLanguage("lua", "Lua", ("lu = require('luaunit')",), "candidate(????)"),
        CruxLanguage("php", "PHP", ("function candidate(...$args)",), "candidate(????)"),
        CruxLanguage("pl", "Perl", ("use Test::Deep;",), "$candidate->(????)"),
        CruxLanguage("py", "Python", ("def check(candidate):",), "candidate(????)"),
        CruxLanguage("r", "R", ("test_humaneval",), "candidate(????)"),
        CruxLanguage("rb", "Ruby", ("require 'test/unit'",), "candidate.call(????)"),
        CruxLanguage("rkt", "Racket", ("(require rackunit)\n\n(define (test-humaneval)",
                                       "(require rackunit)\n(define (test-humaneval)"), "(candidate ????)"),
        CruxLanguage("rs", "Rust", ("}\n\nfn main()", "}\nfn main()", "}\n\n\nfn main()"), "candidate(????)"),
        CruxLanguage("scala", "Scala", ("    }\n    def main", "    }\n\n    def main"), "f(????)", ("f",)),
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
