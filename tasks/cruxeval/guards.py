"""The splice guard for Python answers: a prediction is pasted into a program, so an answer can
"pass" by being code rather than a value (`f(1) or True`, `__import__('os')._exit(0)`).

The reference scorers check almost nothing (CRUXEval: an input answer must contain `f(`, an
output answer must not contain `f(<the input>)`; CRUXEval-X: nothing). Rejecting such answers is
our deviation, documented in the READMEs and switchable off with the task option
`splice_guard=False`.
"""

from __future__ import annotations

import ast

#: names that leave the process, run code from text, or reach the interpreter's insides
FORBIDDEN_NAMES = frozenset({
    "exit", "_exit", "quit", "abort", "__import__", "eval", "exec", "compile", "open", "globals",
    "locals", "vars", "setattr", "delattr", "getattr", "breakpoint", "input", "__builtins__", "sys",
    "os", "subprocess", "signal", "builtins", "importlib", "atexit",
})


def python_splice_reason(answer: str, mode: str, fn_names: tuple[str, ...] = ("f",)) -> str | None:
    """Why a Python answer is rejected as spliced code, or None when it is a plain answer.

    input: exactly one call of the function under test, the whole answer, with no other
    reference to that function; output: an expression that never names the function. Both: one
    expression (no statements), no forbidden names, no dunder attributes. An answer that does
    not parse is left to fail when run, as in the reference.
    """
    try:
        tree = ast.parse(answer.strip(), mode="eval")
    except SyntaxError:
        try:
            ast.parse(answer.strip(), mode="exec")
        except SyntaxError:
            return None  # not code at all: it fails on its own when run
        return "statements"  # parses as statements but not as one expression
    body = tree.body
    uses = [n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in fn_names]
    if mode == "input":
        if not (isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and body.func.id in fn_names):
            return "not_a_single_call"
        if len(uses) != 1:
            return "calls_function_twice"
    elif uses:
        return "calls_function"
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            return f"forbidden_name:{node.id}"
        if isinstance(node, ast.Attribute) and (node.attr.startswith("__") or node.attr in FORBIDDEN_NAMES):
            return f"forbidden_attribute:{node.attr}"
    return None
