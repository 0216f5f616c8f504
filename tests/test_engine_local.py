"""The local engine: ordered results, the same with one process or several."""

from __future__ import annotations

import operator
import subprocess
import sys

import pytest
from conftest import SEEDS, subprocess_env

from cleanwire.engines import get_engine
from cleanwire.engines.local import LocalEngine
from cleanwire.errors import ConfigError, ExitCode


@pytest.mark.parametrize("jobs", [1, 2])
def test_map_keeps_input_order(jobs: int) -> None:
    items = list(range(50))
    assert list(LocalEngine(jobs).map(operator.mul, items, 3)) == [i * 3 for i in items]


def test_a_stopped_reader_ends_the_workers() -> None:
    results = LocalEngine(2).map(operator.add, range(1000), 1)
    assert next(results) == 1
    results.close()  # the generator's cleanup ends the pool without waiting for the rest


def test_unknown_engine_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        get_engine("spark", 1)


def _pid_and(item: int, state: int) -> tuple[int, int]:
    import os

    return os.getpid(), item * state


def test_workers_start_with_the_engine_and_serve_every_stage_with_its_state() -> None:
    engine = LocalEngine(2)
    try:
        first = list(engine.map(_pid_and, range(20), 3))
        held = bytearray(50 * 1024 * 1024)  # the main process grows between stages, the workers do not see it
        second = list(engine.map(_pid_and, range(20), 5))
        assert [v for _, v in first] == [i * 3 for i in range(20)]
        assert [v for _, v in second] == [i * 5 for i in range(20)]
        assert len({pid for pid, _ in first + second}) <= 2  # the same two processes throughout
        del held
    finally:
        engine.close()


def test_a_failed_stage_ends_the_workers_and_the_next_stage_starts_new_ones() -> None:
    engine = LocalEngine(2)
    try:
        with pytest.raises(ZeroDivisionError):
            list(engine.map(operator.truediv, [1, 2, 0, 4], 0))
        assert list(engine.map(operator.add, range(5), 1)) == [1, 2, 3, 4, 5]
    finally:
        engine.close()


def test_the_local_engine_is_an_engine_whose_workers_share_files() -> None:
    from cleanwire.engines import Engine

    engine: Engine = LocalEngine(1)
    assert engine.shares_files and engine.jobs == 1 and engine.name == "local"


# --- a thread that cannot start (a tight memory cap) fails the run in one line, never hangs (issue 18 item 11)

_FEEDER_FAILS = """
import multiprocessing.queues, sys
from cleanwire.cli import main

def no_thread(self):
    raise RuntimeError("can't start new thread")

multiprocessing.queues.Queue._start_thread = no_thread  # what pthread_create failing under `ulimit -v` gives
sys.argv = ["cleanwire", *sys.argv[1:]]
main()
"""

# the cap counts from what the started CLI already maps, so the sweep crosses the same ground on any machine
_CAPPED = """
import resource, sys
from cleanwire.cli import main
import cleanwire.pipeline, numpy  # what a run loads anyway

def mapped() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))

cap = mapped() + int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
sys.argv = ["cleanwire", *sys.argv[2:]]
main()
"""

needs_linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")


def _python(code: str, *args: object) -> subprocess.CompletedProcess[str]:
    # the timeout only guards against the hang under test; the runs take a second or two
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          env=subprocess_env(), timeout=120)


@needs_linux
def test_a_pool_thread_that_cannot_start_fails_the_run_with_one_line() -> None:
    done = _python(_FEEDER_FAILS, "dedupe", "--jobs", 2, "-q", SEEDS)
    assert done.returncode == ExitCode.OUT_OF_RESOURCES
    assert done.stderr == "error: cannot go on: cannot start a thread (out of memory or of threads)\n"
    assert done.stdout == ""


@needs_linux
@pytest.mark.parametrize("jobs", [1, 2])
def test_runs_under_a_tight_memory_cap_succeed_or_fail_in_one_line(jobs: int) -> None:
    outcomes = set()
    for extra_mb in range(0, 40, 2):  # from too little to start to enough (about 20 MB)
        done = _python(_CAPPED, extra_mb * 2**20, "dedupe", "--jobs", jobs, "-q", "--format", "jsonl", SEEDS)
        assert done.returncode in (ExitCode.SUCCESS, ExitCode.OUT_OF_RESOURCES), (extra_mb, done.stderr)
        if done.returncode == ExitCode.OUT_OF_RESOURCES:
            assert done.stderr.startswith("error: cannot go on: ") and done.stderr.count("\n") == 1, done.stderr
            assert done.stdout == ""
        outcomes.add(done.returncode)
    assert outcomes == {ExitCode.SUCCESS, ExitCode.OUT_OF_RESOURCES}  # the sweep crossed the limit
