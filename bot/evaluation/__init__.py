"""Evaluation (``make eval``) and benchmarks (``make bench``) of the assistant."""
