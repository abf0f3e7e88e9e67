"""MATH grading before and after issue 19, side by side on stored real outputs and on the gold
solutions: how many extractions and verdicts change, and where.

"before": math-verify on the whole output (LaTeX with the boxed pattern first, every box read
together, then the last LaTeX or number anywhere as a fallback) with its wall-clock timeouts, as
tasks/math/scorer.py did up to issue 19. "after": the scorer now (last box, a stated answer only,
CPU-time limits).

    python bench/math_grading_changes.py [RUN_DIR_OR_SAMPLES_JSONL ...]

Inputs: run directories (samples/math500.jsonl, samples/math.jsonl) or sample files of `harness
run`; by default the stored SmolLM2 runs in tests/fixtures/leaderboard/runs, the Qwen2.5-Math
best-of-8 file in ../shared/data/math/bon (800 outputs on 100 MATH test problems, with Qwen's own
verdicts), and the 5,000 gold solutions of ../shared/data/math/math_test5000.jsonl as outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify  # noqa: E402

from tasks.math.scorer import extracted_string, grade, parse_gold  # noqa: E402
from tasks.math.answer import locate  # noqa: E402

DATA = Path(os.environ.get("HARNESS_DATA_DIR", REPO.parent / "shared" / "data")) / "math"
BEFORE_CONFIG = [LatexExtractionConfig(boxed_match_priority=0), ExprExtractionConfig()]


def before(gold_answer: str, output: str) -> tuple[str, str | None]:
    """The pre-issue-19 verdict and extraction."""
    gold = parse("\\boxed{" + gold_answer + "}", parsing_timeout=5)
    try:
        pred = parse(output, extraction_config=BEFORE_CONFIG, parsing_timeout=5)
    except Exception:  # noqa: BLE001
        pred = []
    if not pred:
        return "no_answer", None
    try:
        ok = bool(gold) and bool(verify(gold, pred, timeout_seconds=5))
    except Exception:  # noqa: BLE001
        ok = False
    return ("correct" if ok else "wrong"), extracted_string(pred)


def after(gold_answer: str, output: str) -> tuple[str, str | None]:
    verdict, pred = grade(parse_gold(gold_answer), locate(output))
    return verdict, extracted_string(pred)


def sample_files(paths: list[str]) -> list[Path]:
    out = []
    for p in map(Path, paths):
        out += sorted((p / "samples").glob("math*.jsonl")) if p.is_dir() else [p]
    return out


def harness_samples(path: Path):
    """(label, id, gold, output, None) per output of a harness sample file."""
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        for i, out in enumerate(rec["outputs"]):
            yield f"{path.parent.parent.name}/{rec['task']}", f"{rec['doc_id']}#{i}", rec["record"]["gold"], out, None


def qwen_bon():
    """The Qwen2.5-Math best-of-8 file: 8 outputs per problem and Qwen's verdict of each."""
    path = DATA / "bon" / "qwen25math_math_cot_100x8.jsonl"
    index = {json.loads(x)["idx"]: json.loads(x) for x in (DATA / "bon" / "qwen25math_math_cot_100x8.index.jsonl").read_text().splitlines()}
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        meta = index[rec["idx"]]
        label = "qwen2.5-math best-of-8 (100 MATH test problems, 5 of them in MATH-500)"
        for i, (out, ok) in enumerate(zip(rec["response"], rec["score"])):
            yield label, f"{meta['unique_id']}#{i}", meta["gold_answer_staged"], out, bool(ok)


def gold_solutions():
    for line in (DATA / "math_test5000.jsonl").read_text().splitlines():
        rec = json.loads(line)
        yield "gold solutions (5,000)", rec["unique_id"], rec["answer"], rec["solution"], True


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("inputs", nargs="*", help="run dirs or sample files (default: the stored runs)")
    ap.add_argument("--examples", type=int, default=8, help="changed outputs to print per input")
    args = ap.parse_args()
    inputs = args.inputs or [str(p) for p in sorted((REPO / "tests/fixtures/leaderboard/runs").iterdir())]
    sources = [harness_samples(f) for f in sample_files(inputs)]
    if not args.inputs:
        sources += [qwen_bon(), gold_solutions()]
    for source in sources:
        rows = Counter()
        label, examples, agree = None, [], Counter()
        t_before = t_after = 0.0
        for label, oid, gold, out, reference_ok in source:
            t0 = time.perf_counter()
            vb, eb = before(gold, out)
            t1 = time.perf_counter()
            va, ea = after(gold, out)
            t_before, t_after = t_before + t1 - t0, t_after + time.perf_counter() - t1
            rows["outputs"] += 1
            rows[f"before {vb}"] += 1
            rows[f"after {va}"] += 1
            if vb != va:
                rows["verdict changed"] += 1
                examples.append((oid, gold, eb, vb, ea, va))
            elif eb != ea:
                rows["extraction changed, same verdict"] += 1
            if reference_ok is not None:
                agree["before"] += (vb == "correct") == reference_ok
                agree["after"] += (va == "correct") == reference_ok
        if label is None:
            continue
        n = rows["outputs"]
        print(f"== {label}: {n} outputs; {rows['verdict changed']} verdicts changed, "
              f"{rows['extraction changed, same verdict']} more extractions changed ({t_before:.1f} s before, {t_after:.1f} s after)")
        for when in ("before", "after"):
            print(f"   {when:6s}: " + ", ".join(f"{v} {rows[f'{when} {v}']}" for v in ("correct", "wrong", "no_answer", "timeout")))
        if agree:
            print(f"   agreement with the reference verdicts: before {agree['before']}/{n}, after {agree['after']}/{n}")
        for oid, gold, eb, vb, ea, va in examples[: args.examples]:
            print(f"   {oid}: gold {gold!r}: before {eb!r} {vb} -> after {ea!r} {va}")


if __name__ == "__main__":
    main()
