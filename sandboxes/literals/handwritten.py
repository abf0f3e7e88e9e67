"""Values and calls in D, R and Racket, which have no tree-sitter grammar on PyPI: a tokenizer of
each language's literal tokens (its string, character and number rules) and a recursive-descent
parser of the value grammar the data uses. A text that does not tokenize completely (a comment,
an operator, an unknown `#` form, a raw string) or does not parse is not a value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class NotAValue(Exception):
    pass


@dataclass
class Tok:
    kind: str
    text: str


def tokenize(rules: list[tuple[str, str]], text: str) -> list[Tok]:
    """Whole-text tokenization: every character belongs to a token or to whitespace."""
    master = re.compile("|".join(f"(?P<{kind}>{rx})" for kind, rx in rules), re.S)
    out, pos = [], 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        match = master.match(text, pos)
        if not match or match.end() == pos:
            raise NotAValue(f"token:{text[pos:pos + 12]}")
        out.append(Tok(match.lastgroup, match.group()))
        pos = match.end()
    return out


class Parser:
    def __init__(self, tokens: list[Tok]):
        self.toks, self.i = tokens, 0

    def peek(self, offset: int = 0) -> Tok | None:
        j = self.i + offset
        return self.toks[j] if j < len(self.toks) else None

    def take(self, *texts: str, kind: str = "") -> Tok:
        tok = self.peek()
        if tok is None or (texts and tok.text not in texts) or (kind and tok.kind != kind):
            raise NotAValue(f"unexpected:{tok.text[:20] if tok else 'end'}")
        self.i += 1
        return tok

    def at(self, *texts: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.text in texts and tok.kind == "punct"

    def done(self) -> None:
        if self.peek() is not None:
            raise NotAValue(f"after_value:{self.peek().text[:20]}")

    def separated(self, item, close: str) -> None:
        """item (',' item)* [','] up to `close` (taken)."""
        while not self.at(close):
            item()
            if not self.at(close):
                self.take(",")
        self.take(close)


# -- D ------------------------------------------------------------------------------------------
_D_RULES = [
    ("string", r'"(?:\\.|[^"\\])*"[cwd]?'),
    ("char", r"'(?:\\(?:u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{2}|[0-7]{1,3}|.)|[^'\\])'"),
    ("number", r"(?:0[xX][0-9A-Fa-f_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?)(?:UL|LU|uL|Lu|L|U|u|f|F)?\b"),
    ("name", r"[A-Za-z_]\w*"),
    ("punct", r"[\[\](),:!.-]"),
]
_D_BASIC = {"long", "int", "string", "bool", "double", "float", "char", "dchar", "wchar", "byte",
            "short", "ulong", "uint", "real", "ubyte", "ushort", "dstring", "wstring", "size_t"}
_D_POSTFIX = {"nullable", "init", "idup", "dup"}


def _d_type(p: Parser) -> None:
    tok = p.take(kind="name")
    if tok.text in ("Tuple", "Nullable"):
        p.take("!")
        p.take("(")
        p.separated(lambda: _d_type(p), ")")
    elif tok.text not in _D_BASIC:
        raise NotAValue(f"name:{tok.text}")
    while p.at("["):
        p.take("[")
        if not p.at("]"):
            _d_type(p)
        p.take("]")


def _d_value(p: Parser) -> None:
    tok = p.peek()
    if tok is None:
        raise NotAValue("empty")
    if tok.kind in ("string", "char", "number"):
        p.i += 1
    elif tok.text == "-" and p.peek(1) is not None and p.peek(1).kind == "number":
        p.i += 2
    elif tok.kind == "name" and tok.text in ("true", "false", "null"):
        p.i += 1
    elif tok.text == "[":
        p.take("[")
        assoc = None

        def element() -> None:
            nonlocal assoc
            _d_value(p)
            colon = p.at(":")
            if assoc is not None and colon != assoc:
                raise NotAValue("mixed_array")
            assoc = colon
            if colon:
                p.take(":")
                _d_value(p)
        p.separated(element, "]")
    elif tok.text == "tuple":
        p.i += 1
        p.take("(")
        p.separated(lambda: _d_value(p), ")")
    elif tok.text == "Nullable":
        _d_type(p)
        if p.at("("):
            p.take("(")
            _d_value(p)
            p.take(")")
    elif tok.text == "(":
        p.take("(")
        _d_value(p)
        p.take(")")
    else:
        raise NotAValue(f"name:{tok.text[:20]}" if tok.kind == "name" else f"unexpected:{tok.text[:20]}")
    while p.at("."):
        p.take(".")
        if p.take(kind="name").text not in _D_POSTFIX:
            raise NotAValue(f"name:{p.peek(-1).text[:20]}")


# -- R ------------------------------------------------------------------------------------------
_R_RULES = [
    ("string", r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\''),
    ("number", r"(?:0[xX][0-9A-Fa-f]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[Li]?(?![\w.])"),
    ("name", r"[A-Za-z.][\w.]*"),
    ("punct", r"[(),=+-]"),
]
_R_CONSTANTS = {"TRUE", "FALSE", "NULL", "NA", "NA_integer_", "NA_real_", "NA_character_", "Inf", "NaN"}
_R_CONSTRUCTORS = {"c", "list", "character", "integer", "numeric", "logical", "double"}


def _r_value(p: Parser) -> None:
    tok = p.peek()
    if tok is None:
        raise NotAValue("empty")
    if tok.kind in ("string", "number"):
        p.i += 1
    elif tok.text in ("-", "+") and p.peek(1) is not None and (
            p.peek(1).kind == "number" or p.peek(1).text in ("Inf",)):
        p.i += 2
    elif tok.kind == "name" and tok.text in _R_CONSTANTS:
        p.i += 1
    elif tok.kind == "name" and tok.text in _R_CONSTRUCTORS and p.peek(1) is not None and p.peek(1).text == "(":
        p.i += 2
        p.separated(lambda: _r_argument(p), ")")
    else:
        raise NotAValue(f"name:{tok.text[:20]}" if tok.kind == "name" else f"unexpected:{tok.text[:20]}")


def _r_argument(p: Parser) -> None:
    nxt = p.peek(1)
    if p.peek() is not None and p.peek().kind in ("name", "string") and nxt is not None and nxt.text == "=":
        p.i += 2  # a name for the element: `c(a = 1)`, `list("a" = 1)`
    _r_value(p)


# -- Racket -------------------------------------------------------------------------------------
_RKT_DELIM = r"\s()\[\]{}\",'`;"
_RKT_RULES = [
    ("string", r'"(?:\\.|[^"\\])*"'),
    ("char", r"#\\(?:space|newline|tab|nul|null|return|linefeed|backspace|delete|rubout|vtab|page|"
             r"u[0-9A-Fa-f]{1,6}|.)(?![^" + _RKT_DELIM + r"])"),
    ("boolean", r"#(?:true|false|t|f)(?![^" + _RKT_DELIM + r"])"),
    ("hash", r"#hash(?:eqv|eq)?\("),
    ("vector", r"#\("),
    ("number", r"[+-]?(?:\d+/\d+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf\.0|nan\.0)(?![^" + _RKT_DELIM + r"])"),
    ("symbol", r"[^" + _RKT_DELIM + r"#|\\][^" + _RKT_DELIM + r"|\\]*"),
    ("punct", r"[()\[\]']"),
]
_RKT_FORMS = {"list", "vector", "cons", "hash", "make-hash", "make-immutable-hash", "set", "list*",
              "hasheq", "hasheqv", "make-hasheq"}
_RKT_NAMES = {"null", "empty"}
_CLOSE = {"(": ")", "[": "]"}


def _rkt_datum(p: Parser) -> None:
    """Quoted data: anything well formed, nothing is evaluated."""
    tok = p.peek()
    if tok is None:
        raise NotAValue("empty")
    if tok.kind in ("string", "char", "boolean", "number", "symbol"):
        p.i += 1
    elif tok.text == "'":
        p.i += 1
        _rkt_datum(p)
    elif tok.kind in ("hash", "vector") or tok.text in _CLOSE:
        p.i += 1
        close = _CLOSE.get(tok.text, ")")
        while not p.at(close):
            if p.peek() is not None and p.peek().text == ".":
                p.i += 1
                _rkt_datum(p)
                break
            _rkt_datum(p)
        p.take(close)
    else:
        raise NotAValue(f"unexpected:{tok.text[:20]}")


def _rkt_value(p: Parser) -> None:
    tok = p.peek()
    if tok is None:
        raise NotAValue("empty")
    if tok.kind in ("string", "char", "boolean", "number"):
        p.i += 1
    elif tok.kind == "symbol" and tok.text in _RKT_NAMES:
        p.i += 1
    elif tok.text == "'" or tok.kind in ("hash", "vector"):
        _rkt_datum(p)  # a quoted datum, a hash or vector literal: data, read not evaluated
    elif tok.text in _CLOSE:
        p.i += 1
        head = p.take(kind="symbol").text
        if head not in _RKT_FORMS:
            raise NotAValue(f"name:{head[:20]}")
        while not p.at(_CLOSE[tok.text]):
            _rkt_value(p)
        p.take(_CLOSE[tok.text])
    else:
        raise NotAValue(f"name:{tok.text[:20]}" if tok.kind == "symbol" else f"unexpected:{tok.text[:20]}")


# -- the API ------------------------------------------------------------------------------------
_LANGS = {"d": (_D_RULES, _d_value), "r": (_R_RULES, _r_value), "rkt": (_RKT_RULES, _rkt_value)}


def value_problem(language: str, text: str) -> str | None:
    rules, value = _LANGS[language]
    try:
        p = Parser(tokenize(rules, text))
        value(p)
        p.done()
    except NotAValue as exc:
        return f"not_a_value:{exc}"
    return None


def call_problem(language: str, text: str, head: str, fn_names: tuple[str, ...]) -> str | None:
    if not text.startswith(head):
        return "not_a_call"
    rules, value = _LANGS[language]
    try:
        p = Parser(tokenize(rules, text))
        if language == "rkt":
            p.take("(")
            if p.take(kind="symbol").text not in fn_names:
                return "not_a_call"
            while not p.at(")"):
                value(p)
            p.take(")")
        else:
            if p.take(kind="name").text not in fn_names:
                return "not_a_call"
            p.take("(")
            p.separated(lambda: (_r_argument(p) if language == "r" else value(p)), ")")
        p.done()
    except NotAValue as exc:
        reason = str(exc)
        return "code_after_call" if reason.startswith("after_value") else f"not_a_value:{reason}"
    return None
