"""The leaderboard: a static site built from result files alone (through harness.results).

`harness leaderboard build|serve|publish|export`; see leaderboard/cli.py.
"""
