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
