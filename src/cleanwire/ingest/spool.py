"""Spooling: stdin and FIFOs copied to a temporary file on first read, so they can be read again."""

from __future__ import annotations

import os
import shutil
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

    def close(self) -> None:
        """Remove the spooled copies."""
        _remove_files(self._copies)
        if self._scratch is not None:
            self._scratch.close()

    def _spool(self, entry: Entry) -> str:
        """Copy stdin or a FIFO to a temporary file once; return the copy's path."""
        if entry.path in self._copies or entry.path in self._errors:
            return self._copies.get(entry.path, "")
        try:
            if self._scratch is None:  # a later run removes it if this one is killed
                self._scratch = ScratchDir(".spool")
            fd, tmp = tempfile.mkstemp(prefix="spool-", dir=self._scratch.path)
            self._copies[entry.path] = tmp
            with os.fdopen(fd, "wb") as out:
                if entry.path == STDIN_ARG:
                    source = self._stdin if self._stdin is not None else getattr(sys.stdin, "buffer", None)
                    if source is None:
                        raise OSError("stdin is not available")
                    shutil.copyfileobj(source, out, _COPY_CHUNK)
                else:
                    with open(entry.path, "rb") as src:
                        shutil.copyfileobj(src, out, _COPY_CHUNK)
        except OSError as exc:
            self._errors[entry.path] = f"cannot read: {reason(exc)}"
        return self._copies.get(entry.path, "")


def _remove_files(paths: dict[str, str]) -> None:
    for tmp in list(paths.values()):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    paths.clear()
