"""Programs per second per language: the docker warm pool with batched compiles versus a fresh
`docker run` per program (and bwrap), measured side by side in one run on the same programs.

    python bench/sandbox_throughput.py [--languages cpp,java] [-n 12] [--kinds warm,fresh,bwrap]
    python bench/sandbox_throughput.py --all --kinds warm   # the full reference check, timed

Programs: the first N reference programs (`code`) of CRUXEval-X per language (they all pass),
from ../shared/data or $HARNESS_DATA_DIR. Verdict caches are off. Container start-up of the warm
pool is excluded (it is paid once per run); a fresh `docker run` pays it for every program.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sandboxes import Limits, Program  # noqa: E402
from sandboxes.build import image_for  # noqa: E402
from sandboxes.judge import HELPERS, SCRATCH, build_job, job_proof, judge  # noqa: E402
from sandboxes.languages import LANGUAGES, parse_languages  # noqa: E402

DATA = Path(os.environ.get("HARNESS_DATA_DIR", REPO.parent / "shared" / "data"))
PREPROCESSED = DATA / "cruxeval-x" / "datasets" / "cruxeval_preprocessed"


def load_programs(language: str, n: int | None) -> list[Program]:
    path = PREPROCESSED / f"{language}.jsonl"
    if not path.exists():
        sys.exit(f"no CRUXEval-X data at {path} (set HARNESS_DATA_DIR)")
    rows = [json.loads(line) for line in path.open()]
    return [Program(language, {LANGUAGES[language].source_file: r["code"]}) for r in rows[:n]]


def fresh_docker_run(client, program: Program) -> bool:
    """One `docker run --rm -i` per program, same limits and runner as the warm pool (the job on
    stdin, as the warm pool sends it)."""
    spec = LANGUAGES[program.language]
    lim = program.limits
    job = build_job(program, spec, f"{SCRATCH}/p", with_data_limit=False)
    if spec.key == "cpp":
        from sandboxes.batching import STRATEGIES
        STRATEGIES["cpp"].adjust_single(job, program, spec)
    memory = f"{lim.memory_mb}m"
    argv = ["docker", "run", "--rm", "-i", "--user", "runner", "--network", "none",
            "--memory", memory, "--memory-swap", memory, "--pids-limit", str(lim.pids),
            "--cpus", str(lim.cpus), "--read-only", "--cap-drop", "ALL",
            "--security-opt", "no-new-privileges",
            "--tmpfs", f"{SCRATCH}:rw,exec,size={lim.scratch_mb}m,uid=1000,gid=1000,mode=700",
            "--tmpfs", "/tmp:rw,exec,size=256m,uid=1000,gid=1000,mode=1777",
            "-v", f"{REPO / 'sandboxes'}:{HELPERS}:ro", image_for(spec.key),
            "python3", "-I", f"{HELPERS}/inside.py"]
    out = subprocess.run(argv, input=json.dumps(job).encode(), capture_output=True).stdout
    raw = json.loads(out.decode().strip().splitlines()[-1])
    return judge(spec, raw, proof=job_proof(job)).passed


def timed(fn):
    start = time.monotonic()
    result = fn()
    return result, time.monotonic() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", help="comma-separated keys (default: all Debian ones)")
    parser.add_argument("-n", type=int, default=12, help="programs per language (default 12)")
    parser.add_argument("--all", action="store_true", help="every reference program (full check)")
    parser.add_argument("--kinds", default="warm,fresh,bwrap", help="warm,fresh,bwrap")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    kinds = args.kinds.split(",")
    languages = parse_languages(args.languages)
    n = None if args.all else args.n

    warm = fresh_client = bwrap = None
    if "warm" in kinds or "fresh" in kinds:
        from sandboxes.docker import DockerSandbox, docker_client
        warm = DockerSandbox(cache=False, workers=args.workers) if "warm" in kinds else None
        fresh_client = docker_client() if "fresh" in kinds else None
    if "bwrap" in kinds:
        from sandboxes.bwrap import BwrapSandbox
        bwrap = BwrapSandbox(cache=False, workers=args.workers)

    header = f"{'lang':6} {'n':>5}"
    for kind in kinds:
        header += f" {kind + ' p/s':>11} {kind + ' pass':>10}"
    if "warm" in kinds and "fresh" in kinds:
        header += f" {'warm/fresh':>10} {'same':>5}"
    print(f"# {args.workers} workers, limits {Limits()}")
    print(header)
    total_start = time.monotonic()
    totals: dict[str, float] = {k: 0.0 for k in kinds}
    for language in languages:
        programs = load_programs(language, n)
        row = f"{language:6} {len(programs):>5}"
        outcomes: dict[str, list[bool]] = {}
        rates: dict[str, float] = {}
        for kind in kinds:
            if kind == "warm":
                warm.warm([language])  # start-up excluded: paid once per run
                verdicts, seconds = timed(lambda: warm.run_many(programs))
                outcomes[kind] = [v.passed for v in verdicts]
            elif kind == "bwrap":
                verdicts, seconds = timed(lambda: bwrap.run_many(programs))
                outcomes[kind] = [v.passed for v in verdicts]
            else:
                with ThreadPoolExecutor(args.workers) as pool:
                    passed, seconds = timed(lambda: list(pool.map(
                        lambda p: fresh_docker_run(fresh_client, p), programs)))
                outcomes[kind] = passed
            totals[kind] += seconds
            rates[kind] = len(programs) / seconds
            row += f" {rates[kind]:>11.2f} {sum(outcomes[kind]):>5}/{len(programs):<4}"
        if "warm" in rates and "fresh" in rates:
            same = outcomes["warm"] == outcomes["fresh"]
            row += f" {rates['warm'] / rates['fresh']:>9.1f}x {'yes' if same else 'NO':>5}"
        print(row, flush=True)
        if warm is not None:
            warm.close()  # free the language's containers before the next one
    print(f"# wall time: {time.monotonic() - total_start:.0f} s in all; per kind: "
          + ", ".join(f"{k} {v:.0f} s" for k, v in totals.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
