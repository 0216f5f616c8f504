"""Spooling: stdin and FIFOs copied to a temporary file on first read, so they can be read again."""

from __future__ import annotations

import os
import sys
import tempfile
import weakref
from typing import BinaryIO

from cleanwire.ingest.discover import STDIN_ARG, Entry
from cleanwire.ingest.failures import reason
from cleanwire.scratch import ScratchDir

_COPY_CHUNK = 1024 * 1024


class Spools:
    """The temporary copies of one run's stdin and FIFOs; removed on `close` or when garbage-collected."""

    def __init__(self, stdin: BinaryIO | None = None) -> None:
        self._stdin = stdin
        self._copies: dict[str, str] = {}  # entry path -> temporary copy
        self._errors: dict[str, str] = {}
        self._finalizer = weakref.finalize(self, _remove_files, self._copies)
        self._scratch: ScratchDir | None = None  # the copies' folder, made on the first copy

    def resolve(self, entry: Entry) -> Entry:
        """`entry`, or for stdin and FIFOs an entry reading its spooled copy (or naming why it has none)."""
        if not entry.spool or entry.error is not None:
            return entry
        path = self._spool(entry)
        return Entry(entry.id, path, entry.source, self._errors.get(entry.path))

    def new_file(self, suffix: str = "") -> tuple[int, str]:
        """A new temporary file (descriptor, path), removed with the copies: a decompressed piece of an input.

        Raises SpoolError when it cannot be made.
        """
        try:
            if self._scratch is None:
                self._scratch = ScratchDir(".spool")
            fd, tmp = tempfile.mkstemp(prefix="piece-", suffix=suffix, dir=self._scratch.path)
        except OSError as exc:
            raise SpoolError(exc, "a decompressed input") from exc
        self._copies[tmp] = tmp
        return fd, tmp

    def close(self) -> None:
        """Remove the spooled copies."""
        _remove_files(self._copies)
        if self._scratch is not None:
            self._scratch.close()

    def _spool(self, entry: Entry) -> str:
        """Copy stdin or a FIFO to a temporary file once; return the copy's path.

        A failure to read is the input's error; a failure to write the copy (a full or read-only $TMPDIR) is
        the run's: it raises SpoolError, an output failure.
        """
        if entry.path in self._copies or entry.path in self._errors:
            return self._copies.get(entry.path, "")
        try:
            if entry.path == STDIN_ARG:
                source = self._stdin if self._stdin is not None else getattr(sys.stdin, "buffer", None)
                if source is None:
                    raise OSError("stdin is not available")
            else:
                source = open(entry.path, "rb")  # closed below
        except OSError as exc:
            self._errors[entry.path] = f"cannot read: {reason(exc)}"
            return ""
        try:
            self._copy(entry, source)
        finally:
            if entry.path != STDIN_ARG:
                source.close()
        return self._copies.get(entry.path, "")

    def _copy(self, entry: Entry, source: BinaryIO) -> None:
        """Copy `source` to a new temporary file, recorded in `self._copies` (or the read error in `_errors`)."""
        try:
            if self._scratch is None:  # a later run removes it if this one is killed
                self._scratch = ScratchDir(".spool")
            fd, tmp = tempfile.mkstemp(prefix="spool-", dir=self._scratch.path)
        except OSError as exc:
            raise SpoolError(exc, entry.source) from exc
        self._copies[entry.path] = tmp
        try:
            while True:
                try:
                    chunk = source.read(_COPY_CHUNK)
                except OSError as exc:
                    self._errors[entry.path] = f"cannot read: {reason(exc)}"
                    return
                if not chunk:
                    return
                try:
                    _write_all(fd, chunk)
                except OSError as exc:
                    _remove_files({entry.path: self._copies.pop(entry.path)})
                    raise SpoolError(exc, entry.source) from exc
        finally:
            os.close(fd)


class SpoolError(OSError):
    """The temporary copy of stdin or a FIFO could not be written: $TMPDIR is full or not writable.

    An OSError, so the command line reports it as an output failure (exit 4), one line naming $TMPDIR.
    """

    def __init__(self, exc: OSError, source: str) -> None:
        super().__init__(exc.errno, f"cannot copy {source} to $TMPDIR ({tempfile.gettempdir()}): {reason(exc)}")

    def __str__(self) -> str:
        return str(self.strerror)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _remove_files(paths: dict[str, str]) -> None:
    for tmp in list(paths.values()):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    paths.clear()
