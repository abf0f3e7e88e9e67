"""Model backends: receive requests, return generations. They know nothing of tasks."""
