"""WARC and WET files -> Documents: HTML responses through the HTML path, WET conversions through the text path.

Read with warcio (the `cleanwire[warc]` extra), imported only when a WARC file is read. Compressed files
(`.warc.gz`, and zstd, bzip2, xz) are decompressed by `compressed`, so a damaged archive is one error after
the records before it. A file is read whole by one worker: `--jobs` spreads files, not the records of one.

- `response` records with HTTP status 200 and an HTML content type (text/html, application/xhtml+xml) are
  documents of kind "html"; `conversion` records (WET) are documents of kind "text".
- Other responses (not HTML, or a status other than 200) are skipped and counted (`skipped_records`), as are
  `resource` records; request, metadata, warcinfo and revisit records are no pages: ignored.
- WARC-Target-URI -> url, WARC-Record-ID (without `<urn:uuid:...>`) -> id, WARC-Date -> date; a record
  without an id is "<file id>:<record number>". Source: "<file>:<record number>" (1-based, every record counted).
- The HTTP body is de-chunked and decoded (gzip, br...) by warcio; its charset is the HTTP header's, else the
  page's (decode_bytes).
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest.compressed import ArchiveError, DecompressedStream, inner_name, sniffed_head
from cleanwire.ingest.decode import decode_bytes
from cleanwire.ingest.discover import Entry
from cleanwire.ingest.failures import error_document, reason
from cleanwire.ingest.sniff import SNIFF_BYTES, WARC_SIGNATURE, detect_format, known_format
from cleanwire.ingest.text import BLANK

MISSING = "reading WARC needs warcio: pip install 'cleanwire[warc]'"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_PAGE_RECORDS = ("response", "conversion", "resource")  # the records that can hold a page


def read_warc(stream: BinaryIO | DecompressedStream, entry: Entry, cfg: IngestConfig,
              line: list[int]) -> Iterator[Document]:
    """The documents of a (decompressed) WARC or WET stream; raises what reading the stream raises
    (`line[0]` then holds the number of the last record read)."""
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        yield error_document(entry.id, entry.source, MISSING)
        return
    head = read_up_to(stream, len(WARC_SIGNATURE))
    if not head.startswith(WARC_SIGNATURE):  # warcio would read other text as an old ARC file, quietly
        yield error_document(entry.id, entry.source, "not a WARC file: it does not start with WARC/1.")
        return
    number = 0
    for record in ArchiveIterator(_Prefixed(head, stream), ensure_http_headers=False):
        number += 1
        line[0] = number
        doc = _record_document(record, number, entry, cfg)
        if doc is not None:
            yield doc


def starts_as_warc(f: BinaryIO, compression: str) -> bool:
    """Does the compressed file `f` hold a WARC? Looks at the first decompressed bytes only, so a short
    damaged file is told too (the reader then reports the damage); `f` is left at its start."""
    try:
        return read_up_to(DecompressedStream(f, compression), len(WARC_SIGNATURE)) == WARC_SIGNATURE
    except (ArchiveError, OSError):
        return False
    finally:
        f.seek(0)


def read_up_to(stream: BinaryIO | DecompressedStream, size: int) -> bytes:
    """The first `size` bytes of a raw stream (fewer at its end or before damage)."""
    head = b""
    while len(head) < size:
        try:
            chunk = stream.read(size - len(head))
        except ArchiveError:
            if head:
                break
            raise
        if not chunk:
            break
        head += chunk
    return head


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream, then the rest of it."""

    def __init__(self, head: bytes, stream: BinaryIO | DecompressedStream) -> None:
        super().__init__()
        self._head = head
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            take = min(len(view), len(self._head))
            view[:take] = self._head[:take]
            self._head = self._head[take:]
            return take
        data = self._stream.read(len(view))
        if not data:
            return 0
        view[:len(data)] = data
        return len(data)


