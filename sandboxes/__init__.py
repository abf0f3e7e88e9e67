"""Code execution: run a program in a language and return a verdict. Knows nothing of tasks or
models (see sandboxes/base.py for the interface)."""
