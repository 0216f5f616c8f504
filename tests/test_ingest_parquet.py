"""Parquet input: a table of records read as JSON lines reads its lines, by row groups, spread over parts;
a damaged file is one error naming it, and the run goes on."""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path

import pytest
from ingest_helpers import STORY, read

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from cleanwire.config import IngestConfig  # noqa: E402
from cleanwire.document import Document  # noqa: E402
from cleanwire.ingest import InputSet, parts  # noqa: E402
from cleanwire.ingest import parquet as ingest_parquet  # noqa: E402


def _words(i: int) -> str:
    return " ".join(hashlib.blake2b(f"{i}.{j}".encode(), digest_size=4).hexdigest() for j in range(40))


def corpus(n: int) -> list[dict[str, object]]:
    """Records with and without ids, urls and an extra field; three stories copied, so dedupe finds duplicates."""
    out: list[dict[str, object]] = []
    for i in range(n):
        record: dict[str, object] = {"text": f"Record {i % (n - 3)}. {STORY}{_words(i % (n - 3))}", "lang": "en"}
        if i % 4:
            record = {"id": f"d{i}", **record, "url": f"https://x.test/{i}"}
        out.append(record)
    return out


def write_forms(folder: Path, records: list[dict[str, object]], row_group_size: int = 8) -> tuple[Path, Path]:
    """The corpus as JSON lines and as Parquet (a null where a record lacks a field)."""
    jsonl = folder / "corpus.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in records))
    table = pa.Table.from_pylist(records, schema=pa.schema([("id", pa.string()), ("text", pa.string()),
                                                             ("lang", pa.string()), ("url", pa.string())]))
    parquet = folder / "corpus.parquet"
    pq.write_table(table, parquet, row_group_size=row_group_size)
    return jsonl, parquet


def fields(docs: list[Document], name: str) -> list[tuple[str, str, str | None, str | None, dict[str, object]]]:
    """What a document holds, its source's file name made neutral (corpus.jsonl:3 and corpus.parquet:3 alike)."""
    return [(d.id.replace(name, "corpus"), d.text, d.url, d.error, d.metadata) for d in docs]


def test_parquet_reads_as_its_json_lines_form(tmp_path: Path) -> None:
    jsonl, parquet = write_forms(tmp_path, corpus(20))
    from_jsonl, from_parquet = read([jsonl]), read([parquet])
    assert len(from_parquet) == 20 and all(d.error is None for d in from_parquet)
    assert fields(from_jsonl, "corpus.jsonl") == fields(from_parquet, "corpus.parquet")
    assert from_parquet[0].id == f"{parquet}:1" and from_parquet[1].id == "d1"  # `<file>:<row>`, 1-based
    assert [d.source for d in from_parquet[:2]] == [f"{parquet}:1", f"{parquet}:2"]
    assert from_parquet[1].metadata == {"lang": "en"} and from_parquet[1].url == "https://x.test/1"


def test_columns_are_the_configured_fields_and_other_types_become_json_values(tmp_path: Path) -> None:
    table = pa.table({
        "key": pa.array([7, None]), "body": ["<html><body><p>" + STORY + "</p></body></html>", None],
        "plain": [None, STORY], "link": ["https://x.test/a", "https://x.test/b"], "headline": ["A", "B"],
        "when": pa.array([datetime.datetime(2024, 1, 2, 3, 4, 5), None], pa.timestamp("s")),
        "raw": pa.array([b"bytes", None]), "tags": [["a", "b"], []],
    })
    pq.write_table(table, tmp_path / "t.parquet")
    docs = read([tmp_path / "t.parquet"], text_field="plain", html_field="body", id_field="key", url_field="link",
                title_field="headline")
    assert [(d.id, d.kind, d.url, d.title) for d in docs] == [
        ("7", "html", "https://x.test/a", "A"), (f"{tmp_path / 't.parquet'}:2", "text", "https://x.test/b", "B")]
    assert docs[0].metadata == {"when": "2024-01-02T03:04:05", "raw": "bytes", "tags": ["a", "b"]}
    assert docs[1].metadata == {"tags": []}  # a null cell is no field, as a JSON line without it


