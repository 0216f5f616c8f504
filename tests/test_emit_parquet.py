"""Parquet output and the done-when of Parquet input: one corpus as .jsonl and as .parquet dedupes alike, and
a Parquet output read back equals the JSON lines output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_ingest_parquet import corpus, write_forms

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from cleanwire.cli import cli  # noqa: E402
from cleanwire.emit import parquet as emit_parquet  # noqa: E402
from cleanwire.spill import Record  # noqa: E402


def _no_nulls(value: Any) -> Any:
    """A record without its null fields, at every depth: a Parquet row has every column, null where absent."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def _run(*args: str) -> bytes:
    done = CliRunner().invoke(cli, [*args, "-q"])
    assert done.exit_code == 0, done.output
    return done.stdout_bytes


def test_dedupe_of_the_jsonl_and_parquet_forms_is_the_same(tmp_path: Path) -> None:
    jsonl, parquet = write_forms(tmp_path, corpus(24))
    from_jsonl = _run("dedupe", str(jsonl), "--all", "--format", "jsonl")
    from_parquet = _run("dedupe", str(parquet), "--all", "--format", "jsonl")
    assert b'"canonical_id":"d' in from_jsonl  # the copies were found: there are duplicates to compare
    # only the file's name differs (in sources, and in the ids of records without one): byte for byte else
    assert from_parquet.replace(b"corpus.parquet:", b"corpus.jsonl:") == from_jsonl
    assert [json.loads(line) for line in from_parquet.replace(b"corpus.parquet:", b"corpus.jsonl:").splitlines()] \
        == [json.loads(line) for line in from_jsonl.splitlines()]


@pytest.mark.parametrize("command", ["dedupe", "clean"])
def test_parquet_output_reads_back_as_the_json_lines_output(tmp_path: Path, command: str) -> None:
    jsonl, _ = write_forms(tmp_path, corpus(24))
    extra = ["--all"] if command == "dedupe" else []
    lines = _run(command, str(jsonl), *extra, "--format", "jsonl").splitlines()
    _run(command, str(jsonl), *extra, "--format", "parquet", "--output-dir", str(tmp_path / "out"))
    table = pq.read_table(tmp_path / "out" / "records.parquet")
    assert table.num_rows == len(lines) == 24
    assert [_no_nulls(row) for row in table.to_pylist()] == [_no_nulls(json.loads(line)) for line in lines]
    if command == "dedupe":
        assert pa.types.is_list(table.schema.field("duplicates").type)
        assert pa.types.is_struct(table.schema.field("duplicates").type.value_type)


def test_parquet_is_never_written_to_standard_output(tmp_path: Path) -> None:
    jsonl, _ = write_forms(tmp_path, corpus(6))
    done = CliRunner().invoke(cli, ["dedupe", str(jsonl), "--format", "parquet"])
    assert done.exit_code == 2 and "--output-dir" in done.output and not done.stdout_bytes.startswith(b"PAR1")


def test_row_groups_and_fields_of_several_types(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(emit_parquet, "ROW_GROUP_ROWS", 3)
    records: list[Any] = [{"id": f"r{i}", "n": i, "x": i if i < 5 else f"s{i}", "text": "t"} for i in range(10)]
    records[2] = Record.of({**records[2], "only": {"a": 1}})
    warnings: list[str] = []
    path = tmp_path / "r.parquet"
    assert emit_parquet.write_parquet(records, str(path), warn=warnings.append) == 10
    meta = pq.read_metadata(path)
    assert meta.num_row_groups == 4 and meta.num_rows == 10
    rows = pq.read_table(path).to_pylist()
    assert [r["n"] for r in rows] == list(range(10))
    assert [r["x"] for r in rows] == [json.dumps(i) for i in range(5)] + [json.dumps(f"s{i}") for i in range(5, 10)]
    assert rows[2]["only"] == {"a": 1} and rows[3]["only"] is None
    assert warnings and "x" in warnings[0]
    assert not [p for p in tmp_path.iterdir() if p.name != "r.parquet"]  # no temporary file left


def test_no_records_is_a_file_without_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    assert emit_parquet.write_parquet([], str(path)) == 0
    assert pq.read_metadata(path).num_rows == 0
