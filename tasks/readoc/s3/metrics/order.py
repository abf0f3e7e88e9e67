"""Reading-order metrics (the reference's `compute_segment_order` and `compute_word_order`):
normalized Kendall tau between the gold order and the predicted order of matched units.

Block order: each gold block (in gold order) takes the unused predicted block with the smallest
normalized edit distance, if that distance is <= 0.5 (ties go to the earliest predicted block).
Token order: each whitespace token that occurs in both texts, placed at its first occurrence.
Either score is 0 when fewer than 2 units match or the matches are no more than 10% of the
shorter side; undefined (None) for an empty gold (blocks) or a gold of <= 1 token.

The reference computes the same numbers with O(n^2) loops and an n x n matrix; here the block
matching prunes candidates by length (a lower bound of the edit distance) and caps Levenshtein
with a score cutoff, exact matches are found by hashing, and Kendall's tau counts inversions in
O(n log n). The results are identical.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from Levenshtein import distance

MAX_BLOCK_DISTANCE = 0.5
MIN_MATCHED_FRACTION = 0.1


def count_inversions(seq: list[int]) -> int:
    """Pairs i < j with seq[i] > seq[j] (a Fenwick tree over ranks)."""
    ranks = {v: r for r, v in enumerate(sorted(set(seq)), start=1)}
    tree = [0] * (len(ranks) + 1)
    inversions = 0
    for seen, v in enumerate(seq):
        r = ranks[v]
        le = 0  # how many earlier values are <= v
        i = r
        while i > 0:
            le += tree[i]
            i -= i & -i
        inversions += seen - le
        i = r
        while i < len(tree):
            tree[i] += 1
            i += i & -i
    return inversions


def kendall_tau_similarity(order: list[int]) -> float:
    """1 - normalized Kendall tau distance between range(n) and `order` (distinct values)."""
    n = len(order)
    return 1 - (2 * count_inversions(order)) / (n * (n - 1))


def _score(matched_pred_positions: list[int], n_gold: int, n_pred: int) -> float:
    m = len(matched_pred_positions)
    if m > MIN_MATCHED_FRACTION * min(n_gold, n_pred) and m >= 2:
        return kendall_tau_similarity(matched_pred_positions)
    return 0.0


def match_blocks(pred: list[str], gold: list[str]) -> list[int]:
    """For each gold block in order, the index of the predicted block it matches (if any)."""
    by_text: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(pred):
        by_text[p].append(j)
    for ids in by_text.values():
        ids.reverse()  # pop() yields the earliest first
    lengths = np.array([len(p) for p in pred], dtype=np.int64)
    unused = np.ones(len(pred), dtype=bool)
    matched: list[int] = []
    for g in gold:
        j = _take_identical(by_text.get(g), unused)
        if j is None:
            j = _nearest(g, pred, lengths, unused)
        if j is not None:
            unused[j] = False
            matched.append(j)
    return matched


def _take_identical(ids: list[int] | None, unused: np.ndarray) -> int | None:
    while ids:
        j = ids.pop()
        if unused[j]:
            return j  # distance 0 cannot be beaten and it is the earliest such block
    return None


def _nearest(g: str, pred: list[str], lengths: np.ndarray, unused: np.ndarray) -> int | None:
    lg = len(g)
    big = np.maximum(lengths, lg)
    # |len difference| <= edit distance, so blocks whose lengths differ too much cannot match
    feasible = unused & (np.abs(lengths - lg) <= MAX_BLOCK_DISTANCE * big)
    best, best_j = 1.0, None
    for j in np.flatnonzero(feasible):
        j = int(j)
        m = int(big[j])
        if abs(int(lengths[j]) - lg) / m >= best:
            continue
        cutoff = math.floor(min(MAX_BLOCK_DISTANCE, best) * m) + 1  # +1: float rounding slack
        d = distance(g, pred[j], score_cutoff=cutoff)
        ed = d / m
        if ed <= MAX_BLOCK_DISTANCE and ed < best:
            best, best_j = ed, j
    return best_j


def block_order(pred_blocks: list[str], gold_blocks: list[str]) -> float | None:
    if len(gold_blocks) == 0:
        return None
    # the reference argsorts the matched positions before comparing with range(m); Kendall tau
    # of that against range(m) equals the inversion count of the positions themselves
    matched = match_blocks(pred_blocks, gold_blocks)
    return _score(matched, len(gold_blocks), len(pred_blocks))


def token_order(pred: str, gold: str) -> float | None:
    gold_tokens, pred_tokens = gold.split(), pred.split()
    if len(gold_tokens) <= 1:
        return None
    common = set(gold_tokens) & set(pred_tokens)
    ids: dict[str, int] = {}
    for t in gold_tokens:
        if t in common and t not in ids:
            ids[t] = len(ids)
    seen: set[str] = set()
    pred_order: list[int] = []
    for t in pred_tokens:
        if t in common and t not in seen:
            seen.add(t)
            pred_order.append(ids[t])
    return _score(pred_order, len(gold_tokens), len(pred_tokens))
