"""The fast path of a dedupe result's JSON lines to a stream, behind one function: `write_jsonl`.

It writes the bytes `write_records(cluster_records(...), "jsonl", ...)` writes, without making a
record object per document: each spill line gains a prepared ending. With two or more workers on
this machine, they format the spill's segments in parallel; else they are formatted here.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

import numpy as np

from cleanwire.emit.records import (
    ABSORBED_KEYS,
    ENTRY_KEYS,
    canonical_because,
    contained_fields,
    match_facts,
    passage_fields,
    renamed_fields,
)
from cleanwire.engines.base import Engine, parallel_on_files
from cleanwire.results import DedupeResult
from cleanwire.spill import Endings, Piece, segment_output

_IOV_MAX = 1020  # pieces per writev call (the system's limit is 1024 at least)


@dataclass
class OutputFacts:
    """What the records need besides the spill's lines, gathered once: sent once to each worker that
    formats segments, which makes the endings of its own ordinals."""

    include_all: bool
    absorbed: np.ndarray  # the absorbed documents' ordinals, sorted
    facts: list[tuple[Any, ...]]  # per absorbed: (id, canonical's id, relation, similarity, ...)
    by_canonical: np.ndarray  # positions in `absorbed`, by (canonical, ordinal)
    canonicals: np.ndarray  # the canonical of each of those positions, so sorted
    renamed: dict[int, dict[str, Any]]  # ordinal -> the fields its record changes
    passages: dict[int, dict[str, Any]]  # absorbed ordinal -> its one-sided passages (with --all)
    because: dict[int, str]  # canonical ordinal -> why it is canonical (with --all)
    extra: dict[int, dict[str, Any]]  # canonical ordinal -> fields its record gains after its duplicates
    held: dict[int, dict[str, Any]]  # ordinal -> what it gains as a story a digest holds, or as a digest (--all)

    @classmethod
    def of(cls, result: DedupeResult, include_all: bool = False) -> OutputFacts:
        """The facts of a dedupe result."""
        ids, canonical_of = result.ids, result.canonical_of
        absorbed = sorted(result.member_match)
        canonical = [canonical_of[o] for o in absorbed]
        facts = [(ids[o], ids[c], *match_facts(result, o)) for o, c in zip(absorbed, canonical)]
        absorbed_at, canonical_at = np.array(absorbed, dtype=np.int64), np.array(canonical, dtype=np.int64)
        order = np.lexsort((absorbed_at, canonical_at))
        passages = {o: fields for o in absorbed if (fields := passage_fields(result, o))} if include_all else {}
        return cls(include_all, absorbed_at, facts, order, canonical_at[order],
                   {o: renamed_fields(result, o) for o in result.renamed}, passages,
                   canonical_because(result) if include_all else {}, result.extra,
                   contained_fields(result) if include_all else {})

    def records_in(self, first: int, end: int) -> int:
        """How many output records ordinals first..end-1 make: all, or those not absorbed."""
        if self.include_all:
            return end - first
        lo, hi = np.searchsorted(self.absorbed, [first, end])
        return end - first - int(hi - lo)

    def endings(self, first: int, end: int) -> Endings:
        """The endings of the records of ordinals first..end-1."""
        tail: dict[str, Any] = {"duplicates": []} | ({"canonical_id": None} if self.include_all else {})
        endings = Endings.adding(tail)
        fields: dict[int, dict[str, Any]] = {}  # the records that gain other fields than `tail`
        lo, hi = np.searchsorted(self.absorbed, [first, end]).tolist()
        for i, ordinal in enumerate(self.absorbed[lo:hi].tolist(), lo):
            _, canonical_id, *how = self.facts[i]
            if self.include_all:
                fields[ordinal] = dict(zip(ABSORBED_KEYS, (canonical_id, *how))) | self.passages.get(ordinal, {})
            else:
                endings.drop(ordinal)
        lo, hi = np.searchsorted(self.canonicals, [first, end]).tolist()
        duplicates: dict[int, list[dict[str, Any]]] = {}
        for canonical, i in zip(self.canonicals[lo:hi].tolist(), self.by_canonical[lo:hi].tolist()):
            doc_id, _, *how = self.facts[i]
            duplicates.setdefault(canonical, []).append(dict(zip(ENTRY_KEYS, (doc_id, *how))))
        for canonical, entries in duplicates.items():
            because = {"canonical_because": self.because[canonical]} if canonical in self.because else {}
            fields[canonical] = tail | {"duplicates": entries} | because | self.extra.get(canonical, {})
        for ordinal, more in self.held.items():
            if first <= ordinal < end:
                fields[ordinal] = fields.get(ordinal, tail) | more
        for ordinal, gained in fields.items():
            endings.add(ordinal, gained)
        for ordinal, changes in self.renamed.items():
            if first <= ordinal < end:
                endings.rename(ordinal, changes)
        return endings


@dataclass
class SegmentOutput:
    """One spill segment to turn into output lines: a task for a worker on this machine."""

    path: str
    first: int  # the ordinal of its first record
    count: int  # how many records it holds
    directory: str  # where to write the output


def format_segment(task: SegmentOutput, facts: OutputFacts) -> str:
    """Write a segment's output lines to a new file in `task.directory`; return its path."""
    handle, path = tempfile.mkstemp(suffix=".out", dir=task.directory)
    with os.fdopen(handle, "wb"):
        _write_segment(handle, task.path, task.first, task.count, facts)
    return path


