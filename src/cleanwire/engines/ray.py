"""The Ray engine: the same stage functions as the local engine, run as Ray tasks.

Imported only for `--engine ray` (the `cleanwire[ray]` extra, Ray core only). Each task
runs a stage function over one item of the pipeline (an input part it reads itself, a range
of fingerprint buckets to search, a batch of candidate pairs to verify, a spill segment to
format), or over a chunk of consecutive items; the run's shared state (config, learned
template) goes to the object store once. Results come back in input order, so both engines
write byte-identical output.

Where every node sees this machine's temporary folder (a local Ray; a cluster whose $TMPDIR is
one shared file system, checked on every node at start), the engine shares files like the
local workers: tasks write the spill's records and the fingerprints there and read them back,
and the main process never holds the corpus's fingerprints. Else only items and results
travel, and the main process does that work itself.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import tempfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

try:
    import ray
except ImportError as exc:  # re-raised with the install hint by engines.get_engine
    raise ImportError("ray is not installed") from exc

from cleanwire.errors import ConfigError

T = TypeVar("T")
R = TypeVar("R")

# The pipeline's items are already sized for a task (input parts of a few MiB, verification batches),
# so one item per task; raise it for pipelines that map over small batches.
BATCHES_PER_TASK = 1
CONNECT_SECONDS = 10  # to find out that nothing listens at --ray-address
OBJECT_STORE_BYTES = 256 * 2**20  # a local Ray started by cleanwire needs little: tasks carry batches


# A new local Ray warns on stderr that it enabled token authentication (its default, kept);
# --quiet promises nothing on stderr but errors, so that one notice is held back.
AUTH_LOGGER = "ray._private.authentication.authentication_token_setup"


@contextmanager
def _quiet_logger(name: str) -> Iterator[None]:
    """Hold back a logger's warnings for the duration of the block."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    """Set an environment variable for the duration of the block (for the processes started in it)."""
    before = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if before is None:
            del os.environ[name]
        else:
            os.environ[name] = before


def _join(address: str) -> None:
    """Join the Ray cluster at `address`, or say in one usage error that it cannot be reached.

    A host:port that refuses or does not answer is found out at once: Ray itself would retry for minutes.
    """
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if host and port.isdigit():
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_SECONDS).close()
        except OSError as exc:
            raise ConfigError(f"--ray-address {address}: no Ray cluster answers there ({exc.strerror or exc})") from exc
    try:
        ray.init(address=address, configure_logging=False, log_to_driver=False)
    except (ConnectionError, TimeoutError, ValueError, RuntimeError) as exc:
        raise ConfigError(f"--ray-address {address}: cannot join the Ray cluster: {exc}") from exc


@ray.remote(num_cpus=0)
def _reads(path: str, token: str) -> bool:
    """Whether the node this task runs on sees the file at `path`, holding `token`."""
    try:
        with open(path, encoding="ascii") as f:
            return f.read() == token
    except OSError:
        return False


def nodes_share_files(directory: str | None = None) -> bool:
    """Whether every live node of the Ray this process is connected to sees the files in `directory`
    ($TMPDIR by default): one task on each reads a file written here."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    token = secrets.token_hex(16)
    handle, path = tempfile.mkstemp(prefix="cleanwire-probe-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="ascii") as f:
            f.write(token)
        nodes = [node["NodeID"] for node in ray.nodes() if node.get("Alive")]  # type: ignore[no-untyped-call]
        checks = [_reads.options(scheduling_strategy=NodeAffinitySchedulingStrategy(node, soft=False))
                  .remote(path, token) for node in nodes]
        return bool(nodes) and all(ray.get(checks))
    finally:
        os.unlink(path)


@ray.remote
def _run_chunk(fn: Callable[[Any, Any], Any], items: list[Any], state: Any) -> list[Any]:
    """One Ray task: the stage function over a chunk of batches (state arrives resolved)."""
    return [fn(item, state) for item in items]


class RayEngine:
    """The Ray `Engine`: runs `fn(item, state)` over items as Ray tasks, yielding results in input order."""

    name = "ray"

    def __init__(self, jobs: int = 1, address: str | None = None, *,
                 batches_per_task: int = BATCHES_PER_TASK, object_store_bytes: int = OBJECT_STORE_BYTES) -> None:
        self.jobs = jobs
        self.batches_per_task = max(1, batches_per_task)
        self._owns_ray = False
        local = not address and not ray.is_initialized()  # a Ray of this machine, started here
        if not ray.is_initialized():
            if address:
                _join(address)
            else:
                # workers of a local Ray must import this very cleanwire, also from a source checkout: they
                # inherit the environment Ray's processes start with (a runtime_env would do it too, but
                # its agent adds seconds to every worker's start)
                package_root = str(Path(__file__).resolve().parents[2])
                pythonpath = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
                with _quiet_logger(AUTH_LOGGER), _environment("PYTHONPATH", pythonpath):
                    # "local": a Ray of its own, even where another runs on this machine (without
                    # --ray-address, cleanwire joins nothing)
                    ray.init(address="local", num_cpus=jobs, object_store_memory=object_store_bytes,
                             include_dashboard=False, configure_logging=False, log_to_driver=False)
            self._owns_ray = True
        # keep every CPU busy and one chunk queued behind each, but no more: memory stays flat
        cpus = max(1, int(ray.cluster_resources().get("CPU", jobs)))  # type: ignore[no-untyped-call]
        self.window = 2 * cpus + 1
        if not local:  # a cluster's CPUs, not --jobs, say how many tasks run at once
            self.jobs = cpus
        # the workers write and read the spill and the fingerprints themselves where they see this
        # machine's temporary folder (see Engine.shares_files); else they only get items and results
        self.shares_files = local or nodes_share_files()

    def map(self, fn: Callable[[T, Any], R], items: Iterable[T], state: Any) -> Generator[R, None, None]:
        """Yield fn(item, state) for each item, in order; state goes to the object store once."""
        state_ref = ray.put(state)
        pending: deque[Any] = deque()
        iterator = iter(items)
        try:
            while chunk := list(islice(iterator, self.batches_per_task)):
                pending.append(_run_chunk.remote(fn, chunk, state_ref))
                if len(pending) >= self.window:
                    yield from ray.get(pending.popleft())
            while pending:
                yield from ray.get(pending.popleft())
        finally:  # interrupted, failed, or the caller stopped reading: no task is left writing files
            for ref in pending:
                ray.cancel(ref)

    def close(self) -> None:
        """Shut down the local Ray this engine started, or disconnect from a joined cluster (it keeps running)."""
        if self._owns_ray and ray.is_initialized():
            ray.shutdown()
        self._owns_ray = False
