"""Records as CSV or TSV for spreadsheets: one row per record, a story's duplicates as a count and their ids.

The columns come from the first record: cleanwire's own fields, then the duplicates' (dedupe) and how a
duplicate matched (dedupe --all), then `extra` (the input fields cleanwire does not own, as one JSON object)
and `text` last. The JSON lines output stays the lossless one; this is a view of it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import IO, Any

from cleanwire.spill import Record

ID_SEPARATOR = " | "  # between the ids of a story's duplicates in one cell
_OWN = ("id", "source", "url", "title", "author", "date")
_DUPLICATES = ("duplicate_count", "duplicate_ids")
_MATCH = ("canonical_id", "relation", "similarity", "containment")
_SKIP = frozenset(_OWN + _MATCH + ("duplicates", "text"))


def write_table(records: Iterable[dict[str, Any] | Record], fmt: str, out: IO[str]) -> int:
    """Write the records as CSV (`fmt` "csv") or TSV ("tsv") with a header row; return how many."""
    it: Iterator[dict[str, Any] | Record] = iter(records)
    first = next(it, None)
    columns = list(_OWN)
    if first is not None:
        fields = _fields(first)
        if "duplicates" in fields or "canonical_id" in fields:  # dedupe (the first record may be absorbed)
            columns += _DUPLICATES
        if "canonical_id" in fields:  # dedupe --all
            columns += _MATCH
    columns += ["extra", "text"]
    writer = csv.writer(out, dialect="excel-tab" if fmt == "tsv" else "excel", lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for record in chain([first], it) if first is not None else ():
        writer.writerow(_row(_fields(record), columns))
        count += 1
    return count


def _fields(record: dict[str, Any] | Record) -> dict[str, Any]:
    return record.fields() if isinstance(record, Record) else record


def _row(fields: dict[str, Any], columns: list[str]) -> list[Any]:
    duplicates = fields.get("duplicates") or []
    extra = {key: value for key, value in fields.items() if key not in _SKIP}
    values = {
        "duplicate_count": len(duplicates),
        "duplicate_ids": ID_SEPARATOR.join(str(entry.get("id")) for entry in duplicates),
        "extra": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else "",
    }
    return [_cell(values[column] if column in values else fields.get(column)) for column in columns]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value
