"""Python values and calls, checked with the interpreter's own parser (`ast`).

A value is what `ast.literal_eval` reads (numbers, strings, bytes, tuples, lists, dicts, sets,
True/False/None), plus what a literal cannot spell: `set()`, `frozenset(<value>)`, `float('inf')`,
`float('-inf')`, `float('nan')`, and arithmetic between values (`'-' * 3`, `1 + 2j`), which binds
tighter than `==` so it cannot reach outside the answer. Every name the tree holds is one of those
few builtins; nothing else can be called, looked up or defined, so the value's type is exactly a
builtin type and its equality is the builtin one (no answer-made class can override `__eq__`).
"""

from __future__ import annotations

import ast

_CONSTANT_NAMES = {"True", "False", "None"}
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)
_FLOAT_WORDS = {"inf", "-inf", "+inf", "nan", "infinity", "-infinity"}


def _value_problem(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant):
        return None if node.value is not Ellipsis else "not_a_value:Ellipsis"
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return next(filter(None, map(_value_problem, node.elts)), None)
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            return "not_a_value:dict_unpacking"
        return next(filter(None, map(_value_problem, [*node.keys, *node.values])), None)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _value_problem(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, _ARITHMETIC):
        return _value_problem(node.left) or _value_problem(node.right)
    if isinstance(node, ast.Name) and node.id in _CONSTANT_NAMES:
        return None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        name, args = node.func.id, node.args
        if name == "set" and not args:
            return None
        if name == "frozenset" and len(args) <= 1:
            return next(filter(None, map(_value_problem, args)), None)
        if (name == "float" and len(args) == 1 and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str) and args[0].value.strip().lower() in _FLOAT_WORDS):
            return None
    return f"not_a_value:{type(node).__name__}"


def _parse(text: str) -> ast.expr | str:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        try:
            ast.parse(text.strip(), mode="exec")
        except SyntaxError:
            return "not_parsed"
        return "statements"
    except ValueError:  # a NUL byte
        return "not_parsed"


def value_problem(text: str) -> str | None:
    """None when `text` is one Python value, else why not."""
    tree = _parse(text)
    return tree if isinstance(tree, str) else _value_problem(tree)


def call_problem(text: str, fn_names: tuple[str, ...]) -> str | None:
    """None when `text` is one call of a function in fn_names with values as arguments (keyword
    arguments too), else why not."""
    tree = _parse(text)
    if isinstance(tree, str):
        return tree
    if not (isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in fn_names):
        return "not_a_single_call"
    if any(k.arg is None for k in tree.keywords):
        return "not_a_value:kwargs_unpacking"
    args = [*tree.args, *(k.value for k in tree.keywords)]
    if any(isinstance(a, ast.Starred) for a in args):
        return "not_a_value:Starred"
    return next(filter(None, map(_value_problem, args)), None)
