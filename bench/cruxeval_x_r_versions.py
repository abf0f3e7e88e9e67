"""CRUXEval-X R input answers under R 4.2 (the sandbox's Debian bookworm R 4.2.2) and under the
reference's R 4.1 rule for `if`, side by side: which answers pass in one and fail in the other.

The reference's image is Ubuntu 22.04 (`docker/Dockerfile` of CRUXEVAL-X/cruxeval-x: `r-base`,
R 4.1.2). R 4.2.0 made `if (cond)` with a condition of length > 1 an error; R 4.1 warned and used
the first element. The R 4.1 rule is emulated by a prelude that redefines `if` in the global
environment (first element, with the old warning), then calls base `if`. Only `if` is emulated:
an answer whose verdict still fails with "the condition has length > 1" in a `while` is listed as
such (R 4.1 would have warned there too).

Answers: the R input answers of runs (`--run RUN_DIR`, samples of `cruxeval-x-input-r`) and, with
`--cross K`, the gold inputs of the K next problems (wrong answers of the right shape in R).

    python bench/cruxeval_x_r_versions.py [--run RUN_DIR ...] [--cross K] [--kind bwrap|docker]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.registry import resolve  # noqa: E402
from sandboxes import get_sandbox  # noqa: E402
from tasks.cruxeval_x.programs import build_program_text, to_program  # noqa: E402
from tasks.cruxeval_x.task import problem_of  # noqa: E402

R41_PRELUDE = """.r41_condition <- function(cond) {
    if (length(cond) > 1) {
        warning("the condition has length > 1 and only the first element will be used")
        return(cond[1])
    }
    cond
}
"""
CONDITION = re.compile(r"\b(if|while)\s*\(")
LENGTH_ERROR = re.compile(r"the condition has length > 1(?! and only)")  # the error, not R 4.1's warning


def _closing(text: str, at: int) -> int | None:
    """Index of the parenthesis closing the one at `at` (strings and comments skipped)."""
    depth, i, quote = 0, at, None
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "'\"`":
            quote = c
        elif c == "#":
            i = text.find("\n", i)
            if i < 0:
                return None
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def with_r41_conditions(text: str) -> str:
    """Every `if (cond)` / `while (cond)` made `if (.r41_condition(cond))`: R 4.1's rule."""
    out, pos = [], 0
    for m in CONDITION.finditer(text):
        if m.start() < pos:
            continue
        close = _closing(text, m.end() - 1)
        if close is None:
            continue
        inner = with_r41_conditions(text[m.end():close])
        out += [text[pos:m.end()], ".r41_condition(", inner, ")"]
        pos = close
    out.append(text[pos:])
    return "".join(out)


def as_r41(program):
    (name, text), = program.files.items()
    return dataclasses.replace(program, files={name: R41_PRELUDE + with_r41_conditions(text)})


def run_answers(run_dirs: list[Path]) -> list[tuple[str, str, str]]:
    out = []
    for run in run_dirs:
        path = run / "samples" / "cruxeval-x-input-r.jsonl"
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            for s in rec["record"]["samples"]:
                out.append((rec["doc_id"], s["answer"], run.name))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", type=Path, action="append", default=[], help="run directory with cruxeval-x-input-r samples")
    ap.add_argument("--cross", type=int, default=0, help="also the gold inputs of the K next problems")
    ap.add_argument("--kind", choices=["bwrap", "docker"], default="bwrap")
    ap.add_argument("--limit", type=int, help="the first N problems only")
    args = ap.parse_args()
    task = resolve("cruxeval-x-input-r")[0]
    docs = task.load_docs(None)[: args.limit]
    problems = {d.id: problem_of(d) for d in docs}
    answers = [a for a in run_answers(args.run) if a[0] in problems]
    ids = list(problems)
    for i, doc_id in enumerate(ids):
        for other in ids[i + 1:i + 1 + args.cross]:
            answers.append((doc_id, problems[other].gold("input")[0], f"gold input of {other}"))
    programs = [to_program(problems[d], build_program_text(problems[d], "input", a)) for d, a, _ in answers]
    box = get_sandbox(args.kind, cache=False)
    try:
        t0 = time.monotonic()
        r42 = box.run_many(programs)
        r41 = box.run_many([as_r41(p) for p in programs])
        seconds = time.monotonic() - t0
    finally:
        box.close()
    print(f"{len(programs)} answers to {len({a[0] for a in answers})} R input problems, {seconds:.0f} s; "
          f"passed: R 4.2 {sum(v.passed for v in r42)}, R 4.1 rule {sum(v.passed for v in r41)}")
    differ = [(a, x, y) for a, x, y in zip(answers, r42, r41) if x.passed != y.passed]
    hit = [a for a, v in zip(answers, r42) if LENGTH_ERROR.search(v.stderr)]
    hit_ids = sorted({problems[doc_id].id for doc_id, _, _ in hit})
    print(f"length > 1 condition errors under R 4.2: {len(hit)} answers to {len(hit_ids)} problems "
          f"(ids {' '.join(map(str, hit_ids))}); verdicts that differ: {len(differ)}")
    for (doc_id, answer, source), x, y in differ:
        print(f"  id {problems[doc_id].id}: R 4.2 {'pass' if x.passed else 'fail'}, R 4.1 {'pass' if y.passed else 'fail'}: "
              f"{answer!r} ({source}); R 4.2 says: {x.stderr.strip().splitlines()[0] if x.stderr.strip() else x.reason}")
    still = [(a, y) for a, y in zip(answers, r41) if LENGTH_ERROR.search(y.stderr)]
    for (doc_id, answer, source), y in still[:20]:
        print(f"  id {problems[doc_id].id}: still a length error with the R 4.1 rule: {answer!r} ({source})")


if __name__ == "__main__":
    main()