def _write_segment(fd: int, path: str, first: int, count: int, facts: OutputFacts) -> None:
    """Write the output lines of one spill segment to `fd`, a thousand pieces per gathering call."""
    segment_output(path, first, facts.endings(first, first + count), lambda pieces: _write_all(fd, pieces),
                   _IOV_MAX)


def _write_all(fd: int, pieces: list[Piece]) -> None:
    """Write every piece to `fd`, in order (writev may write only part of them, and some systems lack it)."""
    written = os.writev(fd, pieces) if hasattr(os, "writev") else 0
    if written < sum(len(p) for p in pieces):
        rest = b"".join(bytes(p) for p in pieces)[written:]
        while rest:
            rest = rest[os.write(fd, rest):]


def write_jsonl(result: DedupeResult, out: BinaryIO, engine: Engine, *, include_all: bool = False,
                written: Callable[[int], None] | None = None) -> None:
    """Write the records as JSON lines to `out`; `written(n)` is told the records of each segment as they are out.

    With workers on this machine, they format the spill's segments in parallel and the main
    process only copies their files in order (with `sendfile`, inside the kernel, where it can).
    Else the segments are written here, straight to `out`'s file (a stream without one, such as
    a test's buffer, is given joined pieces).
    """
    if not parallel_on_files(engine):
        fd = _file_number(out)

        def write_joined(pieces: list[Piece]) -> None:
            out.write(b"".join(pieces))

        out.flush()
        facts = OutputFacts.of(result, include_all)
        for path, first, count in result.spill.segments():
            if fd is None:
                segment_output(path, first, facts.endings(first, first + count), write_joined, _IOV_MAX)
            else:
                _write_segment(fd, path, first, count, facts)
            if written is not None:
                written(facts.records_in(first, first + count))
        return
    directory = result.spill.directory
    segments = result.spill.segments()
    tasks = (SegmentOutput(path, first, count, directory) for path, first, count in segments)
    out.flush()
    facts = OutputFacts.of(result, include_all)
    for (_, first, count), path in zip(segments, engine.map(format_segment, tasks, facts)):
        try:
            with open(path, "rb") as f:
                _copy(f, out)
        finally:
            os.unlink(path)
        if written is not None:  # the segments come back in order
            written(facts.records_in(first, first + count))


def _copy(source: BinaryIO, out: BinaryIO) -> None:
    """Copy a file to `out`: inside the kernel where the platform can, else through a buffer."""
    size = os.fstat(source.fileno()).st_size
    sent = 0
    target = _file_number(out)
    if hasattr(os, "sendfile") and target is not None:
        try:
            while sent < size:
                done = os.sendfile(target, source.fileno(), sent, size - sent)
                if done == 0:
                    break
                sent += done
        except OSError as exc:
            if sent or exc.errno not in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.EBADF):
                raise  # EPIPE (the reader went away) and real failures go on up
    if sent < size:
        source.seek(sent)
        shutil.copyfileobj(source, out)
        out.flush()


def _file_number(out: BinaryIO) -> int | None:
    """The file descriptor under `out`, or None (a test's buffer has none)."""
    try:
        return out.fileno()
    except (OSError, ValueError):
        return None
