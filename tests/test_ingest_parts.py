"""Ingest parts: small files grouped, large JSON lines files cut on line ends and read as the whole file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest import InputSet, discover, parts, reader


def _snapshot(docs: Iterable[Document]) -> list[tuple[str, str, str, str | None]]:
    return [(d.id, d.source, d.text, d.error) for d in docs]


def test_parts_of_a_large_jsonl_file_read_the_same_documents_as_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = []
    for i in range(60):
        if i % 7 == 3:
            lines.append("")  # blank lines count for line numbers, not as records
        elif i % 11 == 5:
            lines.append("{broken")
        else:
            lines.append(json.dumps({"text": f"story {i} " + "word " * (i % 13)}))
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = _snapshot(InputSet([str(path)], IngestConfig()).documents())
    monkeypatch.setattr(parts, "PART_BYTES", 97)
    inputs = InputSet([str(path)], IngestConfig())
    pieces = list(inputs.parts())
    assert len(pieces) > 5
    assert all(p.end > p.start for p in pieces)
    assert _snapshot(inputs.documents()) == whole
    assert _snapshot(d for p in pieces for d in reader.read_part(p, IngestConfig())) == whole
    assert any(source.endswith(":59") for _, source, _, _ in whole)  # line 60 is blank


def test_small_files_are_grouped_into_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(10):
        (tmp_path / f"{i:02}.txt").write_text(f"page {i}\n", encoding="utf-8")
    monkeypatch.setattr(parts, "PART_FILES", 4)
    pieces = list(InputSet([str(tmp_path)], IngestConfig()).parts())
    assert [len(p.entries) for p in pieces] == [4, 4, 2]
    assert [e.id for p in pieces for e in p.entries] == [f"{i:02}.txt" for i in range(10)]


@pytest.mark.parametrize("part_bytes", [1, 7, 50, 97, 301])
def test_parts_start_after_the_lines_before_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_bytes: int
) -> None:
    lines = [b"", b"{" + b"x" * 299, b"short", b"", b"\r", b"y" * 120, b"z", b"w" * 40]  # one "{": JSON lines
    path = tmp_path / "r.jsonl"
    for name, data in (("newline", b"\n".join(lines) + b"\n"), ("no-newline", b"\n".join(lines))):
        path.write_bytes(data)
        monkeypatch.setattr(parts, "PART_BYTES", part_bytes)
        pieces = list(InputSet([str(path)], IngestConfig()).parts())
        lines_before = [(p.start, data[:p.start].count(b"\n")) for p in pieces]
        assert [(p.start, p.first_line) for p in pieces] == lines_before, name
        assert pieces[-1].end == len(data) and all(a.end == b.start for a, b in zip(pieces, pieces[1:]))


def test_parts_are_cut_once_while_they_are_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps({"text": f"story {i}"}) + "\n" for i in range(40)), encoding="utf-8")
    monkeypatch.setattr(parts, "PART_BYTES", 64)
    cut: list[int] = []
    ranges = parts._jsonl_ranges

    def counted(*args: Any) -> Iterator[parts.Part]:
        for part in ranges(*args):
            cut.append(part.start)
            yield part

    monkeypatch.setattr(parts, "_jsonl_ranges", counted)
    inputs = InputSet([str(path)], IngestConfig())
    first = inputs.parts()
    head = [next(first), next(first)]
    assert len(cut) == 2  # the rest of the file is not read yet
    again = list(inputs.parts())  # a second pass, while the first is still going
    assert again[:2] == head and len(again) > 5
    assert list(first) == again[2:]
    assert len(cut) == len(again)  # each part was cut once


def test_a_file_that_shrank_after_it_was_listed_is_cut_to_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    data = b"".join(json.dumps({"text": f"story {i}"}).encode() + b"\n" for i in range(20))
    path.write_bytes(data)
    pieces = list(parts._jsonl_ranges(discover._named("r.jsonl", str(path)), len(data) + 1000))
    assert pieces[-1].end == len(data)


def _read_all(path: Path) -> list[tuple[str, str, str, str | None]]:
    with InputSet([str(path)], IngestConfig()) as inputs:
        return _snapshot(inputs.documents())


def test_a_large_jsonl_file_of_blank_lines_is_reported_not_lost(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_bytes(b"\n \r\n\t\n" * (parts.PART_BYTES // 3))  # 8 MiB of blank lines: cut into parts
    assert _read_all(path) == [(str(path), str(path), "", "empty input")]
    small = tmp_path / "small.jsonl"
    small.write_bytes(b"\n\n")
    assert [d[3] for d in _read_all(small)] == ["empty input"]


def test_a_large_jsonl_file_blank_only_in_its_later_parts_is_read_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "tail.jsonl"
    path.write_bytes(json.dumps({"id": "r1", "text": "a story"}).encode() + b"\n" * (parts.PART_BYTES * 2))
    assert [(d[0], d[3]) for d in _read_all(path)] == [("r1", None)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_a_large_wide_jsonl_file_is_one_error_naming_the_file(tmp_path: Path, codec: str) -> None:
    line = json.dumps({"id": "r", "text": "The harbour committee met on Thursday. " * 20}) + "\n"
    path = tmp_path / "wide.jsonl"
    path.write_bytes((line * (11 * 1024 * 1024 // (len(line) * (4 if codec == "utf-32" else 2)))).encode(codec))
    assert path.stat().st_size > 2 * parts.PART_BYTES
    assert _read_all(path) == [(str(path), str(path), "", "JSON lines in UTF-16/32; convert to UTF-8 (iconv)")]


def test_a_large_text_file_named_jsonl_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_bytes(b"The harbour committee met on Thursday and agreed a new fee.\n" * (3 * parts.PART_BYTES // 60))
    docs = _read_all(path)
    assert len(docs) == 1 and docs[0][0] == str(path), docs[:3]
    assert docs[0][3] == "not JSON lines: no JSON object on its first lines"


@pytest.mark.parametrize("part_bytes", [1, 7, 50])
def test_blank_parts_are_judged_to_the_end_of_their_last_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_bytes: int
) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", part_bytes)
    path = tmp_path / "r.jsonl"
    path.write_bytes(b"\n" + b" " * 120 + b"\n\t\n")
    assert [d[3] for d in _read_all(path)] == ["empty input"]
    path.write_bytes(b"\xef\xbb\xbf\n" + b" " * 120 + json.dumps({"id": "late", "text": "x"}).encode() + b"\n\n")
    assert [(d[0], d[3]) for d in _read_all(path)] == [("late", None)]
