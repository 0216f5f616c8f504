"""Which writer a command's output goes to, and the output folder of stories with its clusters.json."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from rich.console import Console

from cleanwire.emit.jsonl import write_jsonl
from cleanwire.emit.records import cluster_records, write_records
from cleanwire.emit.terminal import render_clusters
from cleanwire.engines.base import Engine
from cleanwire.errors import ConfigError
from cleanwire.outdir import OutputDir
from cleanwire.process import writing_to
from cleanwire.results import Counters, DedupeResult
from cleanwire.spill import Record


def default_format(fmt: str | None, terminal_format: str) -> str:
    """jsonl on a pipe; a view for people on a terminal."""
    if fmt:
        return fmt
    return terminal_format if sys.stdout.isatty() else "jsonl"


def open_output_dir(path: str | None, overwrite: bool = False) -> OutputDir | None:
    """The --output-dir folder, created, locked and checked now (before any input is read), or None.

    A folder that holds files is refused (ConfigError) unless `overwrite`, which removes what an earlier run
    listed in clusters.json (and clusters.json); other files stay.
    """
    if path is None:
        return None
    folder = OutputDir(path)
    try:
        if overwrite:
            folder.clear_earlier_run()
        elif names := folder.leftovers():
            shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
            raise ConfigError(f"--output-dir {path.rstrip('/')}/ is not empty ({len(names)} entries: {shown}); add "
                              f"--overwrite to replace an earlier run's files, or choose an empty folder")
    except BaseException:
        folder.close()
        raise
    return folder


def write_stories(records: Iterable[Record], folder: OutputDir) -> Iterator[Record]:
    """Write each canonical story's text, then clusters.json; pass the records on."""
    clusters: list[dict[str, Any]] = []
    for record in records:
        if not record.get("canonical_id"):
            with writing_to(str(folder.root)):
                path = folder.write_text(record["id"], record.get("text") or "", record.get("source"))
            clusters.append({"id": record["id"], "file": path.name, "title": record.get("title"),
                             "duplicates": record.get("duplicates", [])})
        yield record
    with writing_to(str(folder.root)):
        folder.write_json("clusters.json", clusters)


def write_dedupe_output(result: DedupeResult, fmt: str | None, folder: OutputDir | None, engine: Engine,
                        counters: Counters, out: TextIO, *, include_all: bool = False,
                        written: Callable[[int], None] | None = None) -> None:
    """Write a dedupe result in `fmt` (the table of stories by default on a terminal) and to `folder`.

    JSON lines straight to the stream take the fast path; its seconds are counted as "output".
    `written(n)` is told how many records were just written (or taken into the table), for a progress bar.
    """
    records: Iterable[Record] = cluster_records(result, include_all=include_all)
    if written is not None:
        records = _counted(records, written)
    if folder is not None:
        records = write_stories(records, folder)
    fmt = default_format(fmt, "rich")
    if fmt == "rich":
        render_clusters(records, Console(file=out, highlight=False))
    elif fmt == "parquet" and folder is not None:  # the command made sure of the folder (cli.parquet_output)
        from cleanwire.emit.parquet import PARQUET_FILE, write_parquet

        with writing_to(str(folder.root / PARQUET_FILE)):
            write_parquet(records, str(folder.root / PARQUET_FILE))
    elif fmt == "jsonl" and folder is None:
        started = time.perf_counter()
        out.flush()
        write_jsonl(result, out.buffer, engine, include_all=include_all, written=written)
        out.flush()
        counters.seconds["output"] = time.perf_counter() - started
    else:
        write_records(records, fmt, out)


def _counted(records: Iterable[Record], written: Callable[[int], None], every: int = 256) -> Iterator[Record]:
    """The records, passed on; `written` is told of them `every` at a time, and of the last few at the end."""
    count = 0
    for record in records:
        yield record
        count += 1
        if count == every:
            written(count)
            count = 0
    if count:
        written(count)
