"""Programs per second of a replayed n=10 CRUXEval(-X) run, side by side in one run on the same
programs: before the integrity work (no completion proof, every copy run), with the completion
proof only, and after (proof + identical programs run once). Also the answer check's own cost.

    python bench/cruxeval_integrity.py [--kind bwrap|docker] [--languages py,js,cpp,java] [-n 12]

The replayed run: CRUXEval-I with Code Llama 7B's 10 published generations for 25 problems
(tests/fixtures/cruxeval: 250 programs, 73 distinct), and, per CRUXEval-X language, n problems in
output mode with 10 samples each whose duplication follows those Code Llama problems (answer k of
a problem's distinct answers: its gold output for k = 0, else another problem's gold output).
Verdict caches are off. Each configuration gets its own sandbox; all must give the same verdicts.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sandboxes import Program, get_sandbox  # noqa: E402
from sandboxes.languages import LANGUAGES  # noqa: E402
from tasks.cruxeval.task import RUN_LIMITS, check, check_program, extract  # noqa: E402
from tasks.cruxeval_x.data import known_defects, load_problems  # noqa: E402
from tasks.cruxeval_x.guards import splice_reason  # noqa: E402
from tasks.cruxeval_x.programs import build_program_text, to_program  # noqa: E402

FIXTURE = REPO / "tests" / "fixtures" / "cruxeval" / "reference_codellama7b_input.json"


def codellama() -> tuple[list[tuple[dict, str]], list[list[int]]]:
    """CRUXEval-I (row, answer) pairs, and each problem's duplication pattern (answer indices)."""
    problems = json.loads(FIXTURE.read_text())["problems"]
    pairs, patterns = [], []
    for value in problems.values():
        answers = [extract(g, "input", False) for g in value["generations"]]
        order = list(dict.fromkeys(answers))
        patterns.append([order.index(a) for a in answers])
        pairs += [(value["row"], a) for a in answers]
    return pairs, patterns


def cruxeval_x(languages: list[str], n: int, patterns: list[list[int]], data_dir) -> list[tuple[object, str]]:
    """(problem, output answer) pairs: n problems per language, 10 samples each."""
    out = []
    for lang in languages:
        problems = [p for p in load_problems(data_dir, lang) if not known_defects(p)][: n + 10]
        for j, problem in enumerate(problems[:n]):
            for k in patterns[j % len(patterns)]:
                answer = problem.gold("output")[0] if k == 0 else problems[j + k].gold("output")[0]
                out.append((problem, answer))
    return out


def programs(pairs_py, pairs_x, proof: bool) -> list[Program]:
    progs = []
    for row, answer in pairs_py:  # every answer runs here, also those a check would refuse
        progs.append(check(row, answer) if proof else
                     Program("py", {"main.py": check_program(row, answer)}, limits=RUN_LIMITS))
    for problem, answer in pairs_x:
        text = build_program_text(problem, "output", answer)
        if proof:
            progs.append(to_program(problem, text))
        else:
            spec = LANGUAGES[problem.lang]
            progs.append(Program(spec.key, {spec.source_file: text}))
    return progs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", default="bwrap", choices=["bwrap", "docker"])
    parser.add_argument("--languages", default="py,js,cpp,java")
    parser.add_argument("-n", type=int, default=12, help="CRUXEval-X problems per language (10 samples each)")
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()
    languages = [x for x in args.languages.split(",") if x]
    pairs_py, patterns = codellama()
    pairs_x = cruxeval_x(languages, args.n, patterns, args.data_dir)

    start = time.monotonic()
    rejected = [splice_reason(p.lang, "output", a) for p, a in pairs_x]
    check_s = time.monotonic() - start
    assert not any(rejected), "a gold answer was rejected"

    configs = [("before: no proof, every copy", False, False), ("proof, every copy", True, False),
               ("after: proof, distinct once", True, True)]
    total = len(pairs_py) + len(pairs_x)
    distinct = len({json.dumps(p.files, sort_keys=True) for p in programs(pairs_py, pairs_x, True)})
    print(f"# {args.kind}; {total} programs ({len(pairs_py)} CRUXEval-I codellama-7b n=10, "
          f"{len(pairs_x)} CRUXEval-X output n=10 in {','.join(languages)}), {distinct} distinct; caches off")
    print(f"# answer check: {len(pairs_x)} answers in {check_s:.2f} s ({len(pairs_x) / check_s:.0f} answers/s)")
    print(f"{'configuration':34} {'wall s':>8} {'programs/s':>11} {'passed':>7}  per language passed")
    results = {}
    for label, proof, dedupe in configs:
        progs = programs(pairs_py, pairs_x, proof)
        box = get_sandbox(args.kind, cache=False, dedupe=dedupe)
        try:
            box.start(sorted({p.language for p in progs}))
            t0 = time.monotonic()
            verdicts = box.run_many(progs)
            wall = time.monotonic() - t0
        finally:
            box.close()
        passed = [v.passed for v in verdicts]
        by_lang = Counter(p.language for p, ok in zip(progs, passed) if ok)
        results[label] = (wall, passed, [f"{p.language} {v.reason.value}: {v.detail}" for p, v in zip(progs, verdicts)])
        print(f"{label:34} {wall:8.1f} {total / wall:11.2f} {sum(passed):7d}  "
              + " ".join(f"{k}:{v}" for k, v in sorted(by_lang.items())), flush=True)
    base = results[configs[0][0]]
    for label, (wall, passed, why) in results.items():
        differ = [i for i, (a, b) in enumerate(zip(passed, base[1])) if a != b]
        print(f"# {label}: {base[0] / wall:.2f}x the programs/s of before; "
              + (f"{len(differ)} verdicts differ:" if differ else "same verdicts"))
        for i in differ[:5]:  # a timeout under load, or a real difference
            print(f"#    program {i}: before {base[2][i]} / here {why[i]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
