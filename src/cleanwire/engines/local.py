"""The local engine: ordered map over batches, on a process pool when jobs > 1."""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_worker_state: Any = None  # per worker process: the run's shared state, set once by the pool initializer


def _init_worker(state: Any) -> None:
    global _worker_state
    _worker_state = state
    # the parent owns interrupts; a worker ends quietly when the pool is torn down
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(args: tuple[Callable[[T, Any], R], T]) -> R:
    fn, item = args
    return fn(item, _worker_state)


class LocalEngine:
    """Runs `fn(item, state)` over items in input order, in `jobs` processes."""

    name = "local"

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs

    def map(self, fn: Callable[[T, Any], R], items: Iterable[T], state: Any) -> Iterator[R]:
        """Yield fn(item, state) for each item, in order; state is sent to each worker once."""
        if self.jobs <= 1:
            for item in items:
                yield fn(item, state)
            return
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        context = multiprocessing.get_context(method)
        with context.Pool(self.jobs, initializer=_init_worker, initargs=(state,)) as pool:
            # Pool.imap would read the whole input ahead; a bounded window keeps memory flat
            window: deque[Any] = deque()
            for item in items:
                window.append(pool.apply_async(_call, ((fn, item),)))
                if len(window) >= 2 * self.jobs + 1:
                    yield window.popleft().get()
            while window:
                yield window.popleft().get()

    def close(self) -> None:
        """Nothing to release for the local engine."""
