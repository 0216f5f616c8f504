"""Parquet -> Documents: a table of records read as JSON lines reads its lines, by row groups (bounded memory).

The text or HTML column, and the id, url and title columns, are the ones --text-field, --html-field, --id-field,
--url-field and --title-field name; the other columns pass through as JSON lines passes fields it does not own.
A null cell is no value (a JSON lines record without that field). A record without an id is `<file>:<row>`
(1-based), as a JSON line's is `<file>:<line>`. pyarrow (the `parquet` extra) is imported only when a Parquet
file is read.
"""

from __future__ import annotations

import base64
import datetime
import decimal
from collections.abc import Iterator
from typing import Any, BinaryIO

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest.discover import Entry
from cleanwire.ingest.failures import error_document, reason
from cleanwire.ingest.jsonl import _fields_document, _unchanged

MISSING = "Parquet needs pyarrow: pip install 'cleanwire[parquet]'"
BATCH_ROWS = 1024  # rows turned into Python records at a time, within one row group
PART_ROW_GROUP_BYTES = 4 * 1024 * 1024  # row groups are grouped into parts of about this much (uncompressed)


def read_parquet(f: BinaryIO, entry: Entry, cfg: IngestConfig, line: list[int], start: int = 0,
                 end: int = -1) -> Iterator[Document]:
    """One document per row, row group by row group; row groups [start, end) only when `end` >= 0.

    `line[0]` holds the rows before row group `start` (and then the current row, for an error's place). A file
    that is not Parquet, or a row group that cannot be read, is one error naming the file and the rows read.
    """
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield error_document(entry.id, entry.source, MISSING)
        return
    try:
        table = pq.ParquetFile(f)
    except Exception as exc:  # ArrowInvalid, OSError: not Parquet, or its footer is damaged
        yield error_document(entry.id, entry.source, f"not a readable Parquet file: {reason(exc)}")
        return
    groups = range(start, end if end >= 0 else table.num_row_groups)
    rows = line[0]
    whole = end < 0 and start == 0
    try:
        for group in groups:
            for batch in table.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], use_threads=False):
                names = batch.schema.names
                # column by column: several times faster than pyarrow's row by row to_pylist
                columns = [column.to_pylist() if _plain(kind) else [_json_value(v) for v in column.to_pylist()]
                           for column, kind in zip(batch.columns, batch.schema.types)]
                for values in zip(*columns):
                    rows += 1
                    line[0] = rows
                    fields = {key: value for key, value in zip(names, values) if value is not None}
                    yield _fields_document(fields, entry.id, rows, f"{entry.source}:{rows}", cfg, _unchanged)
    except Exception as exc:  # a damaged page or row group: the rows before it are kept
        yield error_document(f"{entry.id}:{rows + 1}", entry.source,
                             f"damaged Parquet file: {reason(exc)}: after row {rows}; the rows before it are kept")
        return
    if whole and rows == 0:
        yield error_document(entry.id, entry.source, "empty input")


def row_group_ranges(path: str) -> list[tuple[int, int, int, int]] | None:
    """(first row group, end row group, rows before, bytes in the file) of about PART_ROW_GROUP_BYTES each
    (uncompressed), for workers;
    None when pyarrow is missing or the file cannot be read (the reader then names the cause, once)."""
    try:
        import pyarrow.parquet as pq

        meta = pq.read_metadata(path)
    except Exception:
        return None
    ranges = []
    first, rows, size, stored, before = 0, 0, 0, 0, 0
    for group in range(meta.num_row_groups):
        info = meta.row_group(group)
        rows += info.num_rows
        size += info.total_byte_size
        stored += sum(info.column(i).total_compressed_size for i in range(info.num_columns))
        if size >= PART_ROW_GROUP_BYTES or group == meta.num_row_groups - 1:
            ranges.append((first, group + 1, before, stored))
            first, before, size, stored = group + 1, rows, 0, 0
    return ranges


def _plain(kind: Any) -> bool:
    """Does pyarrow turn values of this type into what JSON lines would hold (str, int, float, bool, None,
    lists and dicts of them)?"""
    import pyarrow as pa

    t = pa.types
    if t.is_string(kind) or t.is_large_string(kind) or t.is_integer(kind) or t.is_floating(kind) \
            or t.is_boolean(kind) or t.is_null(kind):
        return True
    if t.is_list(kind) or t.is_large_list(kind):
        return bool(_plain(kind.value_type))
    if t.is_struct(kind):
        return all(_plain(kind.field(i).type) for i in range(kind.num_fields))
    return False


def _json_value(value: Any) -> Any:
    """A cell of another type as a JSON value: dates and times as ISO 8601, decimals as text, bytes as UTF-8
    text (base64 when they are not), maps as objects."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], tuple) and len(value[0]) == 2:
        return {str(k): _json_value(v) for k, v in value}  # a map column: (key, value) pairs
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return str(value)
