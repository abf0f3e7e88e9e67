"""Reranking stored candidates with reward models: implicit PRM, ORM, step-tag PRM; best-of-N,
weighted majority vote, maj@k and pass@k over N = 1, 2, 4, ..., N.

Entry points: `rerank_run(run_dir, specs)` (what `harness rerank` and `harness run --rerank`
call) and `register_cli(subparsers)`.
"""

from harness.rerank.cli import register_cli
from harness.rerank.pipeline import rerank_docs, rerank_run
from harness.rerank.spec import RerankSpec, parse_spec

__all__ = ["register_cli", "rerank_run", "rerank_docs", "parse_spec", "RerankSpec"]
