"""Records out: formats, the terminal view and the summary."""

from __future__ import annotations

import io
import json

from rich.console import Console

from cleanwire.document import Document, json_line
from cleanwire.emit import document_record, error_line, render_clusters, summary_text, write_records
from cleanwire.pipeline import Counters, Record

RECORDS = [
    {"id": "a", "title": "Harbour fees rise", "text": "one two three", "duplicates": [
        {"id": "b", "relation": "excerpt", "similarity": 0.3, "containment": 0.98}]},
    {"id": "c", "title": None, "text": "four", "duplicates": []},
]


def test_json_lines_escape_line_separators_that_split_records() -> None:
    line = json_line({"text": "a\u2028b\u2029c\x85d\ne"})
    assert len(line.splitlines()) == 1
    assert json.loads(line)["text"] == "a\u2028b\u2029c\x85d\ne"


def test_write_records_in_each_format() -> None:
    out = io.StringIO()
    assert write_records(RECORDS, "jsonl", out) == 2
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == ["a", "c"]
    out = io.StringIO()
    write_records(iter(RECORDS), "json", out)
    assert [r["id"] for r in json.loads(out.getvalue())] == ["a", "c"]
    out = io.StringIO()
    write_records([], "json", out)
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_records([Record.of(RECORDS[0])], "text", out)
    assert out.getvalue().startswith("=== a (absorbs b)\n# Harbour fees rise\none two three\n")


def test_document_record_passes_unknown_fields_through() -> None:
    doc = Document(id="x", text="body", metadata={"lang": "fr", "crawl": {"day": 2}})
    record = document_record(doc)
    assert record["lang"] == "fr" and record["crawl"] == {"day": 2}
    assert record["id"] == "x" and record["text"] == "body" and record["title"] is None


def test_terminal_view_lists_stories_and_their_duplicates() -> None:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    assert render_clusters(RECORDS, console) == 2
    view = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Harbour fees rise" in view and "excerpt" in view and "0.98" in view
    assert view.index(" a ") < view.index("└ b") < view.index(" c ")


def test_summary_and_error_lines() -> None:
    counters = Counters(documents=3, clusters=2, duplicates=1, errors=1)
    counters.relations["excerpt"] = 1
    assert summary_text(counters, 1.5) == (
        "cleanwire: 3 documents, 2 stories, 1 duplicate (1 excerpt), 1 error in 1.50s")
    assert error_line(Document(id="x", text="", source="dir/x.png", error="binary file (PNG image)")) == (
        "error: dir/x.png: binary file (PNG image)")


def test_a_gathering_write_that_stops_short_is_finished(tmp_path, monkeypatch) -> None:
    import os

    from cleanwire import emit

    pieces = [b"first line", memoryview(b"-a view-"), b"\n", b"last"]
    monkeypatch.setattr(emit.os, "writev", lambda fd, parts: os.write(fd, bytes(parts[0])[:4]))  # 4 bytes only
    fd = os.open(tmp_path / "out", os.O_WRONLY | os.O_CREAT)
    try:
        emit._write_all(fd, pieces)
    finally:
        os.close(fd)
    assert (tmp_path / "out").read_bytes() == b"first line-a view-\nlast"
