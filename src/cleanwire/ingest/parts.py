"""Entries -> parts: small files grouped, large JSON lines files cut into line-aligned byte ranges."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import numpy as np

from cleanwire.config import IngestConfig
from cleanwire.ingest.compressed import ArchiveError, DecompressedStream, compression_of, inner_name, open_decompressed
from cleanwire.ingest.discover import Entry
from cleanwire.ingest.sniff import SNIFF_BYTES, detect_format, jsonl_refusal, known_format, magic_kind

PART_BYTES = 4 * 1024 * 1024  # about this much input per part: enough work to hide the cost of a task
COMPRESSED_PART_BYTES = PART_BYTES // 4  # compressed files larger than this are cut into pieces (text: 4-10x)
PART_FILES = 64  # at most this many small files per part
_LINE_CHUNK = 1024 * 1024  # a line longer than a part is read to its end in pieces of this size
_BLANK = re.compile(rb"[ \t\n\r\f\v]*")  # what JSON lines skips as blank lines (bytes.isspace)


@dataclass(frozen=True, slots=True)
class Part:
    """A slice of the run's inputs that one worker reads on its own.

    Whole files (many small ones grouped), or a line-aligned byte range of one large JSON lines file.
    Picklable, so an engine can send it to a worker process or a Ray task.
    """

    entries: tuple[Entry, ...]
    start: int = 0  # byte range of entries[0] when `end` >= 0
    end: int = -1  # -1: the entries are read whole
    first_line: int = 0  # lines of the file before `start`
    size: int = 0  # bytes to read, as listed: for progress, not for reading


def make_parts(entries: Iterable[Entry], cfg: IngestConfig, pieces: PieceFiles | None = None) -> Iterator[Part]:
    """Group small files into parts; cut large JSON lines files into line-aligned byte ranges.

    Large compressed JSON lines files are decompressed here, ahead of the workers, into pieces of about
    PART_BYTES in temporary files that `pieces` makes (without it they are read whole by one worker).
    """
    group: list[Entry] = []
    group_bytes = 0
    for entry in entries:
        size = listed_size(entry)
        ranges = _parquet_ranges(entry, cfg) if size > PART_BYTES else None
        if ranges is not None:  # a large Parquet file: its row groups spread over the parts
            if group:
                yield Part(tuple(group), size=group_bytes)
                group, group_bytes = [], 0
            yield from (Part((entry,), first, end, before, part_size) for first, end, before, part_size in ranges)
            continue
        compression = _compressed_jsonl(entry, cfg) if size > COMPRESSED_PART_BYTES and pieces else None
        if (size > PART_BYTES and _is_jsonl_file(entry, cfg)) or compression is not None:
            if group:
                yield Part(tuple(group), size=group_bytes)
                group, group_bytes = [], 0
            if compression is not None and pieces is not None:
                yield from _decompressed_pieces(entry, compression, pieces)
            else:
                yield from _jsonl_ranges(entry, size)
            continue
        group.append(entry)
        group_bytes += size
        if len(group) >= PART_FILES or group_bytes >= PART_BYTES:
            yield Part(tuple(group), size=group_bytes)
            group, group_bytes = [], 0
    if group:
        yield Part(tuple(group), size=group_bytes)


def listed_size(entry: Entry) -> int:
    """The size of an entry's file now; 0 for an error entry or a file that cannot be stat'ed."""
    if entry.error is not None:
        return 0
    try:
        return os.stat(entry.path).st_size
    except OSError:
        return 0  # reading it will name the cause


def _is_jsonl_file(entry: Entry, cfg: IngestConfig) -> bool:
    """A JSON lines file to cut into ranges; not one that is refused whole (binary, UTF-16, text)."""
    known = known_format(entry.path, cfg)
    if known is not None and known != "jsonl":
        return False
    try:
        with open(entry.path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError:
        return False
    if known is None and detect_format(entry.path, head) != "jsonl":
        return False
    return magic_kind(head) is None and jsonl_refusal(head) is None


def _parquet_ranges(entry: Entry, cfg: IngestConfig) -> list[tuple[int, int, int, int]] | None:
    """A Parquet file's row groups in ranges for the parts (ingest.parquet), or None: not Parquet, one range,
    or unreadable (then it is one part, and its reader names the cause)."""
    if entry.error is not None or entry.format is not None:
        return None
    known = known_format(entry.path, cfg)
    if known is None:
        try:
            with open(entry.path, "rb") as f:
                known = detect_format(entry.path, f.read(SNIFF_BYTES))
        except OSError:
            return None
    if known != "parquet":
        return None
    from cleanwire.ingest.parquet import row_group_ranges

    ranges = row_group_ranges(entry.path)
    return ranges if ranges is not None and len(ranges) > 1 else None


class PieceFiles(Protocol):
    """Makes the temporary files that hold decompressed pieces (the run's Spools)."""

    def new_file(self, suffix: str = "") -> tuple[int, str]: ...


def _compressed_jsonl(entry: Entry, cfg: IngestConfig) -> str | None:
    """The compression of a compressed JSON lines file that can be cut into pieces, else None."""
    if entry.error is not None or entry.format is not None:
        return None
    try:
        with open(entry.path, "rb") as f:
            compression = compression_of(f.read(16))
            if compression is None:
                return None
            f.seek(0)
            head = open_decompressed(f, compression).read(SNIFF_BYTES)
    except (OSError, ArchiveError):
        return None  # reading it will name the cause
    name = inner_name(entry.path)
    known = known_format(name, cfg)
    if (known or detect_format(name, head)) != "jsonl":
        return None
    return compression if magic_kind(head) is None and jsonl_refusal(head) is None else None


def _decompressed_pieces(entry: Entry, compression: str, pieces: PieceFiles) -> Iterator[Part]:
    """A compressed JSON lines file decompressed into line-aligned pieces of about PART_BYTES, one part each.

    A damaged archive ends with the pieces of the complete lines before the damage, then one error part
    naming how far it got.
    """
    try:
        f = open(entry.path, "rb")
    except OSError:
        yield Part((entry,))  # reading it will name the cause
        return
    with f:
        stream = DecompressedStream(f, compression)
        buffer = bytearray(PART_BYTES)
        view = memoryview(buffer)
        carry = b""  # the start of the next piece: bytes after the last line end of a read
        lines, read_to, blank = 0, 0, True
        failure: ArchiveError | None = None
        while True:
            filled = len(carry)
            view[:filled] = carry
            carry = b""
            while filled < PART_BYTES and failure is None:
                try:
                    got = stream.readinto(view[filled:])
                except ArchiveError as exc:
                    failure = exc
                    break
                if not got:
                    break
                filled += got
            if not filled:
                break
            ended = filled < PART_BYTES  # the data's end (or its damage) is in this buffer
            # with damage, only complete lines: the line it cut short is not a record
            written = filled if failure is None else buffer.rfind(b"\n", 0, filled) + 1
            more = 0
            fd, path = pieces.new_file(".jsonl")
            with os.fdopen(fd, "wb") as out:
                out.write(view[:written])
                if not ended and buffer[filled - 1] != 0x0A:  # a line goes on past the buffer: to its end
                    more, carry, failure = _rest_of_line(stream, out, min(_LINE_CHUNK, PART_BYTES))
                    if failure is not None:  # the damage is in that line: drop it
                        written = buffer.rfind(b"\n", 0, filled) + 1
                        out.truncate(written)
                        more = 0
            newlines = buffer.count(b"\n", 0, written) + (1 if more else 0)
            if blank:
                skip = 3 if lines == 0 and buffer.startswith(b"\xef\xbb\xbf") else 0
                blank = not more and _BLANK.fullmatch(buffer, skip, written) is not None
            consumed = stream.consumed()
            if written + more:
                yield Part((Entry(entry.id, path, entry.source, format="jsonl"),), 0, written + more, lines,
                           consumed - read_to)
            lines += newlines
            read_to = consumed
            if ended or failure is not None:
                break
    if failure is not None:
        where = f"after line {lines}, {stream.produced:,} bytes decompressed; the records before it are kept"
        yield Part((Entry(entry.id, entry.path, entry.source, f"{failure}: {where}"),))
    elif blank:
        yield Part((Entry(entry.id, entry.path, entry.source, "empty input"),))


def _rest_of_line(stream: DecompressedStream, out: BinaryIO, chunk: int) -> tuple[int, bytes, ArchiveError | None]:
    """Write the rest of a line to `out`: (bytes written, what follows its line end, a damage met)."""
    piece = bytearray(chunk)  # smaller than a part: what follows the line end fits in the next part
    written = 0
    while True:
        try:
            got = stream.readinto(piece)
        except ArchiveError as exc:
            return written, b"", exc
        if not got:
            return written, b"", None
        end = piece.find(b"\n", 0, got)
        if end >= 0:
            out.write(piece[:end + 1])
            return written + end + 1, bytes(piece[end + 1:got]), None
        out.write(piece[:got])
        written += got


class _NewlineCounter:
    """Counts the line ends in a buffer that is read into again and again (numpy: several times `bytes.count`)."""

    def __init__(self, size: int) -> None:
        self.buffer = bytearray(size)
        self._bytes = np.frombuffer(self.buffer, dtype=np.uint8)
        self._equal = np.empty(size, dtype=bool)

    def count(self, size: int) -> int:
        """Line ends in the first `size` bytes of the buffer."""
        equal = self._equal[:size]
        np.equal(self._bytes[:size], 0x0A, out=equal)
        return int(np.count_nonzero(equal))


def _jsonl_ranges(entry: Entry, size: int) -> Iterator[Part]:
    """Line-aligned byte ranges of about PART_BYTES, each knowing how many lines come before it."""
    try:
        f = open(entry.path, "rb")
    except OSError:
        yield Part((entry,))  # reading it will name the cause
        return
    # one buffer for every range: fresh 4 MB buffers cost as much in page faults as the counting
    counter = _NewlineCounter(PART_BYTES)
    with f:
        start, lines = 0, 0
        blank = True  # no record so far: the parts' readers cannot tell, each sees only its own range
        while start < size:
            f.seek(start)
            got = f.readinto(counter.buffer)
            if not got:  # the file is shorter than it was when listed: its parts end here
                break
            end = start + got
            newlines = counter.count(got)  # counted now rather than by reading the range again
            if blank:  # stops at the first byte that is not blank: at once for a file of records
                skip = 3 if start == 0 and counter.buffer.startswith(b"\xef\xbb\xbf") else 0
                blank = _BLANK.fullmatch(counter.buffer, skip, got) is not None
            if end < size and counter.buffer[got - 1] != 0x0A:
                end, ended = _to_line_end(f, end)
                newlines += ended
                if blank:  # the end of a line longer than the buffer: blank too?
                    f.seek(start + got)
                    blank = _rest_blank(f, end - start - got)
            yield Part((entry,), start, end, lines, end - start)
            lines += newlines
            start = end
    if blank:  # a file of blank lines is an input too, as a small one is (jsonl.read_jsonl)
        yield Part((Entry(entry.id, entry.path, entry.source, "empty input"),))


def _rest_blank(f: BinaryIO, size: int) -> bool:
    """Are the next `size` bytes of `f` blank? (The end of a long line past a range's buffer.)"""
    while size > 0:
        chunk = f.read(min(size, _LINE_CHUNK))
        if not chunk:
            return True
        if _BLANK.fullmatch(chunk) is None:
            return False
        size -= len(chunk)
    return True


def _to_line_end(f: BinaryIO, end: int) -> tuple[int, int]:
    """Read on from `end` past the next line end: the new end, and 1 if a newline ended it (0 at end of file)."""
    f.seek(end)
    rest = f.readline()
    while rest and not rest.endswith(b"\n"):  # a line longer than a part: read to its end
        more = f.readline(_LINE_CHUNK)
        if not more:
            break
        rest = more if len(rest) > _LINE_CHUNK else rest + more
    return f.tell(), int(rest.endswith(b"\n"))  # only the last piece read can hold a newline, at its end
