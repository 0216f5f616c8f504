"""Engines run the streaming stages (clean, fingerprint) over batches of documents.

`local` (the default) uses a process pool on this machine; `ray` runs the same stage
functions as Ray tasks and is imported only when asked for.
"""

from __future__ import annotations

from typing import Any

from cleanwire.engines.base import Engine
from cleanwire.errors import ConfigError

__all__ = ["ENGINES", "Engine", "get_engine"]

ENGINES = ("local", "ray")


def get_engine(name: str, jobs: int, **options: Any) -> Engine:
    """Return the engine called `name`; the ray engine is imported only here."""
    if name == "local":
        from cleanwire.engines.local import LocalEngine

        return LocalEngine(jobs)
    if name == "ray":
        try:
            from cleanwire.engines.ray import RayEngine
        except ImportError as exc:  # the extra is not installed
            raise ConfigError(
                f"--engine ray needs the ray extra: pip install 'cleanwire[ray]' ({exc})"
            ) from exc
        return RayEngine(jobs, **options)
    raise ConfigError(f"--engine must be one of {', '.join(ENGINES)}, not {name!r}")
