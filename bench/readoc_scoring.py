"""READoc S3 scoring speed: time per document and per metric on the shared documents, and how the
reading-order and table steps grow on longer documents.

    python bench/readoc_scoring.py [--data-dir ../shared/data] [--pred perturbed|pdftotext]

Predictions: "perturbed" (default) is the gold with paragraphs swapped, headings demoted and ~3%
of characters changed (deterministic), so no shortcut for identical inputs applies; "pdftotext"
converts the PDFs with poppler. The growth table scores a document made of k copies of the
longest gold file against its perturbed copy, side by side with a direct O(n^2) implementation
of the same order metrics (the reference's algorithm) to show the ratio.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.paths import data_root
from tasks.readoc.s3.metrics.heading import heading_tree_similarity
from tasks.readoc.s3.metrics.order import block_order, token_order
from tasks.readoc.s3.metrics.table import table_match
from tasks.readoc.s3.metrics.text import concat_score, join_items
from tasks.readoc.s3.segment import segment
from tasks.readoc.s3.standardize import standardize


def perturb(md: str, seed: int) -> str:
    rng = random.Random(seed)
    paras = md.split("\n\n")
    for i in range(0, len(paras) - 1, 7):  # swap some neighbouring paragraphs
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
    out = "\n\n".join(p.replace("## ", "### ", 1) if rng.random() < 0.3 else p for p in paras)
    chars = list(out)
    for i in rng.sample(range(len(chars)), k=len(chars) // 33):
        if chars[i].isalnum():
            chars[i] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(chars)


def timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def per_metric_times(gold_md: str, pred_md: str) -> dict[str, float]:
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    g, p = standardize(gold_md), standardize(pred_md)
    t["standardize"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    gs, ps = segment(g), segment(p)
    t["segment"] = time.perf_counter() - t0
    t["text"] = timed(concat_score, ps.plain, gs.plain)
    t["heading"] = timed(lambda: (concat_score(join_items(ps.headings), join_items(gs.headings)),
                                  heading_tree_similarity(ps.headings, gs.headings)))
    t["formula"] = timed(lambda: (concat_score(join_items(ps.inline_math), join_items(gs.inline_math)),
                                  concat_score(join_items(ps.display_math), join_items(gs.display_math))))
    t["table"] = timed(lambda: (concat_score(join_items(ps.tables), join_items(gs.tables)),
                                table_match(ps.tables, gs.tables)))
    t["order_block"] = timed(block_order, ps.blocks, gs.blocks)
    t["order_token"] = timed(token_order, ps.overall, gs.overall)
    return t


# -- the direct algorithms, for the side-by-side growth comparison ------------------------------
def naive_kendall(values: list[int]) -> float:
    n = len(values)
    i, j = np.meshgrid(np.arange(n), np.arange(n))
    a, b = np.arange(n), np.argsort(values)
    bad = np.logical_or(np.logical_and(a[i] < a[j], b[i] > b[j]), np.logical_and(a[i] > a[j], b[i] < b[j])).sum()
    return 1 - bad / (n * (n - 1))


def naive_token_order(pred: str, gold: str) -> None:
    g, p = gold.split(), pred.split()
    common = set(g) & set(p)
    ug: list[str] = []
    for w in g:
        if w in common and w not in ug:  # list membership, as written in the reference
            ug.append(w)
    up: list[str] = []
    for w in p:
        if w in common and w not in up:
            up.append(w)
    ids = {w: k for k, w in enumerate(ug)}
    naive_kendall([ids[w] for w in up])


def naive_block_order(pred: list[str], gold: list[str]) -> None:
    from Levenshtein import distance

    used: list[int] = []
    for s in gold:
        best, best_j = 1.0, -1
        for j, q in enumerate(pred):
            if j in used:
                continue
            d = distance(s, q) / max(len(s), len(q))
            if d <= 0.5 and d < best:
                best, best_j = d, j
        if best_j != -1:
            used.append(best_j)
    if len(used) >= 2:
        naive_kendall(list(np.argsort(used)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--pred", choices=["perturbed", "pdftotext"], default="perturbed")
    ap.add_argument("--max-copies", type=int, default=8)
    args = ap.parse_args()
    root = data_root(args.data_dir)
    if root is None or not (root / "readoc").is_dir():
        print("no READoc data (pass --data-dir or set HARNESS_DATA_DIR)", file=sys.stderr)
        return 2
    base = root / "readoc"
    cols = ["standardize", "segment", "text", "heading", "formula", "table", "order_block", "order_token"]
    print(f"per-document scoring time (ms), prediction = {args.pred}")
    print(f"{'doc':<22}{'chars':>8}" + "".join(f"{c:>12}" for c in cols) + f"{'total':>10}")
    totals = dict.fromkeys(cols, 0.0)
    for n, gold_path in enumerate(sorted(base.glob("*/markdown/*.md"))):
        gold = gold_path.read_text(encoding="utf-8")
        pred = perturb(gold, n) if args.pred == "perturbed" else _pdftotext(gold_path)
        t = per_metric_times(gold, pred)
        for c in cols:
            totals[c] += t[c]
        name = f"{gold_path.parts[-3]}/{gold_path.stem}"
        print(f"{name:<22}{len(gold):>8}" + "".join(f"{1000 * t[c]:>12.1f}" for c in cols)
              + f"{1000 * sum(t.values()):>10.1f}")
    print(f"{'all':<22}{'':>8}" + "".join(f"{1000 * totals[c]:>12.1f}" for c in cols)
          + f"{1000 * sum(totals.values()):>10.1f}")
    _growth(base, args.max_copies)
    return 0


def _pdftotext(gold_path: Path) -> str:
    import subprocess

    pdf = gold_path.parents[1] / "pdf" / f"{gold_path.stem}.pdf"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=False).stdout


def _growth(base: Path, max_copies: int) -> None:
    longest = max(base.glob("arxiv/markdown/*.md"), key=lambda p: p.stat().st_size)
    gold1 = longest.read_text(encoding="utf-8")
    # the table column: copies of the gold with the most tables (all pairs are scored for matching)
    tabled = max((p.read_text(encoding="utf-8") for p in base.glob("arxiv/markdown/*.md")),
                 key=lambda t: t.count("\\begin{table}"))
    print(f"\ngrowth on k copies of {longest.stem} (ms; 'direct' = O(n^2) algorithm, same results)")
    print(f"{'k':>3}{'blocks':>8}{'tokens':>8}{'block':>10}{'direct':>10}{'token':>10}{'direct':>10}"
          f"{'tables':>8}{'table':>10}")
    k = 1
    while k <= max_copies:
        gold = "\n\n".join([gold1] * k)
        gs, ps = segment(standardize(gold)), segment(standardize(perturb(gold, k)))
        tb = timed(block_order, ps.blocks, gs.blocks)
        tt = timed(token_order, ps.overall, gs.overall)
        nb = timed(naive_block_order, ps.blocks, gs.blocks) if k <= 4 else float("nan")
        nt = timed(naive_token_order, ps.overall, gs.overall) if k <= 4 else float("nan")
        tables = segment(standardize("\n\n".join([tabled] * k)))
        tables_pred = segment(standardize(perturb("\n\n".join([tabled] * k), k)))
        tab = timed(table_match, tables_pred.tables, tables.tables)
        n_tokens = len(set(gs.overall.split()))
        print(f"{k:>3}{len(gs.blocks):>8}{n_tokens:>8}{1000 * tb:>10.1f}{1000 * nb:>10.1f}{1000 * tt:>10.1f}"
              f"{1000 * nt:>10.1f}{len(tables.tables):>8}{1000 * tab:>10.1f}")
        k *= 2


if __name__ == "__main__":
    raise SystemExit(main())
