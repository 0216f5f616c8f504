"""Ingest reading: the bad-input fixtures, empty inputs, size limits and read failures as error documents."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from ingest_helpers import BAD, STORY, by_id, one, read

from cleanwire.ingest import discover, reader


@pytest.mark.parametrize(
    ("name", "error", "kind", "snippet"),
    [
        ("image.png", "binary file (PNG image)", None, None),
        ("page.txt.gz", None, "text", "The bridge reopened on Monday after three weeks of repairs, café owners"),
        ("empty.txt", "empty input", None, None),
        ("whitespace_only.txt", "empty input", None, None),
        ("invalid_utf8.txt", None, "text", "Café prices rose again. The bridge"),
        ("cp1252_page.txt", None, "text", "agreed a “temporary” fee of €12 per berth — a figure"),
        ("latin1_page.txt", None, "text", "a voté mardi soir un budget révisé pour l'école élémentaire. « Nous"),
        ("shift_jis_page.txt", None, "text", "港町の市議会は木曜日、新しい防波堤の建設計画を承認した。"),
        ("deeply_nested.html", None, "html", "<div><div><div>"),
        ("malformed.html", None, "html", "<table><tr><td>unclosed"),
    ],
)
def test_bad_input_fixture(name: str, error: str | None, kind: str | None, snippet: str | None) -> None:
    doc = one([BAD / name])
    assert doc.id == str(BAD / name) and doc.source == str(BAD / name)
    if error is None:
        assert doc.error is None and doc.kind == kind and snippet in doc.text
    else:
        assert doc.text == "" and doc.error is not None and doc.error.startswith(error)
        assert "\n" not in doc.error


def test_bad_folder_accounts_for_every_input() -> None:
    docs = read([BAD])
    # image.png is no input format: skipped inside a folder (tests/test_ingest_select.py)
    files = sorted(p.name for p in BAD.iterdir() if p.suffix not in (".jsonl", ".png") and not p.name.startswith("."))
    record_lines = [ln for ln in (BAD / "records.jsonl").read_text().splitlines() if ln.strip()]
    assert len(docs) == len(files) + len(record_lines)
    assert len({d.id for d in docs}) == len(docs)


def test_empty_and_whitespace_only_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\u00a0\u3000\n")
    (tmp_path / "blank.html").write_text("   \n")
    for doc in read([tmp_path]):
        assert doc.error == "empty input"


def _write_large(path: Path, size: int) -> None:
    line = b"All work and no play makes a dull story. " * 24 + b"\n"
    chunk = line * (1024 * 1024 // len(line) + 1)
    with open(path, "wb") as out:
        written = 0
        while written < size:
            part = chunk[: size - written]
            out.write(part)
            written += len(part)


class _CountingFile:
    """A file opened by the reader, counting the read calls made on it and the bytes they returned."""

    def __init__(self, f: BinaryIO, reads: list[int]) -> None:
        self._f, self._reads = f, reads

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self._reads.append(len(data))
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __enter__(self) -> _CountingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._f.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the reads the reader makes on the files it opens."""
    counted: list[int] = []
    monkeypatch.setattr(reader, "open", lambda *a, **k: _CountingFile(open(*a, **k), counted), raising=False)
    return counted


def test_file_above_max_bytes_is_refused_without_reading(tmp_path: Path, reads: list[int]) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as out:  # sparse: 200 MB on paper, nothing on disk, and never read
        out.truncate(200 * 1024 * 1024)
    doc = one([path], max_bytes=10 * 1024 * 1024)
    assert doc.error == f"too large: {200 * 1024 * 1024} bytes (limit {10 * 1024 * 1024})"
    assert sum(reads) == 0  # counted, not timed: refused from its size alone


def test_file_of_200_mb_is_read_when_the_limit_allows(tmp_path: Path, reads: list[int]) -> None:
    path = tmp_path / "big.txt"
    size = 200 * 1024 * 1024
    _write_large(path, size)
    doc = one([path], max_bytes=256 * 1024 * 1024)
    assert doc.error is None and len(doc.text) == size
    assert sum(reads) == size and len(reads) <= 3  # read once, in a few large reads, not line by line


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_real(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(STORY)
    path.chmod(0)
    try:
        assert one([path]).error == "cannot read: permission denied"
    finally:
        path.chmod(0o644)


def test_unreadable_file_and_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_text(STORY)
    (tmp_path / "secret.txt").write_text(STORY)
    (tmp_path / "fine.txt").write_text(STORY)
    real_open, real_scandir = open, os.scandir

    def fake_open(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith("secret.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    def fake_scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "open", fake_open, raising=False)
    monkeypatch.setattr(discover.os, "scandir", fake_scandir)
    docs = by_id(read([tmp_path]))
    assert docs["secret.txt"].error == "cannot read: permission denied"
    assert docs["locked"].error == "cannot list folder: permission denied"
    assert docs["fine.txt"].text == STORY


def test_an_unexpected_failure_is_an_error_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY)

    def broken(data: bytes, html: bool = False) -> str:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(reader, "decode_bytes", broken)
    docs = read([tmp_path])
    assert [(d.id, d.error) for d in docs] == [("a.txt", "RuntimeError: boom second line"),
                                               ("b.txt", "RuntimeError: boom second line")]
