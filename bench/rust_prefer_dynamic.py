"""Rust compiled as the reference does (`rustc -o main main.rs`) and as the sandboxes do
(`-C prefer-dynamic`: std linked as a shared library), side by side in one run: the seconds each
way and every verdict compared (passed, reason, exit status, stdout, stderr).

    python bench/rust_prefer_dynamic.py [--programs code|gold|vacuous] [--kind bwrap|docker] [--limit N]

Data from ../shared/data or $HARNESS_DATA_DIR; verdict caches off. Measured 2026-11-21 on 2 cores,
bwrap: code 185 -> 117 s (690 programs, same verdicts but flaky id 6); vacuous 170 -> 124 s (1,380
failing programs, same passed/reason/exit status; two differ only in HashMap order in stderr).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sandboxes import LANGUAGES, get_sandbox  # noqa: E402
from tasks.cruxeval_x.check import collect  # noqa: E402

DATA = Path(os.environ.get("HARNESS_DATA_DIR", REPO.parent / "shared" / "data"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--programs", choices=["code", "gold", "vacuous"], default="code")
    ap.add_argument("--kind", choices=["bwrap", "docker"], default="bwrap")
    ap.add_argument("--limit", type=int, help="the first N problems only")
    args = ap.parse_args()
    if not (DATA / "cruxeval-x").is_dir():
        sys.exit(f"no CRUXEval-X data under {DATA} (set HARNESS_DATA_DIR)")
    groups, _ = collect("cruxeval-x", DATA, args.limit, {"rs"}, args.programs)
    items = [(label, doc_id, program) for label, docs in groups.items() for doc_id, program in docs.items()]
    ours = LANGUAGES["rs"]
    reference = dataclasses.replace(ours, compile=("rustc", "-o", "main", "main.rs"))
    seen = {}
    for name, spec in (("reference (static std)", reference), ("prefer-dynamic", ours)):
        LANGUAGES["rs"] = spec
        box = get_sandbox(args.kind, cache=False)
        start = time.monotonic()
        verdicts = box.run_many([program for _, _, program in items])
        print(f"{name:24s} {time.monotonic() - start:7.1f} s  {sum(v.passed for v in verdicts)}/{len(verdicts)} passed",
              flush=True)
        seen[name] = [(v.passed, v.reason.value, v.exit_code, v.stdout, v.stderr) for v in verdicts]
        box.close()
    LANGUAGES["rs"] = ours
    a, b = seen.values()
    verdict_diff = [items[k][:2] for k in range(len(items)) if a[k][:3] != b[k][:3]]
    output_diff = [items[k][:2] for k in range(len(items)) if a[k] != b[k]]
    print(f"programs {len(items)}; different verdicts {len(verdict_diff)} {verdict_diff[:20]}; "
          f"different output only {len(output_diff) - len(verdict_diff)} {output_diff[:20]}")


if __name__ == "__main__":
    main()
