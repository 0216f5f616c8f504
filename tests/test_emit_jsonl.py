"""The fast JSON lines path writes exactly what the record path writes, in every way it can run."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from cleanwire.config import CleanConfig, Config
from cleanwire.emit import cluster_records, write_jsonl, write_records
from cleanwire.emit import jsonl as jsonl_module
from cleanwire.engines.local import LocalEngine
from cleanwire.ingest import InputSet
from cleanwire.pipeline import Counters, dedupe

STORY = ("The harbour board voted on Tuesday to raise mooring fees for the first time in a decade, "
         "saying the money would pay for dredging the silted channel before the summer season. ") * 4


def test_jsonl_fast_path_writes_exactly_what_the_record_path_writes(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "same", "text": STORY, "lang": "en"}),
             json.dumps({"id": "same", "text": "Breaking\n" + STORY}),  # a repeated id, and a copy
             json.dumps({"id": "odd\u2028id", "text": "Short \u2029 page with ünïcode."}),
             json.dumps({"id": "c", "text": "An unrelated report on school budgets, with its own facts. " * 5})]
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = Config(clean=CleanConfig(enabled=False))
    for include_all in (False, True):
        with InputSet([str(tmp_path)], config.ingest) as inputs:
            result = dedupe(inputs, config, LocalEngine(1), Counters(), lambda doc: None)
            try:
                slow = io.StringIO()
                write_records(cluster_records(result, include_all=include_all), "jsonl", slow)
                buffer = io.BytesIO()  # no file descriptor: the pieces are joined
                write_jsonl(result, buffer, LocalEngine(1), include_all=include_all)
                fast = buffer.getvalue().decode("utf-8")
            finally:
                result.close()
        assert fast == slow.getvalue()
        assert len(fast.splitlines()) == (4 if include_all else 3)


def test_workers_format_the_output_to_the_same_bytes(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "same", "text": STORY + f" Part {i}. " + "Other words here. " * (i % 3)})
             for i in range(40)]
    lines += [json.dumps({"id": f"u{i}", "text": f"An unrelated report number {i} on school budgets. " * 5})
              for i in range(40)]
    (tmp_path / "in").mkdir()
    for n in range(4):  # several files: several parts and spill segments
        (tmp_path / "in" / f"x{n}.jsonl").write_text("\n".join(lines[n::4]) + "\n", encoding="utf-8")
    config = Config(clean=CleanConfig(enabled=False))
    engine = LocalEngine(2)
    try:
        for include_all in (False, True):
            with InputSet([str(tmp_path / "in")], config.ingest) as inputs:
                result = dedupe(inputs, config, engine, Counters(), lambda doc: None)
                try:
                    want = io.StringIO()
                    write_records(cluster_records(result, include_all=include_all), "jsonl", want)
                    with open(tmp_path / "out.jsonl", "wb") as out:  # a real file: sendfile
                        write_jsonl(result, out, engine, include_all=include_all)
                    buffer = io.BytesIO()  # no file descriptor: copied through a buffer
                    write_jsonl(result, buffer, engine, include_all=include_all)
                    with open(tmp_path / "here.jsonl", "wb") as out:  # one process: written from the spill here
                        write_jsonl(result, out, LocalEngine(1), include_all=include_all)
                finally:
                    result.close()
            assert (tmp_path / "out.jsonl").read_bytes().decode("utf-8") == want.getvalue()
            assert (tmp_path / "here.jsonl").read_bytes().decode("utf-8") == want.getvalue()
            assert buffer.getvalue().decode("utf-8") == want.getvalue()
            emitted = len(want.getvalue().splitlines())
            assert emitted == 80 if include_all else 0 < emitted < 80
    finally:
        engine.close()


def test_a_gathering_write_that_stops_short_is_finished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pieces: list[bytes | memoryview] = [b"first line", memoryview(b"-a view-"), b"\n", b"last"]
    monkeypatch.setattr(jsonl_module.os, "writev", lambda fd, parts: os.write(fd, bytes(parts[0])[:4]))  # 4 bytes only
    fd = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    try:
        jsonl_module._write_all(fd, pieces)
    finally:
        os.close(fd)
    assert (tmp_path / "out").read_bytes() == b"first line-a view-\nlast"
