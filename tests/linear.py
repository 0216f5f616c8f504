"""Linear-time checks that count work instead of timing it against a limit: they hold on a busy machine.

`assert_linear(run, size)` runs `run(size)` and `run(4 * size)` and compares
- the Python-level work: function calls, generator resumes and calls into C, counted with a profile hook
  (deterministic: a loop that grows with the square of the input shows here whatever the machine does);
- the CPU time of this process (not wall time), best of two, only as a ratio with a wide margin: a
  scan inside one C call (a regular expression backtracking, `str.count` from the start of the page for
  every line) is one call to the hook, and shows only in time. Linear work takes ~4x, quadratic ~16x.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

FACTOR = 4  # the large run's size over the small one's
MAX_CALLS_RATIO = 1.5 * FACTOR  # linear is FACTOR (plus fixed costs that only lower the ratio)
MAX_TIME_RATIO = 2.5 * FACTOR  # linear is ~FACTOR, quadratic ~FACTOR ** 2: a wide margin either way
MIN_SECONDS = 0.2  # a large run this cheap is linear enough, whatever the ratio of two tiny times
MIN_SMALL_SECONDS = 0.01  # the small run counts as at least this (timer resolution, noise)


def count_calls(run: Callable[[int], Any], size: int) -> int:
    """The profile events (calls, returns, C calls) of `run(size)`."""
    events = 0

    def hook(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal events
        events += 1

    sys.setprofile(hook)
    try:
        run(size)
    finally:
        sys.setprofile(None)
    return events


def cpu_seconds(run: Callable[[int], Any], size: int, repeat: int = 2) -> float:
    """The least CPU time of this process over `repeat` runs of `run(size)`."""
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        run(size)
        best = min(best, time.process_time() - started)
    return best


def assert_linear(run: Callable[[int], Any], size: int, what: str = "") -> None:
    """`run(4 * size)` does at most ~4x the work of `run(size)`: counted calls, and CPU time as a wide ratio."""
    run(max(1, size // 16))  # warm-up: imports, compiled patterns, caches
    small_calls, large_calls = count_calls(run, size), count_calls(run, FACTOR * size)
    assert large_calls <= MAX_CALLS_RATIO * small_calls + 1_000, (what, "calls", small_calls, large_calls)
    large = cpu_seconds(run, FACTOR * size)
    if large < MIN_SECONDS:
        return
    small = cpu_seconds(run, size)
    assert large < MAX_TIME_RATIO * max(small, MIN_SMALL_SECONDS), (what, "cpu seconds", small, large)
