"""The splice guard for CRUXEval-X answers in the 18 languages other than Python (Python answers
are parsed with `ast`, see tasks/cruxeval/guards.py).

An answer is pasted into a test program, so it can pass by being code: an output answer that calls
the function (`candidate(x)`), an input answer that closes the call and adds an operator or a
statement (`candidate(1) || true`), a comment that hides the rest of the line, a call to exit(0).
The reference checks none of this; rejecting it is our documented deviation (task option
`splice_guard`). Without a parser per language the check is lexical: string literals are blanked,
brackets must balance inside the answer, and a short list of separators, operators, comment
markers, string interpolations and process-exit names is refused. A real literal rarely trips it.
"""

from __future__ import annotations

import re

from tasks.cruxeval_x.languages import LANGUAGES

_SQ_STRINGS = {"cpp", "cs", "d", "go", "java", "js", "ts", "lua", "php", "pl", "r", "rb", "sh", "jl", "scala"}
_BACKTICK_STRINGS = {"go", "js", "ts", "d", "r"}
_TRIPLE_QUOTES = {"scala", "swift", "jl"}
_C_COMMENTS = {"cpp", "cs", "d", "go", "java", "js", "ts", "rs", "scala", "swift", "php"}
_HASH_COMMENTS = {"php", "pl", "r", "rb", "sh", "jl", "cpp", "cs"}  # C++/C#: preprocessor lines
#: string interpolation that runs code: (pattern, searched in the raw text or the blanked text)
_INTERPOLATION: dict[str, tuple[str, str]] = {
    "sh": (r"\$\(|`", "raw"), "rb": (r"#\{", "raw"), "pl": (r"@\{\[|\$\{\\", "raw"),
    "php": (r"\{\$", "raw"), "swift": (r"(?<!\\)\\\(", "raw"), "jl": (r"(?<!\\)\$\(", "raw"),
    "js": (r"`[^`]*\$\{", "raw"), "ts": (r"`[^`]*\$\{", "raw"),
    "scala": (r"(?<![\w])(s|f|raw)\"", "blanked"), "cs": (r"\$@?\"|@\$\"", "blanked"),
}
_FORBIDDEN = re.compile(
    r"(?<![\w$@%])(exit|_exit|exit!|quit|halt|abort|die|panic|process|System|Environment|Runtime|os|sys|"
    r"Kernel|eval|exec|system|spawn|popen|fork|kill|require|import|include|load|dofile|loadstring|"
    r"atexit|at_exit|setjmp|longjmp|unsafe|asm|__asm__|ccall|Libc|Base|Core|Main)(?![\w])")
_TOP_LEVEL_OPS = re.compile(r"\|\||&&|===|!==|==|!=|<=|>=|<>|\?|(?<![\w])(or|and|not|xor|if|unless|then|else)(?![\w])")
_R_VECTOR_OPS = re.compile(r"(?<![|&])[|&](?![|&])")
_OPEN, _CLOSE = "([{", ")]}"


def blank_strings(lang: str, text: str, fill: str = " ") -> str:
    """`text` with the inside of string and char literals replaced by `fill` (same length)."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        quote = None
        if lang in _TRIPLE_QUOTES and text.startswith('"""', i):
            quote = '"""'
        elif c == '"' or (c == "'" and lang in _SQ_STRINGS) or (c == "`" and lang in _BACKTICK_STRINGS):
            quote = c
        elif c == "'" and lang == "rs":
            m = re.match(r"'(\\.|[^\\'])'", text[i:])
            if m:
                for k in range(i + 1, i + len(m.group(0)) - 1):
                    out[k] = fill
                i += len(m.group(0))
                continue
        elif c == "#" and lang == "rkt" and text.startswith("#\\", i):
            for k in range(i, min(n, i + 3)):
                out[k] = fill
            i += 3
            continue
        if quote is None:
            i += 1
            continue
        escapes = not (quote in ("`", '"""') or (quote == "'" and lang == "sh"))
        j = i + len(quote)
        while j < n and not text.startswith(quote, j):
            j += 2 if (escapes and text[j] == "\\") else 1
        end = min(j, n)
        for k in range(i + len(quote), end):
            out[k] = fill
        i = end + len(quote)
    return "".join(out)


