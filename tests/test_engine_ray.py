"""The Ray engine gives the same output as the local engine, byte for byte."""

from __future__ import annotations

import json
import operator
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
def ray_cluster() -> Iterator[None]:
    """A Ray cluster of two raylets on this machine (one CPU and a small object store each), shared by this
    module's tests: the driver joins it as it would a cluster of several machines."""
    assert ray is not None
    from ray.cluster_utils import Cluster

    here = Path(__file__).resolve().parent
    pythonpath = os.pathsep.join(p for p in (str(here.parent / "src"), str(here), os.environ.get("PYTHONPATH")) if p)
    node = {"num_cpus": 1, "object_store_memory": 80 * 2**20}
    before = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = pythonpath  # the raylets' workers inherit it: they import cleanwire and this module
    try:
        cluster = Cluster(initialize_head=True, head_node_args=node | {"include_dashboard": False})
        cluster.add_node(**node)
    finally:
        os.environ.pop("PYTHONPATH")
        if before is not None:
            os.environ["PYTHONPATH"] = before
    try:
        cluster.wait_for_nodes()
        ray.init(address=cluster.address, configure_logging=False, log_to_driver=False)
        yield
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made-up page dumps with duplicates of every kind, from the benchmark generator, and a file with a bad
    line, an id used before and a page that cleans to nothing."""
    from cleanwire.bench.corpus import write_corpus

    out = tmp_path_factory.mktemp("ray-corpus")
    write_corpus(out, 160, seed=11, shard_size=50)
    first = json.loads((out / "shard-00000.jsonl").read_text().splitlines()[3])
    extra = [json.dumps(first), "{not json", json.dumps({"id": "menu", "text": "Home\nNews\nSport\nContact us"})]
    (out / "shard-extra.jsonl").write_text("\n".join(extra) + "\n")
    return out


def _node_of(item: int, state: int) -> tuple[int, str]:
    import time

    time.sleep(0.05)  # long enough that the tasks queued behind a busy node go to the other
    return item * state, ray.get_runtime_context().get_node_id()


@pytest.mark.parametrize("batches_per_task", [1, 3])
@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.ray
@needs_ray
def test_map_keeps_input_order_and_runs_on_every_node(batches_per_task: int) -> None:
    from cleanwire.engines.local import LocalEngine
    from cleanwire.engines.ray import RayEngine

    batches = [list(range(i, i + 5)) for i in range(0, 200, 5)]
    engine = RayEngine(1, batches_per_task=batches_per_task)
    # a stage function must be importable by the workers: operator.add(batch, state) appends the state
    got = list(engine.map(operator.add, batches, [-1]))
    nodes = {node for _, node in engine.map(_node_of, range(40), 2)} if batches_per_task == 1 else set()
    engine.close()
    assert ray.is_initialized()  # an engine leaves a Ray it did not start running
    assert got == list(LocalEngine(1).map(operator.add, batches, [-1]))
    # a joined cluster: its CPUs are the jobs, and its nodes see this machine's temporary folder
    assert engine.jobs == 2 and engine.shares_files
    assert len(nodes) == 2 or batches_per_task > 1


def _run(args: list[str]) -> str:
    from cleanwire.cli import cli

    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 1, result.output  # the bad line
    return result.stdout


@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.ray
@needs_ray
@pytest.mark.parametrize(("clean", "fmt"), [(True, "jsonl"), (True, "json"), (True, "text"), (False, "jsonl")])
def test_dedupe_output_is_byte_identical(corpus: Path, clean: bool, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from cleanwire import pipeline

    held = []  # the signature store the matching stage was given, and whether the workers searched
    find_matches = pipeline.find_matches

    def spied(signatures: Any, *args: Any, **kwargs: Any) -> Any:
        held.append((signatures.fingerprints, kwargs["shared"] is not None))
        return find_matches(signatures, *args, **kwargs)

    monkeypatch.setattr(pipeline, "find_matches", spied)
    args = ["dedupe", str(corpus), "--glob", "shard-*.jsonl", "--format", fmt, "--all", "--quiet"]
    args += [] if clean else ["--no-clean"]
    local = _run(args + ["--engine", "local", "--jobs", "2"])
    on_ray = _run(args + ["--engine", "ray"])
    assert on_ray == local
    assert held == [(False, True)] * 2  # both engines: the workers hold the fingerprints, the driver none
    if fmt == "jsonl":
        records = [json.loads(line) for line in local.splitlines()]
        assert len(records) == 162  # 160 + the id used again + the menu page; the bad line is an error
        assert any(r.get("canonical_id") for r in records)  # the corpus has duplicates and they are found
        assert any(r.get("renamed_from_id") for r in records)


@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.ray
@needs_ray
def test_nodes_that_do_not_share_files_get_items_and_give_the_same_output(corpus: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from cleanwire.engines import ray as ray_engine

    monkeypatch.setattr(ray_engine, "nodes_share_files", lambda directory=None: False)
    args = ["dedupe", str(corpus), "--glob", "shard-*.jsonl", "--format", "jsonl", "--all", "--quiet"]
    assert _run(args + ["--engine", "ray"]) == _run(args + ["--engine", "local", "--jobs", "2"])


@pytest.mark.usefixtures("ray_cluster")
@pytest.mark.ray
@needs_ray
def test_clean_output_is_byte_identical(corpus: Path) -> None:
    args = ["clean", str(corpus), "--glob", "shard-*.jsonl", "--format", "jsonl", "--quiet"]
    assert _run(args + ["--engine", "ray"]) == _run(args + ["--engine", "local", "--jobs", "2"])


@needs_ray
@pytest.mark.parametrize("address", ["127.0.0.1:1", "ray://127.0.0.1:1"])
def test_a_ray_cluster_that_is_not_there_is_a_usage_error_naming_the_option(address: str) -> None:
    from conftest import SEEDS, run_process

    done = run_process("dedupe", SEEDS, "--engine", "ray", "--ray-address", address, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert f"--ray-address {address}" in err and "cannot write" not in err
    assert "Traceback" not in err
