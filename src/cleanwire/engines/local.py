"""The local engine: ordered map over parts of the input, on a process pool when jobs > 1."""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_worker_state: Any = None  # per worker process: the run's shared state, set once by the pool initializer


def _init_worker(state: Any) -> None:
    global _worker_state
    _worker_state = state
    # the parent owns interrupts: a worker ignores ^C (sent to the whole terminal group) and dies on SIGTERM
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(fn: Callable[[T, Any], R], item: T) -> R:
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
        # concurrent.futures, not multiprocessing.Pool: a worker killed by a signal breaks the pool
        # with an error instead of leaving Pool's teardown waiting forever on a lock the worker held
        pool = ProcessPoolExecutor(self.jobs, multiprocessing.get_context(method), _init_worker, (state,))
        window: deque[Future[R]] = deque()
        finished = False
        try:
            # a bounded window of work in flight keeps memory flat on huge inputs
            for item in items:
                window.append(pool.submit(_call, fn, item))
                if len(window) >= 2 * self.jobs + 1:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # interrupted, failed, or the caller stopped reading: end the workers now
                for future in window:
                    future.cancel()
                processes = list(getattr(pool, "_processes", {}).values())
                pool.shutdown(wait=False, cancel_futures=True)
                for process in processes:
                    if process.is_alive():
                        process.terminate()
                for process in processes:
                    process.join(timeout=5)

    def close(self) -> None:
        """Nothing to release for the local engine."""