def _bracket_depths(code: str) -> list[int] | None:
    """Depth before each char; None when brackets do not balance within the text."""
    depths, stack = [], []
    for c in code:
        if c in _CLOSE:
            if not stack or _OPEN.index(stack[-1]) != _CLOSE.index(c):
                return None
            stack.pop()
        depths.append(len(stack))
        if c in _OPEN:
            stack.append(c)
    return depths if not stack else None


def _comment_or_separator(lang: str, code: str, depths: list[int]) -> str | None:
    if lang == "rkt":
        if ";" in code or "#|" in code:
            return "comment"
        return None
    if lang in _C_COMMENTS and ("//" in code or "/*" in code or (lang == "d" and "/+" in code)):
        return "comment"
    if lang in _HASH_COMMENTS and re.search(r"(?<![$\w])#", code):
        return "comment"
    if lang == "lua" and "--" in code:
        return "comment"
    for ch, depth in zip(code, depths):
        if ch == ";" and (lang != "jl" or depth == 0):
            return "statement_separator"
        if ch == "\n" and depth == 0:
            return "statement_separator"
    return None


def _names_function(lang: str, code: str) -> int:
    names = "|".join(re.escape(n) for n in LANGUAGES[lang].fn_names)
    prefix = "[$]?" if lang == "pl" else ""
    return len(re.findall(rf"(?<![\w.#']){prefix}({names})(?![\w])", code))


def _collapse(code: str, depths: list[int]) -> str:
    """Top-level text with every bracketed group turned into non-blank filler."""
    return "".join(c if d == 0 and c not in _CLOSE else "x" for c, d in zip(code, depths))


def splice_reason(lang: str, mode: str, answer: str) -> str | None:
    """Why an answer is rejected as spliced code, or None when it looks like a plain answer."""
    spec = LANGUAGES[lang]
    answer = answer.strip()
    if mode == "input":
        head = spec.call_head
        if not answer.startswith(head):
            return "not_a_call"
        open_at = head.index("(")
        code = blank_strings(lang, answer)
        depths = _bracket_depths(code)
        if depths is None:
            return "unbalanced_brackets"
        # the bracket the call opens must close at the very end: nothing after the call
        if any(d == depths[open_at] for d in depths[open_at + 1:-1]) or depths[-1] != depths[open_at]:
            return "code_after_call"
        body_raw, body = answer[len(head):-1], code[len(head):-1]
        body_depths = [d - depths[open_at] - 1 for d in depths[len(head):-1]]
        if _names_function(lang, body):
            return "calls_function_twice"
    else:
        body_raw, body = answer, blank_strings(lang, answer)
        body_depths = _bracket_depths(body)
        if body_depths is None:
            return "unbalanced_brackets"
        if _names_function(lang, body):
            return "calls_function"
        top = "".join(c if d == 0 else " " for c, d in zip(body, body_depths))
        if _TOP_LEVEL_OPS.search(top) or (lang == "r" and _R_VECTOR_OPS.search(top)):
            return "operator_outside_value"
        if "," in top or (lang == "rkt" and len(_collapse(blank_strings(lang, answer, "x"), body_depths).split()) > 1):
            return "extra_argument"
        if lang == "sh" and re.search(r"[*?\[]", top):
            return "glob_pattern"  # the right side of `=` in [[ ]] is a pattern
    reason = _comment_or_separator(lang, body, body_depths)
    if reason:
        return reason
    if lang in _INTERPOLATION:
        pattern, where = _INTERPOLATION[lang]
        if re.search(pattern, body_raw if where == "raw" else body):
            return "string_interpolation"
    m = _FORBIDDEN.search(body)
    if m:
        return f"forbidden_name:{m.group(1)}"
    return None
