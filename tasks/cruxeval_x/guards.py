"""The answer check for CRUXEval-X: an answer is pasted into a test program, so it must be a value
(output mode) or one call of the function under test with values as arguments (input mode), or it
could pass by being code (`candidate(x) || true`, an exit, a lambda, a comment that hides the rest
of the line). Checked with a real parser of each language (sandboxes/literals): whitelists of what
a value is, so a trick nobody listed is rejected too. The reference checks none of this; rejecting
such answers is our documented deviation (task option `splice_guard`). Behind it, the sandbox's
completion proof fails any program that stops before the end of its check.
"""

from __future__ import annotations

from sandboxes import literals
from tasks.cruxeval_x.languages import LANGUAGES


def splice_reason(lang: str, mode: str, answer: str) -> str | None:
    """Why an answer is rejected before running, or None when it is a plain answer."""
    spec = LANGUAGES[lang]
    if mode == "input":
        head = "" if lang == "py" else spec.call_head  # Python: `candidate(...)` or `f(...)`
        return literals.call_problem(lang, answer, head, spec.fn_names)
    return literals.value_problem(lang, answer, spec.fn_names)
