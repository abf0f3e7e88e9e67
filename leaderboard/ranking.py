"""The one ranking rule of the site (overview, benchmark and family pages).

Rows are ordered by score, best first. A tie group starts at its best row (the leader) and takes
in the next rows while they are not significantly worse than that leader (a paired test on the
documents both answered, p >= 0.05); the first row that is significantly worse starts the next
group. Every row of a group shares the group's rank, 1 + the number of rows above the group
("1, 1, 3"). So ranks never invert the score order: a row never ranks above one with a higher
score, whichever tests the pairs got, and equal scores share a rank. Where no test is possible (no
sample records, a pooled metric), a lower score starts a new group, as in a plain ranking.

The overview's mean rank averages these ranks over the benchmarks on which a row competes with
at least one other row: being alone on a benchmark says nothing about a model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from leaderboard.fmt import p_label

if TYPE_CHECKING:
    from harness.paired import PairedTest

RULE = ("Rank: rows are ordered by score; each tie group starts at its best row and holds the next rows "
        "while a paired test on the documents both answered finds them not significantly worse than that "
        "best row (p ≥ 0.05). A group's rows share its rank, 1 + the number of rows above the group, so a "
        "lower score never ranks above a higher one, and equal scores share a rank. Without a test (no sample records, a pooled metric) a "
        "lower score ranks lower.")
MEAN_RANK_RULE = ("Mean rank: the mean of a row's ranks over the benchmarks on which it competes with at least "
                  "one other row (the count is shown beside it); ranks are the benchmark and family pages' ranks.")


@dataclass
class RankedRow:
    index: int  # position in the caller's list
    rank: int | None  # None: no score to rank
    value: float | None
    leader: int | None  # the caller's index of this row's group leader (itself for a leader)
    test_with_leader: PairedTest | None  # members: the test that kept them in the group
    test_with_previous: PairedTest | None  # leaders below the first: the test with the previous leader
    previous_leader: int | None = None  # leaders below the first: the leader of the group above

    @property
    def is_leader(self) -> bool:
        return self.leader == self.index

    @property
    def tied(self) -> bool:
        """A member of a tie group (not its leader)."""
        return self.rank is not None and not self.is_leader


def rank_with_ties(values: list[float | None], tests: dict[tuple[int, int], PairedTest]) -> list[RankedRow]:
    """Rows best first, with ranks by the rule above. `tests[(i, j)]` holds the paired test
    between rows i and j (either order); rows without a value come last, unranked."""
    def test(i: int, j: int) -> PairedTest | None:
        return tests.get((i, j)) or tests.get((j, i))

    order = sorted(range(len(values)), key=lambda i: (values[i] is None, -(values[i] or 0.0)))
    rows: list[RankedRow] = []
    leader: int | None = None
    group_rank = 0
    for pos, i in enumerate(order):
        if values[i] is None:
            rows.append(RankedRow(i, None, None, None, None, None))
            continue
        t = test(leader, i) if leader is not None else None
        # an equal score always shares the rank of the row above it
        same = leader is not None and (values[i] == values[order[pos - 1]] or (t is not None and t.tested and not t.significant))
        if same:
            rows.append(RankedRow(i, group_rank, values[i], leader, t, None))
        else:
            previous, leader, group_rank = leader, i, pos + 1
            rows.append(RankedRow(i, group_rank, values[i], i, None, t if previous is not None else None, previous))
    return rows


def tie_cell(row: RankedRow, label_of: Callable[[int], str]) -> dict[str, str]:
    """What the ranking's "tie group" column says about a row, and why."""
    if row.rank is None:
        return {"kind": "unranked", "text": "no score", "why": ""}
    if row.tied:
        t = row.test_with_leader
        why = p_label(t.p_value) + f", {t.method}" if t is not None and t.tested else "the same score"
        return {"kind": "tied", "text": f"≈ {label_of(row.leader)}", "why": why}
    if row.previous_leader is None:
        return {"kind": "best", "text": "", "why": ""}
    t = row.test_with_previous
    why = p_label(t.p_value) + f", {t.method}" if t is not None and t.tested else (
        f"untested ({t.method}): a lower score ranks lower" if t is not None else "untested: a lower score ranks lower")
    return {"kind": "below", "text": f"< {label_of(row.previous_leader)}", "why": why}


def mean_ranks(ranks: list[dict[str, int | None]]) -> dict[str, tuple[float, int]]:
    """Per row: (mean rank, number of benchmarks counted) over the columns where it competes.
    `ranks` holds one {row: rank} per column."""
    sums: dict[str, list[int]] = {}
    for column in ranks:
        ranked = {row: r for row, r in column.items() if r is not None}
        if len(ranked) < 2:
            continue  # alone on a benchmark: no competition to rank
        for row, r in ranked.items():
            sums.setdefault(row, []).append(r)
    return {row: (sum(rs) / len(rs), len(rs)) for row, rs in sums.items()}
