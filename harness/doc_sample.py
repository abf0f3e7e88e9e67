"""Which documents a `--limit N` run takes: the first N, or with `--spread` a deterministic sample
of N that covers the task's categories.

Benchmark files are often sorted by category (ProactiveBench's reward set by MN, CR, CD, FA; MATH
by subject), so the first N documents can all be one category. The spread sample deals the N
places round-robin over the categories (in the order they first appear), and takes each
category's share evenly spaced through it. It depends only on the documents and N, so the same
command takes the same sample; tasks without categories get N documents evenly spaced through
the file.
"""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def evenly_spaced(count: int, n: int) -> list[int]:
    """n indices out of range(count), spread evenly (the middle of each of n equal slices)."""
    n = min(n, count)
    return [int((i + 0.5) * count / n) for i in range(n)]


def spread(docs: Sequence[T], n: int, category: Callable[[T], str | None]) -> list[T]:
    """n documents covering the categories, in the file's order."""
    if n >= len(docs):
        return list(docs)
    groups: dict[str | None, list[int]] = {}
    for i, doc in enumerate(docs):
        groups.setdefault(category(doc), []).append(i)
    if len(groups) == 1:
        return [docs[i] for i in evenly_spaced(len(docs), n)]
    share = {key: 0 for key in groups}
    left = n
    while left:  # deal the places one round at a time
        for key, members in groups.items():
            if left and share[key] < len(members):
                share[key] += 1
                left -= 1
    chosen = sorted(members[j] for key, members in groups.items() for j in evenly_spaced(len(members), share[key]))
    return [docs[i] for i in chosen]


def select(docs: Sequence[T], limit: int | None, spread_over: Callable[[T], str | None] | None) -> list[T]:
    """The documents a run takes: all, the first `limit`, or `limit` spread over the categories."""
    if limit is None:
        return list(docs)
    if spread_over is None:
        return list(docs[:limit])
    return spread(docs, limit, spread_over)