def skip_reason(record: Any) -> str | None:
    """Why a page record is skipped (not HTML, not status 200), or None: read it, or ignore it (not a page)."""
    kind = record.rec_type
    if kind == "conversion" or kind not in _PAGE_RECORDS:
        return None
    if kind == "resource":
        return "WARC resource record (not an HTTP response)"
    http = record.http_headers
    if http is None:
        return "WARC response without HTTP headers"
    status = http.get_statuscode()
    if status != "200":
        return f"WARC response with HTTP status {status}"
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type not in _HTML_TYPES:
        return f"WARC response of type {content_type or 'unknown'}, not HTML"
    return None


def skipped_records(entry: Entry, cfg: IngestConfig) -> list[tuple[str, str]]:
    """(source, why) of every skipped record of a WARC file, reading headers only; [] for other files. A
    damaged or unreadable file gives what came before (reading it reports the damage)."""
    if entry.error is not None or entry.format is not None:
        return []
    named = known_format(inner_name(entry.path), cfg)
    if named is not None and named != "warc":
        return []  # named as another format: not even opened
    out = []
    try:
        with open(entry.path, "rb") as f:
            head, compression, name = sniffed_head(
                f, entry.path, SNIFF_BYTES, lambda raw, kind, size: read_up_to(DecompressedStream(raw, kind), size))
            if (known_format(name, cfg) or detect_format(name, head)) != "warc" or not head.startswith(WARC_SIGNATURE):
                return []
            from warcio.archiveiterator import ArchiveIterator

            f.seek(0)
            stream: BinaryIO | DecompressedStream = DecompressedStream(f, compression) if compression else f
            number = 0
            for record in ArchiveIterator(stream, ensure_http_headers=False):
                number += 1
                why = skip_reason(record)
                if why is not None:
                    out.append((f"{entry.source}:{number}", why))
    except Exception:  # noqa: BLE001 - warcio missing, damage: reading the file reports it
        pass
    return out


def _record_document(record: Any, number: int, entry: Entry, cfg: IngestConfig) -> Document | None:
    """The document of one record, an error document, or None for a record that holds no page."""
    kind = record.rec_type
    if kind not in ("response", "conversion") or skip_reason(record) is not None:
        return None
    headers = record.rec_headers
    record_id = _record_id(headers.get_header("WARC-Record-ID")) or f"{entry.id}:{number}"
    where = f"{entry.source}:{number}"
    try:
        body = record.content_stream().read(cfg.max_bytes + 1)
    except Exception as exc:  # noqa: BLE001 - a body warcio cannot decode: this record fails, the file goes on
        return error_document(record_id, where, f"cannot read the WARC record: {reason(exc)}")
    if len(body) > cfg.max_bytes:
        return error_document(record_id, where, f"too large: over {cfg.max_bytes} bytes (limit {cfg.max_bytes})")
    raw = record.raw_stream
    if getattr(raw, "limit", 0) > 0:  # warcio stops quietly where the file ends
        raise TruncatedRecord(f"truncated WARC record: the file ends inside record {number}")
    html = kind == "response"
    text = _decode(body, record.http_headers if html else None, html)
    if text is None:
        return error_document(record_id, where, "binary file (no plausible text encoding)")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip(BLANK):
        return error_document(record_id, where, "empty input")
    return Document(id=record_id, text=text, source=where, kind="html" if html else "text",
                    url=headers.get_header("WARC-Target-URI") or None, date=headers.get_header("WARC-Date") or None)


class TruncatedRecord(Exception):
    """An uncompressed WARC cut short inside a record."""


def _record_id(value: str | None) -> str | None:
    """`<urn:uuid:X>` -> X; other ids without their angle brackets."""
    if not value:
        return None
    value = value.strip().removeprefix("<").removesuffix(">")
    return value.removeprefix("urn:uuid:") or None


def _decode(body: bytes, http: Any, html: bool) -> str | None:
    """The body as text: in the charset the HTTP header names when it decodes cleanly, else as files are."""
    declared = _CHARSET.search(http.get_header("Content-Type") or "") if http is not None else None
    if declared is not None:
        try:
            name = codecs.lookup(declared.group(1)).name
            if name in ("iso8859-1", "latin-1", "ascii"):
                name = "cp1252"  # as browsers read them
            return body.decode(name)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong or unknown label: the bytes tell
    return decode_bytes(body, html=html)
