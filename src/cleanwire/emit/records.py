"""Output records: a clean document's, a story's with the duplicates it absorbed, a failed input's."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import IO, Any

from cleanwire.document import Document, json_line
from cleanwire.emit.terminal import text_block
from cleanwire.ingest import RENAMED_FROM_KEY
from cleanwire.relations import holder
from cleanwire.results import DedupeResult
from cleanwire.spill import Record

# a duplicate as its canonical lists it, and what a duplicate's record gains
ENTRY_KEYS = ("id", "relation", "similarity", "containment", "shares", "contains", "via")
ABSORBED_KEYS = ("canonical_id", "relation", "similarity", "containment", "shares", "contains", "via")


def document_record(doc: Document) -> dict[str, Any]:
    """A cleaned document as an output record; input fields cleanwire does not own pass through."""
    return doc.record()


def error_record(doc: Document) -> dict[str, Any]:
    """A failed input as a record for `--errors FILE`."""
    return {"id": doc.id, "source": doc.source, "error": doc.error}


def error_line(doc: Document) -> str:
    """The one line naming a failed input and why."""
    return f"error: {doc.source or doc.id}: {doc.error}"


def match_facts(result: DedupeResult, ordinal: int) -> tuple[Any, ...]:
    """How an absorbed document relates to its canonical: (relation, similarity, containment, shares,
    contains, via). Relation and scores are those of the pair when it matches its canonical itself, else
    of the match through which it joined, whose id is `via`; `shares` (each side's share of words in the
    passages both hold) and `contains` (which side holds the other) are always against the canonical."""
    match = result.member_match[ordinal]
    evidence = result.evidence.get(ordinal)
    canonical = result.canonical_of[ordinal]
    via = None if match.a == canonical else result.ids[match.a]
    if evidence is None:
        return match.relation, match.similarity, match.containment, None, None, via
    shares = {"duplicate": evidence.share_b, "canonical": evidence.share_a}
    return (match.relation, match.similarity, match.containment, shares,
            holder(evidence.share_a, evidence.share_b, result.dedup), via)


CANONICAL_BECAUSE = {
    "complete": "it holds every other member: each is its near-duplicate or lies inside it",
    "story": ("it holds every other member's story, and is clean: the longer members carry reader comments "
              "or other text the cleaner took for not story"),
    "longest": "no member holds all the others: it has the longest clean body",
    "longest-keep": "--keep longest: the longest clean body",
    "shortest": "--keep shortest: the shortest clean body",
    "first": "--keep first: the first in input order",
}


def canonical_because(result: DedupeResult) -> dict[int, str]:
    """Canonical ordinal -> why it was chosen over the other members of its story (for --all)."""
    out = {}
    for cluster in result.clusters:
        if cluster.members:
            key = "longest-keep" if cluster.chosen == "longest" and result.keep == "longest" else cluster.chosen
            out[cluster.canonical] = CANONICAL_BECAUSE.get(key, key)
    return out


def passage_fields(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """What a duplicate's record gains with --all when passages were kept: the text only one side has."""
    evidence = result.evidence.get(ordinal)
    if evidence is None or not result.passages:
        return {}
    return {"only_in": {"duplicate": list(evidence.only_b), "canonical": list(evidence.only_a),
                        "counts": {"duplicate": evidence.only_counts[1], "canonical": evidence.only_counts[0]}}}


def renamed_fields(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """What the record of a repeated id changes: its id, made unique after the worker wrote the record."""
    return {RENAMED_FROM_KEY: result.renamed[ordinal], "id": result.ids[ordinal]}


def _duplicate_entry(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """An absorbed document as its canonical lists it."""
    return dict(zip(ENTRY_KEYS, (result.ids[ordinal], *match_facts(result, ordinal))))


def _duplicate_fields(result: DedupeResult, ordinal: int) -> dict[str, Any]:
    """What an absorbed document's own record gains with --all."""
    return (dict(zip(ABSORBED_KEYS, (result.ids[result.canonical_of[ordinal]], *match_facts(result, ordinal))))
            | passage_fields(result, ordinal))


def _members(result: DedupeResult) -> dict[int, list[int]]:
    """Canonical ordinal -> the ordinals it absorbed, in order."""
    return {c.canonical: sorted(m.b for m in c.members) for c in result.clusters if c.members}


def contained_fields(result: DedupeResult) -> dict[int, dict[str, Any]]:
    """What the records of stories held by digests, and of the digests, gain with --all (ordinal -> fields)."""
    out: dict[int, dict[str, Any]] = {}
    for m in result.contained:
        out.setdefault(m.a, {}).setdefault("contained_in", []).append(
            {"id": result.ids[m.b], "relation": m.relation, "similarity": m.similarity, "containment": m.containment})
        out.setdefault(m.b, {}).setdefault("contains", []).append(result.ids[m.a])
    return out


def cluster_records(result: DedupeResult, *, include_all: bool = False) -> Iterator[Record]:
    """One record per story (canonical, with the duplicates it absorbed), in input order.

    With `include_all`, every document is emitted: duplicates carry `canonical_id` and how
    they matched, canonical records carry `canonical_id: null`; a story a digest holds carries
    `contained_in` (the digests, with the scores), and the digest `contains` (the stories' ids).
    """
    members = _members(result)
    because = canonical_because(result) if include_all else {}
    held = contained_fields(result) if include_all else {}
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
                if ordinal in because:
                    record.add(canonical_because=because[ordinal])
            if ordinal in result.extra:
                record.add(**result.extra[ordinal])
        else:
            record.add(**_duplicate_fields(result, ordinal))
        if ordinal in held:
            record.add(**held[ordinal])
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
