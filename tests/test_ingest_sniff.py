"""Ingest sniffing: the format by extension or content, and binary files as one error."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest
from ingest_helpers import STORY, by_id, one, one_stdin, read


def test_format_by_extension_then_by_sniffing(tmp_path: Path) -> None:
    html = "<!DOCTYPE html>\n<html><head><title>T</title></head><body><p>" + STORY + "</p></body></html>"
    (tmp_path / "page.htm").write_text(html)
    (tmp_path / "page_no_ext").write_text("\n  " + html)
    (tmp_path / "records.data").write_text(json.dumps({"id": "r1", "text": STORY}) + "\n")
    (tmp_path / "dump.txt").write_text(html)  # .txt is a text dump whatever it holds
    (tmp_path / "less_than.dat").write_text("<3 is a heart, and " + STORY)
    docs = by_id(read([tmp_path]))
    assert docs["page.htm"].kind == "html" and docs["page.htm"].text == html
    assert docs["page_no_ext"].kind == "html"
    assert docs["r1"].kind == "text" and docs["r1"].source.endswith("records.data:1")
    assert docs["dump.txt"].kind == "text"
    assert docs["less_than.dat"].kind == "text"


def test_forced_input_format(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("<p>" + STORY + "</p>")
    assert one([page], input_format="html").kind == "html"
    records = tmp_path / "records.txt"
    records.write_text(json.dumps({"text": STORY}) + "\n")
    assert one([records], input_format="jsonl").id == f"{records}:1"


def test_json_array_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps([{"text": STORY}]))
    assert "jq -c" in (one([path]).error or "")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        gzip.compress(STORY.encode() * 20, mtime=0),
        b"\xff\xd8\xff\xe0" + bytes(200),
        b"PK\x03\x04" + b"\x14\x00" * 50,
        random.Random(7).randbytes(4096),
        STORY.encode() + b"\x00\x00\x01\x02" + STORY.encode(),
        bytes(range(1, 32)) * 50,
    ],
    ids=["png", "gzip", "jpeg", "zip", "random", "nul", "controls"],
)
def test_binary_files_are_one_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    doc = one([path])
    assert doc.error is not None and doc.error.startswith("binary file"), doc.error
    assert doc.text == ""


def test_json_lines_sniffing_survives_a_broken_line() -> None:
    lines = [json.dumps({"id": "a", "text": STORY}), "{broken json", json.dumps({"id": "c", "text": 42})]
    docs = read(["-"], stdin=io.BytesIO("\n".join(lines).encode()))
    assert [(d.id, d.error is None) for d in docs] == [("a", True), ("stdin:2", False), ("c", False)]
    docs = read(["-"], stdin=io.BytesIO("\n".join(["{broken", *lines[:1], *lines[:1]]).encode()))
    assert [d.id for d in docs] == ["stdin:1", "a", "a#2"]
    assert one_stdin(b"{not json at all}\nand some text\n").kind == "text"
