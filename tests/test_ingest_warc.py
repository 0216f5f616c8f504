"""WARC and WET inputs (the `cleanwire[warc]` extra): HTML responses and WET conversions become documents."""

from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

import pytest
from conftest import jsonl, run_cli
from ingest_helpers import STORY, read

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest import InputSet

warcio = pytest.importorskip("warcio")
from warcio.statusandheaders import StatusAndHeaders  # noqa: E402
from warcio.warcwriter import WARCWriter  # noqa: E402

PAGE = ("<html><head><title>Harbour fees</title></head><body><article><h1>Harbour fees</h1>"
        f"<p>{STORY}</p><p>Caf\u00e9 owners on the quay agreed with them.</p></article></body></html>")
WET_TEXT = "Council news\n" + STORY


def _response(writer: WARCWriter, url: str, status: str, content_type: str, body: bytes,
              extra: list[tuple[str, str]] | None = None) -> None:
    http = StatusAndHeaders(status, [("Content-Type", content_type)] + (extra or []), protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))


def _warc(compress: bool) -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=compress)
    w.write_record(w.create_warcinfo_record("crawl.warc", {"software": "tests"}))
    w.write_record(w.create_warc_record("http://news.example/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\n\r\n"),
                                        warc_content_type="application/http; msgtype=request"))
    _response(w, "http://news.example/a", "200 OK", "text/html; charset=windows-1252", PAGE.encode("cp1252"))
    _response(w, "http://news.example/gone", "404 Not Found", "text/html", b"<html><body>Not found</body></html>")
    _response(w, "http://news.example/report.pdf", "200 OK", "application/pdf", b"%PDF-1.4 not a page")
    # a chunked, gzip-encoded body, as servers send them: warcio undoes both
    packed = gzip.compress(PAGE.replace("Harbour fees", "Quay fees").encode())
    chunked = f"{len(packed):x}\r\n".encode() + packed + b"\r\n0\r\n\r\n"
    _response(w, "http://news.example/b", "200 OK", "text/html", chunked,
              [("Transfer-Encoding", "chunked"), ("Content-Encoding", "gzip")])
    w.write_record(w.create_warc_record("http://news.example/a", "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
                                        warc_content_type="application/warc-fields"))
    return buf.getvalue()


def _wet() -> bytes:
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    w.write_record(w.create_warcinfo_record("crawl.warc.wet.gz", {"software": "tests"}))
    w.write_record(w.create_warc_record("http://news.example/c", "conversion", payload=io.BytesIO(WET_TEXT.encode()),
                                        warc_content_type="text/plain"))
    return buf.getvalue()


def _read(paths: list[Path], **cfg: object) -> tuple[list[Document], list[tuple[str, str]]]:
    with InputSet([str(p) for p in paths], IngestConfig(**cfg)) as inputs:  # type: ignore[arg-type]
        return list(inputs.documents()), inputs.skipped_records()


@pytest.mark.parametrize(("name", "compress"), [("crawl.warc", False), ("crawl.warc.gz", True),
                                                ("crawl-00001", True)])  # no name to go by: the signature tells
def test_html_responses_are_documents_and_other_responses_are_skipped_and_counted(
        tmp_path: Path, name: str, compress: bool) -> None:
    path = tmp_path / name
    path.write_bytes(_warc(compress))
    docs, skipped = _read([path])
    assert [(d.kind, d.url, d.error) for d in docs] == [("html", "http://news.example/a", None),
                                                         ("html", "http://news.example/b", None)]
    first, second = docs
    assert "Caf\u00e9 owners" in first.text  # the charset the HTTP header names
    assert "Quay fees" in second.text and "Harbour" not in second.text  # de-chunked and gunzipped
    assert first.id and not first.id.startswith(("<", "urn:")) and len(first.id) == 36  # the record's uuid
    assert first.date is not None and first.date.endswith("Z")
    assert first.source == f"{path}:3"  # the third record (warcinfo, request, response)
    assert [why for _, why in skipped] == ["WARC response with HTTP status 404",
                                           "WARC response of type application/pdf, not HTML"]


