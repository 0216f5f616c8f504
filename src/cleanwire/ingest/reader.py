"""Parts -> Documents: each file read by its format (text, HTML page, JSON lines), a failure as an error document."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import BinaryIO

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest.compressed import (
    ArchiveError,
    DecompressedStream,
    compression_of,
    decompressed_stream,
    inner_name,
    open_decompressed,
)
from cleanwire.ingest.decode import decode_bytes
from cleanwire.ingest.discover import Entry
from cleanwire.ingest.failures import error_document, reason
from cleanwire.ingest.jsonl import read_jsonl
from cleanwire.ingest.parquet import read_parquet
from cleanwire.ingest.parts import Part
from cleanwire.ingest.sniff import SNIFF_BYTES, binary_kind, detect_format, jsonl_refusal, known_format, magic_kind
from cleanwire.ingest.text import BLANK
from cleanwire.ingest.warc import TruncatedRecord, read_up_to, read_warc, starts_as_warc

_JSONL_BUFFER = 256 * 1024


def read_part(part: Part, cfg: IngestConfig) -> Iterator[Document]:
    """The documents of one part, errors included, in order (ids are made unique by the caller)."""
    for entry in part.entries:
        yield from _read_entry(entry, cfg, part.start, part.end, part.first_line)


def _read_entry(entry: Entry, cfg: IngestConfig, start: int = 0, end: int = -1,
                first_line: int = 0) -> Iterator[Document]:
    """The documents of one entry; an unexpected failure becomes an error document, not a crash."""
    if entry.error is not None:
        yield error_document(entry.id, entry.source, entry.error)
        return
    line = [first_line]
    try:
        yield from _read_file(entry.path, entry, cfg, line, start, end)
    except Exception as exc:  # a bug or an odd OS failure must not stop the run
        where = f"{entry.source}:{line[0]}" if line[0] else entry.source
        yield error_document(entry.id if not line[0] else f"{entry.id}:{line[0]}", where, reason(exc))


def _read_file(path: str, entry: Entry, cfg: IngestConfig, line: list[int], start: int = 0,
               end: int = -1) -> Iterator[Document]:
    """The documents of one regular file: one for a text or HTML page, one per line for JSON lines.

    With `end` >= 0 the file is a large JSON lines file and only the lines in [start, end) are read.
    """
    known = entry.format or known_format(entry.path, cfg)
    try:
        # JSON lines are read line by line: a larger buffer saves a read call and a copy every few lines
        f = open(path, "rb", buffering=_JSONL_BUFFER if known == "jsonl" else -1)
    except OSError as exc:
        yield error_document(entry.id, entry.source, f"cannot read: {reason(exc)}")
        return
    with f:
        if entry.format is not None:  # a decompressed piece of a large file, judged when it was cut
            f.seek(start)
            yield from read_jsonl(f, entry, cfg, line, (end - start) if end >= 0 else -1)
            return
        size = os.fstat(f.fileno()).st_size
        if known in ("text", "html") and size > cfg.max_bytes:
            yield error_document(entry.id, entry.source, _too_large(size, cfg))
            return
        head = f.read(SNIFF_BYTES)
        compression = compression_of(head)
        if compression is not None:
            f.seek(0)
            yield from _read_compressed(f, compression, entry, cfg, line)
            return
        fmt = known or detect_format(entry.path, head)
        if fmt == "parquet":  # read by row groups; with `end` >= 0 only row groups [start, end)
            yield from read_parquet(f, entry, cfg, line, start, end)
            return
        if fmt == "warc":  # records are judged one by one (a gzip-encoded HTTP body looks binary)
            f.seek(0)
            yield from _read_warc(f, None, entry, cfg, line)
            return
        refusal = _refusal(fmt, head, size, cfg)
        if refusal is not None:
            if start == 0:  # a later part of a refused file: its first part reports it, once
                yield error_document(entry.id, entry.source, refusal)
            return
        if fmt == "jsonl":
            f.seek(start)
            yield from read_jsonl(f, entry, cfg, line, (end - start) if end >= 0 else -1)
            return
        data = head + f.read() if len(head) == SNIFF_BYTES else head
    yield _page_document(data, fmt, entry, cfg)


def _read_compressed(f: BinaryIO, compression: str, entry: Entry, cfg: IngestConfig,
                     line: list[int]) -> Iterator[Document]:
    """The documents of a compressed file, decompressed as they are read; its format is told by the name
    without the compression's extension (`a.jsonl.gz`), else by the decompressed content."""
    name = inner_name(entry.path)
    if known_format(name, cfg) == "warc" or starts_as_warc(f, compression):  # before sniffing: a short damaged
        # file would fail there, before its first record
        yield from _read_warc(f, compression, entry, cfg, line)
        return
    stream = open_decompressed(f, compression)
    try:
        # from the raw stream: what came before damage in the first bytes is kept (the buffer's read would drop it)
        head = read_up_to(decompressed_stream(stream), SNIFF_BYTES)
        fmt = known_format(name, cfg) or detect_format(name, head)
        if fmt == "warc":
            f.seek(0)
            yield from _read_warc(f, compression, entry, cfg, line)
            return
        refusal = _refusal(fmt, head, -1, cfg)
        if refusal is not None:
            yield error_document(entry.id, entry.source, refusal)
            return
        if fmt == "jsonl":
            f.seek(0)  # read again from the start: sniffing took the first bytes
            stream = open_decompressed(f, compression)
            yield from read_jsonl(stream, entry, cfg, line)
            return
        # read on even after a short head: damage right after it raises here, not a page cut short
        data = head + stream.read(max(0, cfg.max_bytes + 1 - len(head)))
    except ArchiveError as exc:
        produced = decompressed_stream(stream).produced
        where = f"after line {line[0]}, {produced:,} bytes decompressed; the records before it are kept" \
            if line[0] else f"after {produced:,} bytes decompressed"
        yield error_document(entry.id, entry.source, f"{exc}: {where}")
        return
    if len(data) > cfg.max_bytes:
        yield error_document(entry.id, entry.source,
                             f"too large: over {cfg.max_bytes} bytes decompressed (limit {cfg.max_bytes})")
        return
    yield _page_document(data, fmt, entry, cfg)