def test_parquet_by_signature_on_stdin_and_in_folders(tmp_path: Path) -> None:
    import io

    _, parquet = write_forms(tmp_path, corpus(6))
    data = parquet.read_bytes()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "shard-0000").write_bytes(data)  # no extension: the PAR1 signature tells
    (tmp_path / "sub" / "manifest.csv").write_text("a,b\n")
    assert [d.text for d in read([tmp_path / "sub"])] == [d.text for d in read([parquet])]
    stdin = read(["-"], stdin=io.BytesIO(data))
    assert [d.id for d in stdin][:2] == ["stdin:1", "d1"] and all(d.error is None for d in stdin)
    assert read([tmp_path / "sub" / "shard-0000"], input_format="parquet")[0].error is None
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x.pq").write_bytes(data)  # an extension cleanwire does not know: the signature tells
    assert [d.text for d in read([tmp_path / "other"])] == [d.text for d in read([parquet])]


def test_a_damaged_parquet_file_is_one_error_and_the_run_goes_on(tmp_path: Path) -> None:
    _, parquet = write_forms(tmp_path, corpus(12))
    data = parquet.read_bytes()
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) // 2])  # the footer is gone
    (tmp_path / "text.parquet").write_text("PAR1 is not here\n")
    docs = read([tmp_path / "cut.parquet", parquet, tmp_path / "text.parquet"])
    errors = [(d.source, d.error) for d in docs if d.error is not None]
    assert len(errors) == 2 and len(docs) == 14
    assert errors[0][0].endswith("cut.parquet") and "not a readable Parquet file" in (errors[0][1] or "")
    assert errors[1][0].endswith("text.parquet") and "\n" not in (errors[1][1] or "")


def test_a_damaged_row_group_keeps_the_rows_before(tmp_path: Path) -> None:
    table = pa.table({"id": [f"r{i}" for i in range(40)], "text": [f"{STORY}{_words(i)}" for i in range(40)]})
    path = tmp_path / "x.parquet"
    pq.write_table(table, path, row_group_size=10, compression="none")
    meta = pq.read_metadata(path)
    column = meta.row_group(2).column(1)  # the text of rows 21-30
    data = bytearray(path.read_bytes())
    start = column.data_page_offset
    data[start: start + 64] = b"\xff" * 64  # its page header is garbage
    path.write_bytes(bytes(data))
    docs = read([path])
    assert [d.id for d in docs[:20]] == [f"r{i}" for i in range(20)] and all(d.error is None for d in docs[:20])
    assert docs[-1].error is not None and "after row 20" in docs[-1].error and len(docs) == 21


def test_an_empty_table_is_an_empty_input(tmp_path: Path) -> None:
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), tmp_path / "e.parquet")
    assert [d.error for d in read([tmp_path / "e.parquet"])] == ["empty input"]


def test_large_files_are_spread_over_parts_by_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 4 * 1024)
    monkeypatch.setattr(ingest_parquet, "PART_ROW_GROUP_BYTES", 8 * 1024)
    jsonl, parquet = write_forms(tmp_path, corpus(200), row_group_size=5)
    with InputSet([str(parquet)], IngestConfig()) as inputs:
        cut = list(inputs.parts())
        docs = list(inputs.documents())
    assert len(cut) > 3 and all(p.end > p.start for p in cut)
    assert [p.first_line for p in cut] == [p.start * 5 for p in cut]
    assert fields(read([jsonl]), "corpus.jsonl") == fields(docs, "corpus.parquet")


def test_without_pyarrow_the_file_is_one_error_naming_the_extra(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    _, parquet = write_forms(tmp_path, corpus(6))
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails
    docs = read([parquet])
    assert [(d.source, d.error) for d in docs] == [(str(parquet), ingest_parquet.MISSING)]
    assert "pip install 'cleanwire[parquet]'" in ingest_parquet.MISSING
