"""Is this text a value (a literal) in a language, or one call of a named function with values as
arguments? Real parsers only: Python's `ast`; tree-sitter grammars (one PyPI wheel per language)
for C++, C#, Go, Java, JavaScript, TypeScript, Lua, Perl, PHP, Ruby, Rust, Scala, Bash, Julia and
Swift; hand-written tokenizers and value grammars for D, R and Racket. Whitelists, not deny-lists:
whatever is not known to be a value is rejected. Knows nothing of tasks.

    value_problem("java", '(new ArrayList<Long>(Arrays.asList(1l)))')   # None: a value
    value_problem("java", '1l) || true || (1l')                         # 'not_parsed'
    call_problem("rb", 'candidate.call(1, "a")', "candidate.call(", ("candidate",))

The text checked is what the compiler lexes (`decode`): Java's and Scala's unicode escapes are
decoded first (`\\u0022` is a quote to javac), C++ line splices joined.
"""

from __future__ import annotations

import re

from . import handwritten, python, trees

_HANDWRITTEN = {"d", "r", "rkt"}
_UNICODE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u+([0-9A-Fa-f]{4})")


def decode(language: str, text: str) -> str:
    """The text as the language's lexer sees it."""
    if language in ("java", "scala"):
        # JLS 3.3: a backslash preceded by an even number of backslashes, one or more `u`, 4 hex
        # digits; one pass, as javac (a decoded backslash starts no new escape)
        text = _UNICODE_ESCAPE.sub(lambda m: m.group(1) + chr(int(m.group(2), 16)), text)
    if language == "cpp":
        text = text.replace("\\\r\n", "").replace("\\\n", "")
    return text


def value_problem(language: str, text: str, fn_names: tuple[str, ...] = ()) -> str | None:
    """None when `text` is one value of `language` (not naming a function in fn_names), else a
    short reason."""
    text = decode(language, text.strip())
    if not text:
        return "empty"
    if language == "py":
        return python.value_problem(text)
    if language in _HANDWRITTEN:
        return handwritten.value_problem(language, text)
    return trees.value_problem(language, text, fn_names)


def call_problem(language: str, text: str, head: str, fn_names: tuple[str, ...]) -> str | None:
    """None when `text` is one call that starts with `head` (e.g. `candidate(`), names a function
    in fn_names exactly once, and has values as arguments; else a short reason."""
    text = decode(language, text.strip())
    if language == "py":
        return python.call_problem(text, fn_names)
    if language in _HANDWRITTEN:
        return handwritten.call_problem(language, text, head, fn_names)
    return trees.call_problem(language, text, head, fn_names)
