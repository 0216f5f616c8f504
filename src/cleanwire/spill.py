"""The spill: cleaned documents on disk, read back by ordinal, so only signatures stay in memory.

This module alone knows the spill's byte layout: one line per document, its output record's JSON
without the closing brace, so the output appends the fields it learns later (duplicates) without
parsing the record again. Everything else sees `Record`s, texts by ordinal, and `Endings`.
"""

from __future__ import annotations

import json
import mmap
import os
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np
import orjson

from cleanwire.document import Document, json_line
from cleanwire.scratch import ScratchDir

BLOCK_BYTES = 1 << 23  # records read back a few megabytes at a time
Piece = bytes | memoryview  # part of an output line, gathered by the writer


def spill_record(doc: Document) -> bytes:
    """A cleaned document's output record as one spill line."""
    return json_line(doc.record())[:-1].encode("utf-8", "surrogatepass") + b"\n"


class Record:
    """An output record serialised once: the JSON of its fields so far, and fields added since."""

    __slots__ = ("_prefix", "_extra", "_fields")

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix  # a JSON object without its closing brace
        self._extra: dict[str, Any] = {}
        self._fields: dict[str, Any] | None = None

    @classmethod
    def of(cls, fields: dict[str, Any]) -> Record:
        """A record from its fields."""
        return cls(json_line(fields)[:-1])

    def add(self, **fields: Any) -> None:
        """Add (or replace) fields at the end of the record."""
        self._extra.update(fields)
        self._fields = None

    def replaced(self, changes: dict[str, Any]) -> Record:
        """The record with `changes` set (in place where a field exists, at the end where not), serialised again."""
        fields = self.fields()
        fields.update(changes)
        return Record.of(fields)

    def json(self) -> str:
        """The record as one line of JSON."""
        if not self._extra:
            return self._prefix + "}"
        return self._prefix + ("" if self._prefix == "{" else ",") + json_line(self._extra)[1:]

    def fields(self) -> dict[str, Any]:
        """The record as a dict (parsed on demand: most records are only written out)."""
        if self._fields is None:
            self._fields = json.loads(self._prefix + "}")
            self._fields.update(self._extra)
        return dict(self._fields)

    def __getitem__(self, key: str) -> Any:
        return self.fields()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A field's value, or `default`."""
        return self.fields().get(key, default)


