"""Sandbox scoring throughput fanned out over Ray workers (sandboxes/ray_pool.py): programs per
second with 1 and 2 workers on the same CRUXEval-X reference programs, in one run, beside the
in-process pool of the same total width for reference.

    python bench/ray_sandbox_throughput.py [--languages py,lua,cpp] [-n 16] [--kind bwrap]
        [--workers 1,2] [--threads 1] [--repeat 2] [--ray-address ADDR]

Each worker is a Ray actor holding one sandbox pool `--threads` wide; on a cluster a worker per
node is the default of `--executor ray`, here the workers share one machine. A local Ray instance
is started with as many CPUs as the machine has, unless --ray-address names a cluster. Verdict
caches are off; actor start-up and the toolchain warm-up (C++ PCH, Go cache) are excluded, as a
run pays them once. Every configuration must give the same verdicts: the script checks it.
Programs: the first N reference programs (`code`, they all pass) per language, from
../shared/data or $HARNESS_DATA_DIR.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sandboxes import Program, get_sandbox  # noqa: E402
from sandboxes.languages import LANGUAGES  # noqa: E402

DATA = Path(os.environ.get("HARNESS_DATA_DIR", REPO.parent / "shared" / "data"))
PREPROCESSED = DATA / "cruxeval-x" / "datasets" / "cruxeval_preprocessed"
DEFAULT_LANGUAGES = "py,js,lua,rb,php,pl,sh,cpp"


def load_programs(languages: list[str], n: int) -> list[Program]:
    per_language = []
    for language in languages:
        path = PREPROCESSED / f"{language}.jsonl"
        if not path.exists():
            sys.exit(f"no CRUXEval-X data at {path} (set HARNESS_DATA_DIR)")
        rows = [json.loads(line) for line in path.open()][:n]
        per_language.append([Program(language, {LANGUAGES[language].source_file: r["code"]}) for r in rows])
    # interleaved, as a CRUXEval-X run over many languages hands them to the sandbox
    return [p for i in range(n) for progs in per_language for p in progs[i:i + 1]]


def measure(box, programs: list[Program], repeat: int) -> tuple[float, list[tuple[bool, str]]]:
    times, outcome = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        verdicts = box.run_many(programs)
        times.append(time.perf_counter() - t0)
        got = [(v.passed, v.reason.value) for v in verdicts]
        assert outcome is None or got == outcome, "verdicts changed between repeats"
        outcome = got
    return statistics.median(times), outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", default=DEFAULT_LANGUAGES)
    parser.add_argument("-n", type=int, default=16, help="programs per language (default 16)")
    parser.add_argument("--kind", default="bwrap", help="the workers' sandbox: bwrap (default) or docker")
    parser.add_argument("--workers", default="1,2", help="Ray worker counts to measure (default 1,2)")
    parser.add_argument("--threads", type=int, default=1, help="pool width of each worker (default 1)")
    parser.add_argument("--repeat", type=int, default=2, help="timed passes per configuration (median)")
    parser.add_argument("--ray-address")
    parser.add_argument("--no-local", action="store_true", help="skip the in-process reference pools")
    args = parser.parse_args()

    import ray

    from sandboxes.ray_pool import RaySandbox

    languages = [x.strip() for x in args.languages.split(",") if x.strip()]
    counts = [int(x) for x in args.workers.split(",")]
    programs = load_programs(languages, args.n)
    if args.ray_address:
        ray.init(address=args.ray_address, include_dashboard=False, log_to_driver=False)
    else:
        ray.init(num_cpus=os.cpu_count(), include_dashboard=False, log_to_driver=False)
    cpus = int(ray.cluster_resources().get("CPU", 0))
    print(f"# {len(programs)} CRUXEval-X reference programs ({args.n} each of {','.join(languages)}), "
          f"sandbox {args.kind}, verdict cache off, median of {args.repeat}; Ray {ray.__version__}, "
          f"{len(ray.nodes())} node(s), {cpus} CPUs, machine: {os.cpu_count()} cores")
    print(f"{'configuration':34} {'seconds':>8} {'programs/s':>11} {'speed-up':>9} {'passed':>7}")
    rows, base, reference = [], None, None

    def report(label: str, seconds: float, outcome) -> None:
        nonlocal base, reference
        base = base or seconds
        reference = reference or outcome
        same = "" if outcome == reference else "  VERDICTS DIFFER"
        passed = sum(p for p, _ in outcome)
        print(f"{label:34} {seconds:8.2f} {len(programs) / seconds:11.2f} {base / seconds:8.2f}x "
              f"{passed:>4}/{len(outcome)}{same}", flush=True)
        rows.append((label, seconds, outcome == reference))

    for count in counts:
        box = RaySandbox(args.kind, workers=count, threads=args.threads, cache=False)
        try:
            box.start(languages)
            box.run_many(programs[: count * 2])  # worker processes warm (imports, first bwrap)
            seconds, outcome = measure(box, programs, args.repeat)
        finally:
            box.close()
        report(f"ray: {count} worker(s) x {args.threads} thread(s)", seconds, outcome)
    if not args.no_local:
        for width in sorted({c * args.threads for c in counts}):
            box = get_sandbox(args.kind, workers=width, cache=False)
            try:
                box.start(languages)
                seconds, outcome = measure(box, programs, args.repeat)
            finally:
                box.close()
            report(f"local: one pool x {width} thread(s)", seconds, outcome)
    ray.shutdown()
    return 0 if all(same for *_, same in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
