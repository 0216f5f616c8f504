"""Benchmarks: `python -m cleanwire.bench --help`. Not part of the unit tests."""
