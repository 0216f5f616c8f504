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
    (tmp_path / "less_than").write_text("<3 is a heart, and " + STORY)  # no extension: sniffed
    docs = by_id(read([tmp_path]))
    assert docs["page.htm"].kind == "html" and docs["page.htm"].text == html
    assert docs["page_no_ext"].kind == "html"
    assert docs["r1"].kind == "text" and docs["r1"].source.endswith("records.data:1")
    assert docs["dump.txt"].kind == "text"
    assert docs["less_than"].kind == "text"


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
        b"\x04\x22\x4d\x18" + gzip.compress(STORY.encode() * 20, mtime=0),  # lz4 (gzip is read: see compressed)
        b"\xff\xd8\xff\xe0" + bytes(200),
        b"PK\x03\x04" + b"\x14\x00" * 50,
        random.Random(7).randbytes(4096),
        (STORY.encode() + b"\x00\x00\x01\x02" * 30) * 10,
        bytes(range(1, 32)) * 50,
    ],
    ids=["png", "lz4", "jpeg", "zip", "random", "nul", "controls"],
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


def _page_with_nuls(paragraphs: int, nuls: int, where: str) -> bytes:
    """An HTML page of `paragraphs` paragraphs with `nuls` NUL bytes: spread through the text, or inside an <img>."""
    body = [f"<p>{STORY.strip()} ({n})</p>" for n in range(paragraphs)]
    if where == "img":
        body.insert(1, '<img src="photo' + "\x00" * nuls + '.jpg" alt="harbour">')
    else:
        step = max(1, len(body) // max(nuls, 1))
        for n in range(nuls):
            body[(n * step) % len(body)] += "\x00"
    page = ("<!DOCTYPE html>\n<html><head><title>Harbour fees</title></head><body><article>"
            + "\n".join(body) + "</article></body></html>\n")
    return page.encode()


@pytest.mark.parametrize(
    ("paragraphs", "nuls", "where"),
    [(160, 27, "text"), (340, 1, "text"), (40, 22, "img"), (3, 22, "img")],
    ids=["27-in-33k", "1-in-69k", "22-in-img", "22-in-img-small-page"],
)
@pytest.mark.parametrize("name", ["page.html", "page_no_ext"])
def test_html_with_a_few_nul_bytes_is_read_without_them(tmp_path: Path, paragraphs: int, nuls: int,
                                                        where: str, name: str) -> None:
    data = _page_with_nuls(paragraphs, nuls, where)
    assert data.count(b"\x00") == nuls
    path = tmp_path / name
    path.write_bytes(data)
    doc = one([path])
    assert doc.error is None and doc.kind == "html", doc.error
    assert "\x00" not in doc.text
    assert doc.text == data.decode().replace("\x00", "")


def test_text_dump_with_nul_bytes_is_read_without_them(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_bytes(STORY.encode() + b"\x00\x00\x01\x02" + STORY.encode())
    doc = one([path])
    assert doc.error is None and doc.text == STORY + "\x01\x02" + STORY


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"\x00" * 4096, "NUL bytes"),
        ((STORY.encode() + b"\x00" * 200) * 20, "NUL bytes"),
        (b"MZ\x90\x00" + b"This program cannot be run in DOS mode." * 3 + bytes(60), "executable"),
        (b"\xcf\xfa\xed\xfe" + STORY.encode() * 10, "executable"),
        (b"\x00asm\x01\x00\x00\x00" + STORY.encode() * 10, "WebAssembly"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + STORY.encode() * 10, "Office document"),
        (b"Rar!\x1a\x07\x01\x00" + STORY.encode() * 10, "RAR archive"),
        (STORY.encode() * 2 + b"\x00" * 30 + b"ustar\x0000" + STORY.encode() * 10, "tar archive"),
    ],
    ids=["all-nul", "nul-padded-records", "pe", "mach-o", "wasm", "ole", "rar", "tar"],
)
def test_real_binaries_are_still_refused(tmp_path: Path, data: bytes, kind: str) -> None:
    if kind == "tar archive":
        data = data[:257].ljust(257, b"x") + b"ustar\x0000" + STORY.encode() * 10
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    assert one([path]).error == f"binary file ({kind})"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_wide_text_without_bom_is_text_not_binary(tmp_path: Path, codec: str) -> None:
    text = STORY * 5 + "Café, naïve, 港町.\n"
    path = tmp_path / "wide.txt"
    path.write_bytes(text.encode(codec))
    doc = one([path])
    assert doc.error is None and doc.text == text
