"""Paired tests between two models on the documents both answered, and ties in a ranking.

The tests themselves live in the core (harness/paired.py), so `harness results compare` runs the
same ones without importing the leaderboard; their names stay importable from here.
"""

from __future__ import annotations

from harness.paired import (  # noqa: F401
    ALPHA,
    BOOTSTRAP_RESAMPLES,
    PairedTest,
    binary_diff_ci,
    mcnemar_exact_p,
    paired_test,
    shared_values,
)

# the ranking rule lives in leaderboard/ranking.py; these names stay importable from here
from leaderboard.ranking import RankedRow, rank_with_ties  # noqa: E402,F401
