"""The interface every engine implements in full."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Engine(Protocol):
    """Runs the stage functions `fn(item, state)` over items, somewhere, giving results in input order."""

    name: str
    jobs: int  # processes (or CPUs) the run asked for
    shares_files: bool
    """Whether the workers see this machine's files: then they write the spill's segments and
    fingerprint files themselves, search candidates with two or more of them, read the texts of a
    verification batch and format output segments, and the main process holds no fingerprints. Without
    it (Ray nodes that do not see this machine's temporary folder), all of that is done in the main
    process and only items and results travel."""

    def map(self, fn: Callable[[T, Any], R], items: Iterable[T], state: Any) -> Generator[R, None, None]:
        """Yield fn(item, state) for each item, in order; `state` is sent to each worker once.

        Closing the generator early ends the work in flight.
        """
        ...

    def close(self) -> None:
        """Release the workers."""
        ...


def parallel_on_files(engine: Engine) -> bool:
    """Whether two or more workers share this machine's files, so they can work on files in parallel."""
    return engine.shares_files and engine.jobs > 1
