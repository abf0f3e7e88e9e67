"""harness: an LLM evaluation harness.

The flow of a run: tasks -> plan (requests) -> backend -> store -> scorer -> results -> leaderboard.
"""

__version__ = "0.1.0"
