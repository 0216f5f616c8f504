"""The local engine: ordered results, the same with one process or several."""

from __future__ import annotations

import operator

import pytest

from cleanwire.engines import get_engine
from cleanwire.engines.local import LocalEngine
from cleanwire.errors import ConfigError


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