class Spill:
    """Cleaned documents on disk, one line each, read back by ordinal.

    A private folder of segment files, one after the other in ordinal order. Records the main
    process receives go to a segment it writes; a worker on this machine writes a part's records
    to a segment of its own (`write_segment`), which the spill adopts, so the texts never pass
    through the main process. Closing removes the folder.
    """

    def __init__(self, directory: str | None = None) -> None:
        self._scratch = ScratchDir(".spill", directory)  # a later run removes it if this one is killed
        self.directory = self._scratch.path
        self._paths: list[str] = []
        self._segment = array("i")  # per ordinal: its segment
        self.offsets = array("q")  # per ordinal: where its line starts in its segment
        self._own: BinaryIO | None = None  # the segment append_blob writes, while it is the last one
        self._shown: int | None = None  # segments before this one are the output; the rest only read back

    def append_blob(self, blob: bytes, offsets: Sequence[int]) -> None:
        """Store records serialised elsewhere (`spill_record`): `blob` holds them, starting at `offsets`."""
        if self._own is None:
            handle, path = tempfile.mkstemp(suffix=".jsonl", dir=self.directory)
            self._own = os.fdopen(handle, "wb")
            self._paths.append(path)
        base = self._own.tell()
        self._segment.extend([len(self._paths) - 1] * len(offsets))
        self.offsets.extend(base + offset for offset in offsets)
        self._own.write(blob)

    def adopt(self, path: str, offsets: Sequence[int]) -> None:
        """Take the segment a worker wrote with `write_segment` as the next records."""
        self._close_own()
        self._paths.append(path)
        self._segment.extend([len(self._paths) - 1] * len(offsets))
        self.offsets.extend(offsets)

    def append_reference(self, blob: bytes, offsets: Sequence[int]) -> None:
        """Records read back by ordinal (`texts`, `where`) that are no part of the output (iteration,
        `segments`): an index's documents, after every record of the run."""
        self._close_own()
        if self._shown is None:
            self._shown = len(self._paths)
        self.adopt(write_segment(self.directory, blob), offsets)

    def _close_own(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None

    def texts(self, ordinals: Sequence[int]) -> dict[int, str]:
        """The clean bodies of `ordinals` (read in file order)."""
        return self.where(ordinals).load()

    def where(self, ordinals: Sequence[int]) -> SpillRefs:
        """Where the records of `ordinals` are: enough for a worker on this machine to read them itself."""
        self._close_own()
        return SpillRefs(self._paths, {o: (self._segment[o], self.offsets[o]) for o in ordinals})

    def __iter__(self) -> Iterator[Record]:
        for lines in self._blocks():
            for line in lines:
                yield Record(line.decode("utf-8", "surrogatepass"))

    def _blocks(self) -> Iterator[list[bytes]]:
        """The records' lines (without their line ends), in order, a few megabytes at a time."""
        self._close_own()
        for path in self._paths[:self._shown]:
            yield from _segment_blocks(path, BLOCK_BYTES)

    def segments(self) -> list[tuple[str, int, int]]:
        """(path, first ordinal, records) of each segment, in order."""
        self._close_own()
        segment = np.frombuffer(self._segment, dtype=np.int32) if len(self._segment) else np.empty(0, np.int32)
        bounds = np.searchsorted(segment, np.arange(len(self._paths) + 1)).tolist()
        return [(path, bounds[i], bounds[i + 1] - bounds[i]) for i, path in enumerate(self._paths[:self._shown])]

    def close(self) -> None:
        """Remove the spill's folder and everything in it."""
        self._close_own()
        self._scratch.close()


@dataclass
class SpillRefs:
    """Records of a spill by (segment, offset): what a verification batch carries instead of texts."""

    paths: list[str]
    where: dict[int, tuple[int, int]]  # ordinal -> (segment, offset)

    def __getstate__(self) -> dict[str, Any]:
        # only the segments this batch needs travel
        used = sorted({segment for segment, _ in self.where.values()})
        return {"paths": {i: self.paths[i] for i in used}, "where": self.where}

    def __setstate__(self, state: dict[str, Any]) -> None:
        paths = state["paths"]
        self.paths = [paths.get(i, "") for i in range(max(paths, default=-1) + 1)]
        self.where = state["where"]

    def renumbered(self, keys: Sequence[int]) -> SpillRefs:
        """The same records under other keys: keys[i] for the i-th record asked for."""
        return SpillRefs(self.paths, dict(zip(keys, self.where.values())))

    def load(self) -> dict[int, str]:
        """The clean bodies, read in file order."""
        out: dict[int, str] = {}
        f: BinaryIO | None = None
        segment = -1
        try:
            for ordinal, (at, offset) in sorted(self.where.items(), key=lambda item: item[1]):
                if at != segment:
                    if f is not None:
                        f.close()
                    segment = at
                    f = open(self.paths[segment], "rb")
                assert f is not None
                f.seek(offset)
                line = f.readline().rstrip(b"\n") + b"}"
                try:
                    out[ordinal] = orjson.loads(line)["text"]
                except orjson.JSONDecodeError:  # a lone surrogate, kept as written: the standard library reads it
                    out[ordinal] = json.loads(line)["text"]
        finally:
            if f is not None:
                f.close()
        return out


def _segment_blocks(path: str, size: int) -> Iterator[list[bytes]]:
    """The lines of a spill segment (without their line ends), a few megabytes at a time."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size <= size:  # a worker's part: read whole, no line carried over
            lines = f.read().split(b"\n")
            lines.pop()  # after the last line end
            yield lines
            return
        tail = b""
        while chunk := f.read(size):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()  # the unfinished line, completed by the next chunk
            yield lines


def write_segment(directory: str, blob: bytes) -> str:
    """Write a part's records (`spill_record`s) as a spill segment in `directory` (a worker's side of `Spill.adopt`)."""
    handle, path = tempfile.mkstemp(suffix=".jsonl", dir=directory)
    with os.fdopen(handle, "wb") as f:
        f.write(blob)
    return path


def _ending(fields: dict[str, Any]) -> bytes:
    """What a spill line needs to become the record with `fields` added."""
    return ("," + json_line(fields)[1:]).encode("utf-8", "surrogatepass")


@dataclass
class Endings:
    """What each spill line of a range gains to become its output record (the fast path to a stream)."""

    plain: bytes  # most lines: the same fields
    special: dict[int, bytes | None] = field(default_factory=dict)  # ordinal -> its ending, None: not emitted
    renamed: dict[int, dict[str, Any]] = field(default_factory=dict)  # ordinal -> fields its record changes

    @classmethod
    def adding(cls, fields: dict[str, Any]) -> Endings:
        """Endings that add `fields` to every record unless told otherwise."""
        return cls(_ending(fields))

    def add(self, ordinal: int, fields: dict[str, Any]) -> None:
        """The record of `ordinal` gains `fields` instead."""
        self.special[ordinal] = _ending(fields)

    def drop(self, ordinal: int) -> None:
        """The record of `ordinal` is not emitted."""
        self.special[ordinal] = None

    def rename(self, ordinal: int, changes: dict[str, Any]) -> None:
        """The record of `ordinal` has `changes` set in its fields (a slow path: it is parsed again)."""
        self.renamed[ordinal] = changes


def format_lines(lines: Sequence[Piece], ordinal: int, endings: Endings) -> list[Piece]:
    """The output of spill lines from `ordinal` on: line, ending, line end, ... (joined or gathered once by
    the caller: each copy of the texts costs)."""
    out: list[Piece] = []
    special, plain, renamed = endings.special, endings.plain, endings.renamed
    for line in lines:
        ending = special.get(ordinal, plain)
        if ending is not None:
            if ordinal in renamed:
                out += (_renamed_line(bytes(line), renamed[ordinal], ending), b"\n")
            else:
                out += (line, ending, b"\n") if line != b"{" else (b"{", ending[1:], b"\n")
        ordinal += 1
    return out


def _renamed_line(line: bytes, changes: dict[str, Any], ending: bytes) -> bytes:
    """A record whose fields changed after the worker wrote it, rewritten."""
    record = Record(line.decode("utf-8", "surrogatepass")).replaced(changes)
    return record.json().encode("utf-8", "surrogatepass")[:-1] + ending


def segment_output(path: str, first: int, endings: Endings, write: Callable[[list[Piece]], None],
                   batch: int) -> None:
    """Give `write` the output lines of the spill segment at `path` (records from ordinal `first` on),
    `batch` pieces at a time: views of the mapped file, so no copy of the texts on the way but the write."""
    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            view = memoryview(data)
            lines = _mapped_lines(data, view)
            try:
                pieces = format_lines(lines, first, endings)
                for lo in range(0, len(pieces), batch):
                    write(pieces[lo:lo + batch])
            finally:
                # every view must be released before the map closes, also when `write` failed (a full
                # disk, a reader gone): a traceback still refers to them, and the map's close would
                # raise BufferError in place of the write's error
                for line in lines:
                    line.release()
                view.release()


def _mapped_lines(data: mmap.mmap, view: memoryview) -> list[memoryview]:
    """The lines of a mapped spill segment, without their line ends, as views."""
    lines, start = [], 0
    while (end := data.find(b"\n", start)) >= 0:
        lines.append(view[start:end])
        start = end + 1
    return lines
