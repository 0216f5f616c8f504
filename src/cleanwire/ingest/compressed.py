"""Compressed inputs: gzip, zstd, bzip2 and xz, told by their signature, decompressed as a stream.

A damaged archive (cut short, or failing its checks) raises ArchiveError after everything decoded before
the damage has been read, so the records before it are kept and the error says how far it got.
"""

from __future__ import annotations

import bz2
import io
import lzma
import os
import zlib
from collections.abc import Callable
from typing import Any, BinaryIO

COMPRESSED_EXTENSIONS = {".gz": "gzip", ".gzip": "gzip", ".zst": "zstd", ".zstd": "zstd", ".bz2": "bzip2",
                         ".xz": "xz"}
# compressed bytes read, and decompressed bytes made (zlib, bz2, xz), at a time at most: bounds memory, and
# what a damaged block takes with it (a failing call hands out nothing)
_IN_CHUNK = 16 * 1024
_OUT_CHUNK = 64 * 1024
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def compression_of(head: bytes) -> str | None:
    """The compression whose signature starts `head`: "gzip", "zstd", "bzip2", "xz", or None."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(_ZSTD_MAGIC):
        return "zstd"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"BZh") and head[3:4].isdigit() and head[4:10] in (b"1AY&SY", b"\x17rE8P\x90"):
        return "bzip2"
    return None


def inner_name(path: str) -> str:
    """The name of what a compressed file holds: `a.jsonl.gz` -> `a.jsonl` (other names as they are)."""
    stem, ext = os.path.splitext(path)
    return stem if ext.lower() in COMPRESSED_EXTENSIONS else path


def sniffed_head(f: BinaryIO, path: str, size: int,
                 decompressed: Callable[[BinaryIO, str, int], bytes]) -> tuple[bytes, str | None, str]:
    """The first `size` bytes of what the open file `f` at `path` holds, its compression (or None) and the
    name of what it holds. A compressed file's head comes from `decompressed(f, compression, size)`, which
    reads from the file's start and raises what damage it finds."""
    head = f.read(size)
    compression = compression_of(head)
    if compression is None:
        return head, None, path
    f.seek(0)
    return decompressed(f, compression, size), compression, inner_name(path)


class ArchiveError(Exception):
    """A compressed input that is cut short or damaged; raised once what came before it has been read."""


class _Decompressor:
    """One gzip member, zstd frame, bzip2 or xz stream: data in, at most _OUT_CHUNK bytes out per call."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._dec: Any
        if kind == "gzip":
            self._dec = zlib.decompressobj(wbits=31)  # checks the CRC and length of each member
        elif kind == "zstd":
            import zstandard

            self._dec = zstandard.ZstdDecompressor().decompressobj()
        elif kind == "bzip2":
            self._dec = bz2.BZ2Decompressor()
        else:
            self._dec = lzma.LZMADecompressor()
        self.pending = b""  # input given but not yet taken (zlib hands it back when output is capped)

    @property
    def eof(self) -> bool:
        return bool(self._dec.eof)

    @property
    def unused(self) -> bytes:
        return bytes(self._dec.unused_data) if self.eof else b""

    @property
    def needs_input(self) -> bool:
        if self.kind == "gzip":
            return not self.pending
        if self.kind == "zstd":
            return True
        return bool(self._dec.needs_input)

    def feed(self, data: bytes) -> bytes:
        if self.kind == "gzip":
            out: bytes = self._dec.decompress(self.pending + data, _OUT_CHUNK)
            self.pending = self._dec.unconsumed_tail
            return out
        if self.kind == "zstd":
            return bytes(self._dec.decompress(data))
        return bytes(self._dec.decompress(data, _OUT_CHUNK))


class DecompressedStream(io.RawIOBase):
    """The decompressed bytes of a compressed file object, read as a raw stream.

    Concatenated members (gzip members, zstd frames, bzip2 and xz streams) are read one after the other;
    NUL bytes after the last are padding. `produced` counts the decompressed bytes handed out so far.
    """

    def __init__(self, raw: BinaryIO, kind: str) -> None:
        super().__init__()
        self._raw = raw
        self._kind = kind
        self._dec: _Decompressor | None = _Decompressor(kind)
        self._input = b""  # compressed bytes read but not yet given to a decompressor
        self._out = b""
        self._at = 0
        self._done = False
        self._failed: ArchiveError | None = None
        self.produced = 0

    def readable(self) -> bool:
        return True

    def consumed(self) -> int:
        """Compressed bytes read from the file so far (for progress)."""
        try:
            return self._raw.tell()
        except (OSError, ValueError):
            return 0

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            if self._at == len(self._out):
                if self._failed is not None:
                    if filled:
                        break  # hand out what came before the damage first
                    raise self._failed
                try:
                    if self._done or not self._more():
                        break
                except ArchiveError as exc:
                    self._failed = exc
                    continue
            take = min(len(view) - filled, len(self._out) - self._at)
            view[filled:filled + take] = self._out[self._at:self._at + take]
            self._at += take
            filled += take
        self.produced += filled
        return filled

    def _more(self) -> bool:
        """Decompress the next piece into `self._out`; False at the clean end of the data."""
        while True:
            dec = self._dec
            if dec is None:  # between members: another one, or the end (NUL padding may follow the last)
                while not self._input.strip(b"\x00"):
                    chunk = self._read()
                    if not chunk:
                        self._done = True
                        return False
                    self._input += chunk
                self._dec = dec = _Decompressor(self._kind)
            if dec.needs_input and not self._input:
                self._input = self._read()
                if not self._input:
                    raise ArchiveError(self._message("truncated", "the file ends inside the compressed data"))
            data, self._input = self._input, b""
            try:
                out = dec.feed(data)
            except Exception as exc:  # zlib.error, OSError, LZMAError, ZstdError: damaged data
                detail = " ".join(str(exc).split()) or type(exc).__name__
                raise ArchiveError(self._message("corrupt", detail)) from exc
            if dec.eof:
                self._input = dec.unused
                self._dec = None
            if out:
                self._out, self._at = out, 0
                return True

    def _read(self) -> bytes:
        try:
            return self._raw.read(_IN_CHUNK)
        except OSError as exc:
            raise ArchiveError(self._message("unreadable", str(exc))) from exc

    def _message(self, what: str, detail: str) -> str:
        return f"{what} {self._kind} data ({detail})"


def open_decompressed(raw: BinaryIO, kind: str, buffer_size: int = 256 * 1024) -> io.BufferedReader:
    """A buffered reader of the decompressed bytes of `raw` (positioned at the start of the compressed data)."""
    return io.BufferedReader(DecompressedStream(raw, kind), buffer_size)


def decompressed_stream(reader: io.BufferedReader) -> DecompressedStream:
    """The raw stream under a reader from `open_decompressed`."""
    raw = reader.raw
    assert isinstance(raw, DecompressedStream)
    return raw
