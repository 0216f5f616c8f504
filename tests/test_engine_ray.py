"""The Ray engine gives the same output as the local engine, byte for byte."""

from __future__ import annotations

import json
import operator
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleanwire.errors import ConfigError

try:
    import ray
except ImportError:
    ray = None

needs_ray = pytest.mark.skipif(ray is None, reason="needs the ray extra: pip install '.[ray]'")


def test_missing_ray_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    from cleanwire.engines import get_engine

    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    monkeypatch.delitem(sys.modules, "cleanwire.engines.ray", raising=False)
    with pytest.raises(ConfigError, match=r"pip install 'cleanwire\[ray\]'"):
        get_engine("ray", 2)


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """A local Ray with 2 CPUs and a small object store, shared by this module's tests."""
    assert ray is not None
    src = str(Path(__file__).resolve().parents[1] / "src")
    pythonpath = os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p)
    ray.init(num_cpus=2, object_store_memory=100 * 2**20, include_dashboard=False, configure_logging=False,
             log_to_driver=False, runtime_env={"env_vars": {"PYTHONPATH": pythonpath}})
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made-up page dumps with duplicates of every kind, from the benchmark generator."""
    from cleanwire.bench.corpus import write_corpus

    out = tmp_path_factory.mktemp("ray-corpus")
    write_corpus(out, 160, seed=11, shard_size=50)
    return out


@pytest.mark.parametrize("batches_per_task", [1, 3])
@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
@needs_ray
def test_map_keeps_input_order(batches_per_task: int) -> None:
    from cleanwire.engines.local import LocalEngine
    from cleanwire.engines.ray import RayEngine

    batches = [list(range(i, i + 5)) for i in range(0, 200, 5)]
    engine = RayEngine(2, batches_per_task=batches_per_task)
    # a stage function must be importable by the workers: operator.add(batch, state) appends the state
    got = list(engine.map(operator.add, batches, [-1]))
    engine.close()
    assert ray.is_initialized()  # an engine leaves a Ray it did not start running
    assert got == list(LocalEngine(1).map(operator.add, batches, [-1]))


def _run(args: list[str]) -> str:
    from cleanwire.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
@needs_ray
@pytest.mark.parametrize("clean", [True, False])
def test_dedupe_output_is_byte_identical(corpus: Path, clean: bool) -> None:
    args = ["dedupe", str(corpus), "--glob", "shard-*.jsonl", "--format", "jsonl", "--all", "--quiet"]
    args += [] if clean else ["--no-clean"]
    local = _run(args + ["--engine", "local", "--jobs", "1"])
    on_ray = _run(args + ["--engine", "ray", "--jobs", "2"])
    assert on_ray == local
    records = [json.loads(line) for line in local.splitlines()]
    assert len(records) == 160
    assert any(r.get("canonical_id") for r in records)  # the corpus has duplicates and they are found


@pytest.mark.usefixtures("local_ray")
@pytest.mark.ray
@needs_ray
def test_clean_output_is_byte_identical(corpus: Path) -> None:
    args = ["clean", str(corpus / "shard-00001.jsonl"), "--format", "jsonl", "--quiet"]
    assert _run(args + ["--engine", "ray", "--jobs", "2"]) == _run(args + ["--engine", "local", "--jobs", "2"])


@needs_ray
@pytest.mark.parametrize("address", ["127.0.0.1:1", "ray://127.0.0.1:1"])
def test_a_ray_cluster_that_is_not_there_is_a_usage_error_naming_the_option(address: str) -> None:
    from conftest import SEEDS, run_process

    done = run_process("dedupe", SEEDS, "--engine", "ray", "--ray-address", address, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert f"--ray-address {address}" in err and "cannot write" not in err
    assert "Traceback" not in err
