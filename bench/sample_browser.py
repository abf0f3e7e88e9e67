"""The sample browser on a large run: MATH 5,000 problems x 8 samples (40,000 outputs), synthesized
through the results schema. Prints how long the site takes to build, what it writes (the index,
the chunks, against one page holding every output), and, in headless chromium, how long the
browser page takes to show its first page, to filter, to page far, and to search every output.

    python bench/sample_browser.py [--docs 5000] [--samples 8] [--chars 1500] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from harness.results import ModelInfo, Provenance, RunResult, SampleRecord, TaskResult, write_samples
from harness.metrics import aggregate_means
from harness.task import SampleScore
from leaderboard.collect import collect
from leaderboard.site import render_board

SUBJECTS = ["Algebra", "Counting & Probability", "Geometry", "Intermediate Algebra", "Number Theory", "Prealgebra",
            "Precalculus"]


def write_run(root: Path, n_docs: int, n_samples: int, chars: int) -> Path:
    rng = np.random.default_rng(0)
    words = "so we substitute the value and simplify both sides of the equation to find that".split()
    records, scores = [], []
    for i in range(n_docs):
        skill = 0.75 - 0.1 * (i % 5)
        correct = (rng.random(n_samples) < skill).tolist()
        outputs = []
        for k in range(n_samples):
            body = " ".join(rng.choice(words, size=chars // 6))
            outputs.append(f"Let us solve problem {i}, attempt {k}. {body[:chars]} The answer is $\\boxed{{{i + (0 if correct[k] else 1)}}}$.")
        values = {"accuracy": float(np.mean(correct)), "extraction_failure": 0.0,
                  "pass@8": float(any(correct)), "maj@8": float(sum(correct) > n_samples / 2)}
        groups = {"subject": SUBJECTS[i % 7], "level": f"Level {1 + i % 5}"}
        record = {"gold": str(i), "extracted": [str(i + (0 if c else 1)) for c in correct], "correct": correct}
        scores.append(SampleScore(f"test/{SUBJECTS[i % 7].lower()}/{i}.json", values, groups, record))
        records.append(SampleRecord(task="math", doc_id=scores[-1].doc_id, prompt=[{"role": "user", "content": f"Problem {i}: " + "x" * 300}],
                                    outputs=outputs, values=values, groups=groups, record=record))
    metrics, breakdown = aggregate_means(scores)
    tr = TaskResult(task="math", version="1", prompt_hash="0" * 16, n_docs=n_docs, metrics=metrics, breakdown=breakdown,
                    sampling={"temperature": 0.7, "n": n_samples})
    run = root / "big-run"
    RunResult(run_id="big-run", model=ModelInfo(spec="bench", backend="replay", name="bench-model", fingerprint="f0"),
              tasks={"math": tr}, provenance=Provenance(harness_version="0")).write(run)
    write_samples(run, "math", records)
    return run


def mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def browse(site: Path, args) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "leaderboard"))
    from lb_browser import chromium_session
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    page = site / "samples" / "big-run" / "math-v1.html"

    def ready(b):
        WebDriverWait(b, 600, poll_frequency=0.02).until(lambda d: d.execute_script(
            "return document.getElementById('sample-list').getAttribute('data-ready') === '1'"))

    def timed(label: str, action, b) -> float:
        t0 = time.perf_counter()
        action()
        ready(b)
        dt = time.perf_counter() - t0
        count = b.find_element(By.ID, "shown-count").text
        print(f"  {label:<44} {dt:7.2f} s   ({count})")
        return dt

    with chromium_session() as b:
        print("in chromium (headless, file://):")
        timed("open the page, first 25 documents shown", lambda: b.get(page.as_uri()), b)
        timed("verdict = wrong", lambda: Select(b.find_element(By.ID, "f-verdict")).select_by_value("wrong"), b)
        timed("+ subject = Geometry", lambda: Select(b.find_element(By.CSS_SELECTOR, ".f-group[data-key='0']"))
              .select_by_visible_text("Geometry"), b)
        timed("filters off again", lambda: (
            Select(b.find_element(By.ID, "f-verdict")).select_by_value(""),
            Select(b.find_element(By.CSS_SELECTOR, ".f-group[data-key='0']")).select_by_value("")), b)
        buttons = b.find_elements(By.CSS_SELECTOR, "#pager-top button")
        timed("last page", lambda: buttons[-1].click(), b)
        b.execute_script("document.getElementById('sample-list').removeAttribute('data-ready')")

        def search():
            box = b.find_element(By.ID, "f-text")
            box.send_keys("attempt 7. so")
        timed(f"free text over all {args.docs * args.samples:,} outputs", search, b)
        used = b.execute_script("return performance.memory ? performance.memory.usedJSHeapSize : 0")
        if used:
            print(f"  JS heap after the search: {mb(used)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=5000)
    ap.add_argument("--samples", type=int, default=8)
    ap.add_argument("--chars", type=int, default=1500, help="characters per output")
    ap.add_argument("--keep", type=Path, help="build here and keep the site")
    ap.add_argument("--no-browser", action="store_true")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lb-browser-bench-"))
    try:
        t0 = time.perf_counter()
        run = write_run(tmp / "results", args.docs, args.samples, args.chars)
        samples_size = (run / "samples" / "math.jsonl").stat().st_size
        print(f"run: {args.docs:,} documents x {args.samples} outputs of ~{args.chars:,} chars; samples file "
              f"{mb(samples_size)} (written in {time.perf_counter() - t0:.1f} s)")
        site = (args.keep or tmp / "site").resolve()
        t0 = time.perf_counter()
        board = collect(tmp / "results")
        t1 = time.perf_counter()
        render_board(board, site)
        t2 = time.perf_counter()
        data = site / "samples" / "big-run" / "math-v1"
        chunks = sorted(data.glob("c*.js"), key=lambda p: p.stat().st_size)
        total = sum(p.stat().st_size for p in data.iterdir())
        page = (site / "samples" / "big-run" / "math-v1.html").stat().st_size
        first = (data / "index.js").stat().st_size + (data / "c0.js").stat().st_size
        print(f"build: collect {t1 - t0:.1f} s, render {t2 - t1:.1f} s (total {t2 - t0:.1f} s)")
        print(f"browser data: index {mb((data / 'index.js').stat().st_size)}, {len(chunks)} chunks of "
              f"{mb(chunks[0].stat().st_size)}-{mb(chunks[-1].stat().st_size)}, {mb(total)} in all; page HTML {mb(page)}")
        print(f"first view loads page + index + 1 chunk = {mb(page + first)}, "
              f"{100 * (page + first) / (page + total):.1f}% of what one page holding every output would be "
              f"({mb(page + total)})")
        if not args.no_browser:
            browse(site, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
