"""The run's inputs as one object: arguments found, cut into parts, read into documents with unique ids."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import BinaryIO

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest.discover import Entry, find_entries
from cleanwire.ingest.ids import UniqueIds
from cleanwire.ingest.parts import Part, listed_size, make_parts
from cleanwire.ingest.reader import read_part
from cleanwire.ingest.select import skip_reason
from cleanwire.ingest.spool import Spools
from cleanwire.ingest.warc import skipped_records as warc_skipped_records


class InputSet:
    """The run's inputs: file paths, folders (recursive; `cfg.glob` filters their files), "-" for stdin."""

    def __init__(self, inputs: Sequence[str], cfg: IngestConfig, stdin: BinaryIO | None = None,
                 exclude: Sequence[str] = ()) -> None:
        self._inputs = list(dict.fromkeys(inputs))  # the same argument twice is one input
        # the run's own outputs (--output-dir, --errors, --stats) are never read, even inside an input folder
        self._exclude = tuple(os.path.realpath(path) for path in exclude)
        self._cfg = cfg
        self._entries: list[Entry] | None = None
        self._parts: list[Part] | None = None  # the parts cut so far
        self._cutting: Iterator[Part] = iter(())
        self._spools = Spools(stdin)
        self.skipped: list[tuple[str, str]] = []  # files inside folders not read: (source, why), once listed
        self._skipped_records: list[tuple[str, str]] | None = None

    def parts(self) -> Iterator[Part]:
        """The inputs cut into parts for workers, in a deterministic order.

        Cut once, as they are first asked for: the first parts go to the workers while the main
        process is still finding the line ends of the later ones (hundreds of megabytes to read).
        """
        if self._parts is None:
            self._parts = []
            self._cutting = make_parts(self._resolved_entries(), self._cfg, self._spools)
        done = 0
        while True:
            if done == len(self._parts):
                part = next(self._cutting, None)
                if part is None:
                    return
                self._parts.append(part)
            yield self._parts[done]
            done += 1

    def total_bytes(self) -> int:
        """The size of every input file, as listed now: the first pass's total on a progress bar."""
        return sum(listed_size(entry) for entry in self._resolved_entries())

    def documents(self) -> Iterator[Document]:
        """Every document of every input, errors included, in a deterministic order with unique ids."""
        unique = UniqueIds()
        return (unique.apply(doc) for part in self.parts() for doc in read_part(part, self._cfg))

    def skipped_records(self) -> list[tuple[str, str]]:
        """Records of WARC files not read (not HTML, not status 200): (source, why); the files read again,
        headers only, the first time this is asked."""
        if self._skipped_records is None:
            self._skipped_records = [skip for entry in self._resolved_entries()
                                     for skip in warc_skipped_records(entry, self._cfg)]
        return self._skipped_records

    def close(self) -> None:
        """Remove the spooled copies of stdin and FIFOs."""
        self._spools.close()

    def __enter__(self) -> InputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _resolved_entries(self) -> list[Entry]:
        """Every file to read, sorted; stdin and FIFOs replaced by their spooled copies."""
        if self._entries is None:
            self._entries = []
            for entry in find_entries(self._inputs, self._cfg, self._exclude):
                why = skip_reason(entry, self._cfg)
                if why is None:
                    self._entries.append(entry)
                else:
                    self.skipped.append((entry.source, why))
        return [self._spools.resolve(entry) for entry in self._entries]
