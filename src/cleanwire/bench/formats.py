"""Throughput of one corpus read as JSON lines and as zstd-compressed JSON lines (rows kept in scale.py)."""

from cleanwire.bench.scale import formats_command as command

__all__ = ["command"]
