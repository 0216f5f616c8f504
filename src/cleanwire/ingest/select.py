"""Which files found inside folders are inputs: those of a recognised format; others are skipped and counted.

A file given by name is always read. Inside a folder, a file is skipped when its extension is one cleanwire
does not read (`.csv`, `.md`, `.png`...) and its content is neither HTML, JSON lines nor Parquet (unless
--glob picked it), or when it is JSON lines of which no record has the text or HTML field (a `gold.jsonl` of
labels, a `manifest.json`). A file without an extension is sniffed and read as before, and a JSON lines file
of which any record has the field is read whole, its other records reported one by one: nothing is lost
without a line or a count saying so.
"""

from __future__ import annotations

import json
import os
import re

import orjson

from cleanwire.config import IngestConfig
from cleanwire.ingest.compressed import ArchiveError, open_decompressed, sniffed_head
from cleanwire.ingest.discover import Entry
from cleanwire.ingest.sniff import SNIFF_BYTES, detect_format, jsonl_refusal, known_format

_EXTENSION = re.compile(r"\.[a-z][a-z0-9_-]{0,9}")  # `.csv`, not the `.05` of a name such as `2024.01.05`
_SCAN_LINE_BYTES = 64 * 1024 * 1024


def skip_reason(entry: Entry, cfg: IngestConfig) -> str | None:
    """Why a file found inside a folder is not an input, or None to read it."""
    if not entry.in_folder or entry.error is not None or cfg.input_format is not None:
        return None
    try:
        with open(entry.path, "rb") as f:
            head, compression, name = sniffed_head(
                f, entry.path, SNIFF_BYTES, lambda raw, kind, size: open_decompressed(raw, kind).read(size))
    except (OSError, ArchiveError):
        return None  # reading it will name the cause
    fmt = known_format(name, cfg)
    if fmt is None:
        ext = os.path.splitext(name)[1].lower()
        if not _EXTENSION.fullmatch(ext):
            return None  # no extension to go by: sniffed and read, as a file given by name
        fmt = detect_format(name, head)
        # files --glob picks are read whatever they are
        if fmt not in ("html", "jsonl", "parquet", "warc") and cfg.glob is None:
            return f"not a recognised input format ({ext})"
    if fmt == "jsonl" and jsonl_refusal(head) is None and not _any_record_with_text(entry.path, compression, cfg):
        return f"JSON lines without a {cfg.text_field!r} or {cfg.html_field!r} field in any record"
    return None


def _any_record_with_text(path: str, compression: str | None, cfg: IngestConfig) -> bool:
    """Does any record have the text or HTML field? True too when a line is not a JSON object, or the file
    holds no record: the reader reports those, one by one, as it always did."""
    keys = (json.dumps(cfg.text_field).encode(), json.dumps(cfg.html_field).encode())
    records = 0
    try:
        with open(path, "rb") as raw:
            f = open_decompressed(raw, compression) if compression is not None else raw
            for line in iter(lambda: f.readline(_SCAN_LINE_BYTES), b""):
                if not line.strip():
                    continue
                records += 1
                if not (line.endswith(b"\n") or len(line) < _SCAN_LINE_BYTES):
                    return True  # a line too long to look at here
                if any(key in line for key in keys) or b"\\u" in line:
                    return True  # the field, or maybe it with escapes: the reader tells
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError:
                    return True
                if not isinstance(record, dict):
                    return True
    except (OSError, ArchiveError):
        return True
    return records == 0
