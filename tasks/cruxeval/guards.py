"""The answer check for Python CRUXEval: a prediction is pasted into `assert <output> == <answer>`,
so an answer can "pass" by being code rather than a value (`f(1) or True`,
`__import__('os')._exit(0)`). Parsed with `ast` (sandboxes/literals/python.py): an output answer
must be a value, an input answer one call of `f` with values as arguments; what is not known to be
a value is rejected.

The reference scorers check almost nothing (CRUXEval: an input answer must contain `f(`, an
output answer must not contain `f(<the input>)`; CRUXEval-X: nothing). Rejecting such answers is
our deviation, documented in the READMEs and switchable off with the task option
`splice_guard=False`.
"""

from __future__ import annotations

from sandboxes.literals import python


def python_splice_reason(answer: str, mode: str, fn_names: tuple[str, ...] = ("f",)) -> str | None:
    """Why a Python answer is rejected before running, or None when it is a plain answer."""
    if mode == "input":
        return python.call_problem(answer, fn_names)
    return python.value_problem(answer)
