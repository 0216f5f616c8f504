"""Records out: JSON lines, JSON, plain text, a rich view, files; the summary goes to stderr."""

from __future__ import annotations

import errno
import mmap
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cleanwire.document import Document, json_line
from cleanwire.ingest import RENAMED_FROM_KEY
from cleanwire.pipeline import Counters, DedupeResult, Record, segment_blocks

FORMATS = ("jsonl", "json", "text", "rich")


def document_record(doc: Document) -> dict[str, Any]:
    """A cleaned document as an output record; input fields cleanwire does not own pass through."""
    return doc.record()


def error_record(doc: Document) -> dict[str, Any]:
    """A failed input as a record for `--errors FILE`."""
    return {"id": doc.id, "source": doc.source, "error": doc.error}


def error_line(doc: Document) -> str:
    """The one line naming a failed input and why."""
    return f"error: {doc.source or doc.id}: {doc.error}"


def _duplicate_entry(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """An absorbed document as its canonical lists it."""
    return dict(zip(_ENTRY_KEYS, (result.ids[ordinal], *_match_facts(result, ordinal))))


def _duplicate_fields(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """What an absorbed document's own record gains with --all."""
    return dict(zip(_ABSORBED_KEYS, (result.ids[result.canonical_of[ordinal]], *_match_facts(result, ordinal))))


def _members(result: DedupeResult) -> dict[int, list[int]]:
    """Canonical ordinal -> the ordinals it absorbed, in order."""
    return {c.canonical: sorted(m.b for m in c.members) for c in result.clusters if c.members}


def cluster_records(result: DedupeResult, *, include_all: bool = False) -> Iterator[Record]:
    """One record per story (canonical, with the duplicates it absorbed), in input order.

    With `include_all`, every document is emitted: duplicates carry `canonical_id` and how
    they matched, canonical records carry `canonical_id: null`.
    """
    members = _members(result)
    for ordinal, record in enumerate(result.spill):
        canonical = result.canonical_of[ordinal]
        if canonical != ordinal and not include_all:
            continue
        if ordinal in result.renamed:  # a repeated id, made unique after the worker wrote the record
            fields = record.fields()
            fields[RENAMED_FROM_KEY] = result.renamed[ordinal]
            fields["id"] = result.ids[ordinal]
            record = Record.of(fields)
        if canonical == ordinal:
            record.add(duplicates=[_duplicate_entry(result, m) for m in members.get(ordinal, [])])
            if include_all:
                record.add(canonical_id=None)
        else:
            record.add(**_duplicate_fields(result, ordinal))
        yield record


@dataclass
class Endings:
    """What each spill line needs to become its output record (the fast path to a stream)."""

    plain: bytes  # most lines: no duplicates
    special: dict[int, bytes | None] = field(default_factory=dict)  # ordinal -> its ending, None: not emitted
    renamed: dict[int, tuple[str, str]] = field(default_factory=dict)  # ordinal -> (unique id, id as read)


@dataclass
class OutputFacts:
    """What the records need besides the spill's lines, gathered once: sent once to each worker that
    formats segments, which makes the endings of its own ordinals."""

    include_all: bool
    absorbed: np.ndarray  # the absorbed documents' ordinals, sorted
    facts: list[tuple[str, str, str, float, float]]  # per absorbed: (id, canonical's id, relation, similarity, ...)
    by_canonical: np.ndarray  # positions in `absorbed`, by (canonical, ordinal)
    canonicals: np.ndarray  # the canonical of each of those positions, so sorted
    renamed: dict[int, tuple[str, str]]  # ordinal -> (unique id, id as read)

    @classmethod
    def of(cls, result: DedupeResult, include_all: bool = False) -> OutputFacts:
        """The facts of a dedupe result."""
        ids, canonical_of = result.ids, result.canonical_of
        absorbed = sorted(result.member_match)
        canonical = [canonical_of[o] for o in absorbed]
        facts = [(ids[o], ids[c], *_match_facts(result, o)) for o, c in zip(absorbed, canonical)]
        absorbed_at, canonical_at = np.array(absorbed, dtype=np.int64), np.array(canonical, dtype=np.int64)
        order = np.lexsort((absorbed_at, canonical_at))
        return cls(include_all, absorbed_at, facts, order, canonical_at[order],
                   {o: (ids[o], read_id) for o, read_id in result.renamed.items()})

    def endings(self, first: int, end: int) -> Endings:
        """The endings of the records of ordinals first..end-1."""
        tail: dict[str, Any] = {"duplicates": []} | ({"canonical_id": None} if self.include_all else {})
        endings = Endings(_ending(tail))
        lo, hi = np.searchsorted(self.absorbed, [first, end]).tolist()
        for i, ordinal in enumerate(self.absorbed[lo:hi].tolist(), lo):
            _, canonical_id, *how = self.facts[i]
            endings.special[ordinal] = (_ending(dict(zip(_ABSORBED_KEYS, (canonical_id, *how))))
                                        if self.include_all else None)
        lo, hi = np.searchsorted(self.canonicals, [first, end]).tolist()
        duplicates: dict[int, list[dict[str, Any]]] = {}
        for canonical, i in zip(self.canonicals[lo:hi].tolist(), self.by_canonical[lo:hi].tolist()):
            doc_id, _, *how = self.facts[i]
            duplicates.setdefault(canonical, []).append(dict(zip(_ENTRY_KEYS, (doc_id, *how))))
        for canonical, entries in duplicates.items():
            endings.special[canonical] = _ending(tail | {"duplicates": entries})
        endings.renamed = {o: names for o, names in self.renamed.items() if first <= o < end}
        return endings


_ENTRY_KEYS = ("id", "relation", "similarity", "containment")
_ABSORBED_KEYS = ("canonical_id", "relation", "similarity", "containment")


def record_endings(result: DedupeResult, *, include_all: bool = False) -> Endings:
    """Each record's ending as `cluster_records` gives it: most records only gain a fixed one."""
    return OutputFacts.of(result, include_all).endings(0, len(result.ids))


def _match_facts(result: DedupeResult, ordinal: int) -> tuple[str, float, float]:
    """How an absorbed document matched: (relation, similarity, containment), rounded by the matcher."""
    match = result.member_match[ordinal]
    return match.relation, match.similarity, match.containment


def _format(lines: Sequence[bytes | memoryview], ordinal: int, endings: Endings) -> list[bytes | memoryview]:
    """The output of spill lines from `ordinal` on: line, ending, line end, ... (joined or gathered once by
    the caller: each copy of the texts costs)."""
    out: list[bytes | memoryview] = []
    special, plain, renamed = endings.special, endings.plain, endings.renamed
    for line in lines:
        ending = special.get(ordinal, plain)
        if ending is not None:
            if ordinal in renamed:
                out += (_renamed_line(bytes(line), *renamed[ordinal], ending), b"\n")
            else:
                out += (line, ending, b"\n") if line != b"{" else (b"{", ending[1:], b"\n")
        ordinal += 1
    return out


def jsonl_chunks(result: DedupeResult, *, include_all: bool = False) -> Iterator[bytes]:
    """The lines `cluster_records` gives, as UTF-8 JSON lines in large chunks: the fast path to a stream."""
    endings = record_endings(result, include_all=include_all)
    ordinal = 0
    for lines in result.spill.blocks():
        out = _format(lines, ordinal, endings)
        ordinal += len(lines)
        if out:
            yield b"".join(out)


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
        _write_segment(handle, task.path, task.first, facts.endings(task.first, task.first + task.count))
    return path


def _write_segment(fd: int, path: str, first: int, endings: Endings) -> None:
    """Write the output lines of the spill segment at `path` (records from ordinal `first` on) to `fd`."""
    with open(path, "rb") as f:
        if not os.fstat(f.fileno()).st_size:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            # the segment's lines as views of the mapped file, written with their endings in one
            # gathering call per thousand lines: no copy of the texts on the way but the write
            view = memoryview(data)
            pieces = _format(_lines(data, view), first, endings)
            for lo in range(0, len(pieces), _IOV_MAX):
                _write_all(fd, pieces[lo:lo + _IOV_MAX])
            del pieces
            view.release()


_IOV_MAX = 1020  # pieces per writev call (the system's limit is 1024 at least)


def _lines(data: mmap.mmap, view: memoryview) -> list[memoryview]:
    """The lines of a mapped spill segment, without their line ends, as views."""
    lines, start = [], 0
    while (end := data.find(b"\n", start)) >= 0:
        lines.append(view[start:end])
        start = end + 1
    return lines


def _write_all(fd: int, pieces: list[Any]) -> None:
    """Write every piece to `fd`, in order (writev may write only part of them, and some systems lack it)."""
    written = os.writev(fd, pieces) if hasattr(os, "writev") else 0
    if written < sum(len(p) for p in pieces):
        rest = b"".join(bytes(p) for p in pieces)[written:]
        while rest:
            rest = rest[os.write(fd, rest):]


def write_jsonl(result: DedupeResult, out: BinaryIO, engine: Any, *, include_all: bool = False) -> None:
    """Write the records as JSON lines to `out`.

    With workers on this machine, they format the spill's segments in parallel and the main
    process only copies their files in order (with `sendfile`, inside the kernel, where it can).
    Else the segments are written here, straight to `out`'s file (a stream without one, such as
    a test's buffer, is given chunks).
    """
    if not (getattr(engine, "shares_files", False) and getattr(engine, "jobs", 1) > 1):
        fd = _file_number(out)
        if fd is None:
            for chunk in jsonl_chunks(result, include_all=include_all):
                out.write(chunk)
            return
        out.flush()
        facts = OutputFacts.of(result, include_all)
        for path, first, count in result.spill.segments():
            _write_segment(fd, path, first, facts.endings(first, first + count))
        return
    directory = result.spill.directory
    tasks = (SegmentOutput(path, first, count, directory) for path, first, count in result.spill.segments())
    out.flush()
    for path in engine.map(format_segment, tasks, OutputFacts.of(result, include_all)):
        try:
            with open(path, "rb") as f:
                _copy(f, out)
        finally:
            os.unlink(path)


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


def _ending(fields: dict[str, Any]) -> bytes:
    """What a spill line (a record without its closing brace) needs to become the record with `fields`."""
    return ("," + json_line(fields)[1:]).encode("utf-8", "surrogatepass")


def _renamed_line(line: bytes, unique_id: str, read_id: str, ending: bytes) -> bytes:
    """A record whose id was made unique after the worker wrote it: its fields, rewritten."""
    fields = Record(line.decode("utf-8", "surrogatepass")).fields()
    fields[RENAMED_FROM_KEY] = read_id
    fields["id"] = unique_id
    return Record.of(fields).json().encode("utf-8", "surrogatepass")[:-1] + ending


def _json(record: dict[str, Any] | Record) -> str:
    return record.json() if isinstance(record, Record) else json_line(record)


def write_records(records: Iterable[dict[str, Any] | Record], fmt: str, out: IO[str]) -> int:
    """Write records to `out` as jsonl, json (one array) or text; return how many."""
    count = 0
    if fmt == "json":
        out.write("[")
        for count, record in enumerate(records, 1):
            out.write(("\n" if count == 1 else ",\n") + _json(record))
        out.write("\n]\n" if count else "]\n")
        return count
    for count, record in enumerate(records, 1):
        if fmt == "jsonl":
            out.write(_json(record) + "\n")
        else:
            out.write(text_block(record))
    return count


def text_block(record: dict[str, Any] | Record) -> str:
    """A record as plain text: a header line, the title, the body, a blank line."""
    header = f"=== {record['id']}"
    if record.get("canonical_id"):
        header += f" ({record['relation']} of {record['canonical_id']})"
    elif record.get("duplicates"):
        header += " (absorbs " + ", ".join(d["id"] for d in record["duplicates"]) + ")"
    lines = [header]
    if record.get("title"):
        lines.append(f"# {record['title']}")
    lines.append(record.get("text") or "")
    return "\n".join(lines) + "\n\n"


def render_clusters(records: Iterable[dict[str, Any] | Record], console: Console) -> int:
    """The terminal view of a dedupe run: one row per story and one per duplicate."""
    rows: list[tuple[Text, str, str, str, str, str]] = []
    for record in records:
        words = len((record.get("text") or "").split())
        rows.append((Text(record["id"], style="bold"), record.get("title") or "", str(words), "canonical", "", ""))
        for dup in record.get("duplicates", []):
            rows.append((Text(" └ " + dup["id"], style="dim"), "", "", dup["relation"],
                         f"{dup['similarity']:.2f}", f"{dup['containment']:.2f}"))
    id_width = max((len(row[0]) for row in rows), default=2)
    # the title takes what the other columns leave; ids are never cut, since people copy them
    title_width = max(10, console.width - id_width - 46)
    table = Table(title="cleanwire: stories")
    table.add_column("id", no_wrap=True)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    for name in ("words", "relation", "sim", "cont"):
        table.add_column(name, no_wrap=True, justify="left" if name == "relation" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return sum(1 for row in rows if row[3] == "canonical")


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def summary_text(counters: Counters, seconds: float) -> str:
    """One line for people, on stderr."""
    parts = [_count(counters.documents, "document")]
    if counters.clusters:
        parts.append(_count(counters.clusters, "story").replace("storys", "stories"))
        relations = ", ".join(f"{n} {r}" for r, n in sorted(counters.relations.items()))
        parts.append(_count(counters.duplicates, "duplicate") + (f" ({relations})" if relations else ""))
    if counters.empty:
        parts.append(f"{counters.empty} empty after cleaning")
    parts.append(_count(counters.errors, "error"))
    return "cleanwire: " + ", ".join(parts) + f" in {seconds:.2f}s"
