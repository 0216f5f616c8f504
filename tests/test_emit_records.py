"""Output records: clean documents, stories, failed inputs, and the formats they are written in."""

from __future__ import annotations

import io
import json

from cleanwire.document import Document, json_line
from cleanwire.emit import document_record, error_line, write_records
from cleanwire.spill import Record

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


def test_error_lines_name_the_input_and_why() -> None:
    assert error_line(Document(id="x", text="", source="dir/x.png", error="binary file (PNG image)")) == (
        "error: dir/x.png: binary file (PNG image)")
