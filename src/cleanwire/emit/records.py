"""Output records: a clean document's, a story's with the duplicates it absorbed, a failed input's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from cleanwire.document import Document, json_line
from cleanwire.emit.terminal import text_block
from cleanwire.ingest import RENAMED_FROM_KEY
from cleanwire.results import DedupeResult
from cleanwire.spill import Record

ENTRY_KEYS = ("id", "relation", "similarity", "containment")  # a duplicate as its canonical lists it
ABSORBED_KEYS = ("canonical_id", "relation", "similarity", "containment")  # what a duplicate's record gains


def document_record(doc: Document) -> dict[str, Any]:
    """A cleaned document as an output record; input fields cleanwire does not own pass through."""
    return doc.record()


def error_record(doc: Document) -> dict[str, Any]:
    """A failed input as a record for `--errors FILE`."""
    return {"id": doc.id, "source": doc.source, "error": doc.error}


def error_line(doc: Document) -> str:
    """The one line naming a failed input and why."""
    return f"error: {doc.source or doc.id}: {doc.error}"


def match_facts(result: DedupeResult, ordinal: int) -> tuple[str, float, float]:
    """How an absorbed document matched: (relation, similarity, containment), rounded by the matcher."""
    match = result.member_match[ordinal]
    return match.relation, match.similarity, match.containment


def renamed_fields(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """What the record of a repeated id changes: its id, made unique after the worker wrote the record."""
    return {RENAMED_FROM_KEY: result.renamed[ordinal], "id": result.ids[ordinal]}


def _duplicate_entry(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """An absorbed document as its canonical lists it."""
    return dict(zip(ENTRY_KEYS, (result.ids[ordinal], *match_facts(result, ordinal))))


def _duplicate_fields(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """What an absorbed document's own record gains with --all."""
    return dict(zip(ABSORBED_KEYS, (result.ids[result.canonical_of[ordinal]], *match_facts(result, ordinal))))


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
        if ordinal in result.renamed:
            record = record.replaced(renamed_fields(result, ordinal))
        if canonical == ordinal:
            record.add(duplicates=[_duplicate_entry(result, m) for m in members.get(ordinal, [])])
            if include_all:
                record.add(canonical_id=None)
        else:
            record.add(**_duplicate_fields(result, ordinal))
        yield record


def _json(record: dict[str, Any] | Record) -> str:
    return record.json() if isinstance(record, Record) else json_line(record)


def write_records(records: Iterable[dict[str, Any] | Record], fmt: str, out: IO[str]) -> int:
    """Write records to `out` as jsonl, json (one array), csv, tsv or text; return how many.

    A dedupe result's JSON lines straight to a stream take the fast path, `write_jsonl`.
    """
    count = 0
    if fmt in ("csv", "tsv"):
        from cleanwire.emit.table import write_table

        return write_table(records, fmt, out)
    if fmt == "json":
        out.write("[")
        for count, record in enumerate(records, 1):
            out.write(("\n" if count == 1 else ",\n") + _json(record))
        out.write("\n]\n" if count else "]\n")
        return count
    for record in records:
        count += 1
        if fmt == "jsonl":
            out.write(_json(record) + "\n")
        else:
            out.write(text_block(record))
    return count
