"""T-Eval's evaluators, one module per reference evaluator class."""