def _read_warc(f: BinaryIO, compression: str | None, entry: Entry, cfg: IngestConfig,
               line: list[int]) -> Iterator[Document]:
    """The documents of a WARC or WET file (compressed or not); damage is one error after the records before it."""
    stream: BinaryIO | DecompressedStream = DecompressedStream(f, compression) if compression else f
    try:
        yield from read_warc(stream, entry, cfg, line)
    except (ArchiveError, TruncatedRecord) as exc:
        yield error_document(entry.id, entry.source, f"{exc}: {_warc_where(line[0])}")
    except Exception as exc:  # warcio: a record it cannot parse
        yield error_document(entry.id, entry.source, f"invalid WARC: {reason(exc)}: {_warc_where(line[0])}")
    finally:
        line[0] = 0  # the error names the file, not a line


def _warc_where(records: int) -> str:
    if not records:
        return "before its first record"
    return f"stopped in or after record {records}; the pages before it are kept"


def _refusal(fmt: str, head: bytes, size: int, cfg: IngestConfig) -> str | None:
    """Why a file of format `fmt` that starts with `head` is not read at all, or None to read it."""
    # JSON lines are judged line by line (one bad line must not lose the file), unless a signature says binary
    binary = magic_kind(head) if fmt == "jsonl" else binary_kind(head)
    if binary is not None:
        return f"binary file ({binary})"
    if fmt == "jsonl":
        return jsonl_refusal(head)
    if fmt == "json-array":
        return "a JSON array, not JSON lines (convert it: jq -c '.[]')"
    if size > cfg.max_bytes:
        return _too_large(size, cfg)
    return None


def _page_document(data: bytes, fmt: str, entry: Entry, cfg: IngestConfig) -> Document:
    """The one document of a text dump or HTML page read whole, or the error that stands for it."""
    if len(data) > cfg.max_bytes:
        return error_document(entry.id, entry.source, _too_large(len(data), cfg))
    text = decode_bytes(data, html=fmt == "html")
    if text is None:
        return error_document(entry.id, entry.source, "binary file (no plausible text encoding)")
    if "\x00" in text:  # a few NUL bytes in a real page (lxml refuses them): not part of the story
        text = text.replace("\x00", "")
    if not text.strip(BLANK):
        return error_document(entry.id, entry.source, "empty input")
    return Document(id=entry.id, text=text, source=entry.source, kind=fmt)


def _too_large(size: int, cfg: IngestConfig) -> str:
    return f"too large: {size} bytes (limit {cfg.max_bytes})"