def test_wet_conversion_records_go_through_the_text_path(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.wet.gz"
    path.write_bytes(_wet())
    docs, skipped = _read([path])
    assert [(d.kind, d.url, d.text, d.error) for d in docs] == [("text", "http://news.example/c", WET_TEXT, None)]
    assert skipped == []


def test_a_truncated_warc_keeps_the_records_before_the_damage_and_names_the_file(tmp_path: Path) -> None:
    data = _warc(True)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[:data.index(b"\x1f\x8b", len(data) // 2) + 40])  # inside a later record's gzip member
    docs, _ = _read([cut])
    good = [d for d in docs if d.error is None]
    errors = [d for d in docs if d.error is not None]
    assert [d.url for d in good] == ["http://news.example/a"]
    assert len(errors) == 1 and errors[0].source == errors[0].id == str(cut)
    assert "truncated gzip data" in (errors[0].error or "") and "pages before it are kept" in (errors[0].error or "")

    plain = _warc(False)
    cut_plain = tmp_path / "cut.warc"
    cut_plain.write_bytes(plain[:plain.index(b"\r\n0\r\n\r\n") - 10])  # inside the chunked response's body
    docs, _ = _read([cut_plain])
    assert [d.url for d in docs if d.error is None] == ["http://news.example/a"]
    assert [d.error for d in docs if d.error is not None] == [
        "truncated WARC record: the file ends inside record 6: stopped in or after record 6; "
        "the pages before it are kept"]


def test_a_truncated_warc_on_stdin_and_a_file_named_warc_that_is_none(tmp_path: Path) -> None:
    data = _warc(True)
    docs = read(["-"], stdin=io.BytesIO(data[:data.index(b"\x1f\x8b", len(data) // 2) + 40]))
    assert [(d.url, d.error) for d in docs][0] == ("http://news.example/a", None)
    assert len(docs) == 2 and "truncated gzip data" in (docs[1].error or "") and docs[1].source == "stdin"
    fake = tmp_path / "fake.warc"
    fake.write_text("hello, this is no WARC\n")  # warcio alone would read it as an old ARC file
    assert [d.error for d in read([fake])] == ["not a WARC file: it does not start with WARC/1."]


def test_warc_files_in_a_folder_are_inputs_not_skipped_files(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.warc.gz").write_bytes(_warc(True))
    (folder / "b.warc.wet.gz").write_bytes(_wet())
    with InputSet([str(folder)], IngestConfig()) as inputs:
        docs = list(inputs.documents())
        assert inputs.skipped == [] and len(inputs.skipped_records()) == 2
    assert [d.url for d in docs] == ["http://news.example/a", "http://news.example/b", "http://news.example/c"]


def test_without_warcio_a_warc_is_one_error_naming_what_to_install(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(_warc(True))
    monkeypatch.setitem(sys.modules, "warcio.archiveiterator", None)  # import fails
    docs, skipped = _read([path])
    assert [(d.source, d.error) for d in docs] == [(str(path), "reading WARC needs warcio: pip install 'cleanwire[warc]'")]
    assert skipped == []


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cli_reads_warc_and_counts_the_skipped_records(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "a.warc.gz").write_bytes(_warc(True))
    (tmp_path / "b.warc.wet.gz").write_bytes(_wet())
    code, out, err = run_cli("clean", str(tmp_path), "--format", "jsonl", "--jobs", jobs)
    assert code == 0, err
    records = jsonl(out)
    assert [r["url"] for r in records] == ["http://news.example/a", "http://news.example/b", "http://news.example/c"]
    assert "Fishermen said the figure was unfair" in records[0]["text"]
    assert "<p>" not in records[0]["text"] and records[0]["title"] == "Harbour fees"
    assert "2 WARC records skipped (not HTML, or HTTP status not 200)" in err
