"""The local engine: ordered map over parts of the input, on a process pool when jobs > 1."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

from cleanwire.errors import ResourceError
from cleanwire.process import is_thread_start_failure
from cleanwire.scratch import ScratchDir

T = TypeVar("T")
R = TypeVar("R")

# per worker process: the state of the stage it last worked for, and the file it came from
_worker_state: Any = None
_worker_state_path: str | None = None


_PR_SET_PDEATHSIG = 1  # linux/prctl.h
_PARENT_POLL_SECONDS = 1.0
_MANAGER_POLL_SECONDS = 0.5  # how often a wait for a result checks that the pool can still deliver it


def _init_worker(parent: int) -> None:
    # the parent owns interrupts: a worker ignores ^C (sent to the whole terminal group) and dies on SIGTERM
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """End this worker when the main process `parent` dies, even by SIGKILL (the OOM killer): a worker left
    behind would wait forever on a queue nobody writes. Linux sends SIGTERM at once (PR_SET_PDEATHSIG); a
    thread that watches the parent's pid covers every system, within a second."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    watch = threading.Thread(target=_watch_parent, args=(parent,), name="cleanwire-parent-watch", daemon=True)
    try:
        watch.start()
    except RuntimeError as exc:  # no memory for its stack: the death signal alone must do (Linux)
        if not is_thread_start_failure(exc):
            raise
    if os.getppid() != parent:  # it died before the death signal was set up
        _parent_gone()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_SECONDS)
    _parent_gone()


def _parent_gone() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(_PARENT_POLL_SECONDS)
    os._exit(1)  # SIGTERM was blocked or caught: leave anyway


def _ready(_: int) -> None:
    """A task that only makes sure a worker exists."""


def _result(pool: ProcessPoolExecutor, future: Future[R]) -> R:
    """`future.result()`, or ResourceError when the pool can no longer deliver it.

    The pool's manager thread starts a feeder thread when it first sends work; under a tight memory cap
    that start fails, the manager thread dies, and a plain `result()` would wait forever.
    """
    while True:
        try:
            return future.result(timeout=_MANAGER_POLL_SECONDS)
        except TimeoutError:
            manager = getattr(pool, "_executor_manager_thread", None)
            if manager is not None and not manager.is_alive() and not future.done():
                raise ResourceError("cannot start a thread (out of memory or of threads)") from None


def _quiet_thread_start_failures(args: threading.ExceptHookArgs) -> None:
    """A pool thread that could not start one of its own is reported by `_result` in one line, not a traceback."""
    if is_thread_start_failure(args.exc_value or RuntimeError()):
        return
    _previous_excepthook(args)


_previous_excepthook = threading.excepthook


def _call(fn: Callable[[T, Any], R], item: T, state_path: str) -> R:
    global _worker_state, _worker_state_path
    if state_path != _worker_state_path:  # a new stage: read its state once
        with open(state_path, "rb") as f:
            _worker_state = pickle.load(f)
        _worker_state_path = state_path
    return fn(item, _worker_state)


class LocalEngine:
    """The `Engine` of this machine: runs `fn(item, state)` over items in input order, in `jobs` processes.

    The worker processes are started with the engine and serve every stage of the run. Started
    later, forked from a main process that by then holds a million documents' signatures, each
    would map all of that: memory it does not need, counted again in its RSS.
    """

    name = "local"
    shares_files = True  # the workers see this machine's files (see Engine.shares_files)

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._scratch: ScratchDir | None = None  # the state files' folder
        if jobs > 1:
            self._start()

    def _start(self) -> ProcessPoolExecutor:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        # concurrent.futures, not multiprocessing.Pool: a worker killed by a signal breaks the pool
        # with an error instead of leaving Pool's teardown waiting forever on a lock the worker held
        if threading.excepthook is not _quiet_thread_start_failures:
            threading.excepthook = _quiet_thread_start_failures
        pool = ProcessPoolExecutor(self.jobs, multiprocessing.get_context(method), _init_worker, (os.getpid(),))
        try:
            for future in [pool.submit(_ready, i) for i in range(self.jobs)]:
                _result(pool, future)
        except BaseException:
            self._stop(pool)
            raise
        self._pool = pool
        return pool

    def map(self, fn: Callable[[T, Any], R], items: Iterable[T], state: Any) -> Generator[R, None, None]:
        """Yield fn(item, state) for each item, in order; state is sent to each worker once."""
        if self.jobs <= 1:
            for item in items:
                yield fn(item, state)
            return
        pool = self._pool or self._start()
        # the state (a template model can be large) goes to the workers once, through a file
        if self._scratch is None:  # removed by close on every exit path, by a later run if this one is killed
            self._scratch = ScratchDir(".engine")
        handle, state_path = tempfile.mkstemp(suffix=".state", dir=self._scratch.path)
        window: deque[Future[R]] = deque()
        finished = False
        try:
            with os.fdopen(handle, "wb") as f:
                pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
            # a bounded window of work in flight keeps memory flat on huge inputs
            for item in items:
                window.append(pool.submit(_call, fn, item, state_path))
                if len(window) >= 2 * self.jobs + 1:
                    yield _result(pool, window.popleft())
            while window:
                yield _result(pool, window.popleft())
            finished = True
        finally:
            with contextlib.suppress(FileNotFoundError):  # close may have removed it already
                os.unlink(state_path)
            if not finished:  # interrupted, failed, or the caller stopped reading: end the workers now
                for future in window:
                    future.cancel()
                self._stop(pool)

    def _stop(self, pool: ProcessPoolExecutor) -> None:
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)
        if self._pool is pool:
            self._pool = None

    def close(self) -> None:
        """Stop the worker processes; remove the state files (a reader that went away leaves map unfinished)."""
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True)
        if self._scratch is not None:
            self._scratch.close()
            self._scratch = None
