"""Records as a Parquet file: the fields of the JSON lines output, a story's duplicates as a list of structs.

Parquet needs one schema for the whole file, and records differ (input fields some records lack, a story's
duplicates or none), so the records go first to a temporary JSON lines file while the schema of each batch is
merged; then they are read back batch by batch into row groups: memory holds one batch, never the whole output.
A field absent from a record is null in its row. A field whose values have types no Parquet type holds all
together (a number in one record, text in another) is written as JSON text, and a warning names it. pyarrow
(the `parquet` extra) is imported only when Parquet is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import orjson

from cleanwire.document import json_line
from cleanwire.errors import ConfigError
from cleanwire.outdir import TEMP_PREFIX
from cleanwire.spill import Record

ROW_GROUP_ROWS = 4096  # records per batch, and per row group
PARQUET_FILE = "records.parquet"  # the name of the Parquet output inside --output-dir


def require_pyarrow(what: str) -> None:
    """Fail now, before any input is read, when pyarrow is missing (ConfigError: a usage error)."""
    try:
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ConfigError(f"{what} needs pyarrow: pip install 'cleanwire[parquet]'") from None


def write_parquet(records: Iterable[dict[str, Any] | Record], path: str,
                  warn: Callable[[str], None] | None = None) -> int:
    """Write the records to the Parquet file `path` (replaced whole at the end); return how many."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = os.path.dirname(os.path.abspath(path))
    fields: dict[str, Any] = {}  # name -> merged pyarrow type, in the order of first appearance
    as_json: set[str] = set()
    count = 0
    with tempfile.TemporaryFile(dir=folder, prefix=TEMP_PREFIX) as spool:
        batch: list[dict[str, Any]] = []

        def merge() -> None:  # column by column: pyarrow types a list of records by the first one's keys
            names = dict.fromkeys(name for record in batch for name in record)
            for name in names:
                if name in as_json:
                    continue
                values = [record.get(name) for record in batch]
                try:
                    kind = pa.array(values).type
                except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
                    kind = None  # values of several types within the batch
                known = fields.get(name)
                merged = kind if known is None else _merged(known, kind) if kind is not None else None
                if merged is None:
                    as_json.add(name)
                    merged = pa.string()
                fields[name] = merged

        for record in records:
            fields_of = record.fields() if isinstance(record, Record) else record
            line = record.json() if isinstance(record, Record) else json_line(record)
            spool.write(line.encode("utf-8") + b"\n")
            batch.append(fields_of)
            count += 1
            if len(batch) == ROW_GROUP_ROWS:
                merge()
                batch = []
        if batch:
            merge()
        schema = pa.schema([pa.field(name, _no_null_type(kind)) for name, kind in fields.items()])
        if as_json and warn is not None:
            warn(f"{path}: fields with values of several types written as JSON text: {', '.join(sorted(as_json))}")
        spool.seek(0)
        tmp = os.path.join(folder, f"{TEMP_PREFIX}{os.getpid()}-{uuid.uuid4().hex}.parquet")  # the usual mode
        try:
            with pq.ParquetWriter(tmp, schema) as writer:
                rows: list[dict[str, Any]] = []
                for raw in spool:
                    row = _loads(raw)
                    for name in as_json:
                        if row.get(name) is not None:
                            row[name] = json.dumps(row[name], ensure_ascii=False)
                    rows.append(row)
                    if len(rows) == ROW_GROUP_ROWS:
                        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                        rows = []
                if rows or not count:
                    writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    return count


def _loads(raw: bytes) -> Any:
    """A record back from the temporary file (json for what orjson refuses: integers beyond 64 bits)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def _merged(a: Any, b: Any) -> Any:
    """One type that holds values of types `a` and `b`, or None when there is none."""
    import pyarrow as pa

    if a == b:
        return a
    try:
        return pa.unify_schemas([pa.schema([pa.field("x", a)]), pa.schema([pa.field("x", b)])],
                                promote_options="permissive").field("x").type
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


def _no_null_type(kind: Any) -> Any:
    """`kind` with text where only nulls were seen (a field no record filled): what readers expect there."""
    import pyarrow as pa

    if pa.types.is_null(kind):
        return pa.string()
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return pa.list_(_no_null_type(kind.value_type))
    if pa.types.is_struct(kind):
        return pa.struct([pa.field(kind.field(i).name, _no_null_type(kind.field(i).type))
                          for i in range(kind.num_fields)])
    return kind
