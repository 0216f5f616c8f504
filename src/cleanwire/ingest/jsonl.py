"""JSON lines -> Documents: one per non-blank line, streamed; a bad line is one error document, the file goes on.

Each line is parsed by orjson when that is sure to read it as json does, else by json, the reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import orjson

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest.decode import mostly_utf8
from cleanwire.ingest.discover import Entry
from cleanwire.ingest.failures import error_document, reason
from cleanwire.ingest.text import BLANK, no_surrogates

AUTHOR_FIELD = "author"  # JSON string fields that fill Document.author and .date (the output has the same keys)
DATE_FIELD = "date"

_SKIP_CHUNK = 1024 * 1024  # an over-long line is skipped in pieces of this size
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")  # a few times faster than `b"\\ud" in raw or b"\\uD" in raw`
_FAST_DEPTH = 64  # json recurses once per level against the interpreter's limit (1000): far from it


def read_jsonl(f: BinaryIO, entry: Entry, cfg: IngestConfig, line: list[int],
               budget: int = -1, *, fast: bool = True) -> Iterator[Document]:
    """One document per non-blank line, streamed; a bad line is an error document and the file goes on.

    `line[0]` holds the lines before the current position; `budget` >= 0 reads only that many bytes
    (a part of a large file, ending on a line end). `fast=False` reads every line the reference way
    (tests compare the two).
    """
    limit = cfg.max_line_bytes
    lineno = line[0]
    whole = budget < 0 and lineno == 0
    records = 0
    entry_id, source, readline = entry.id, entry.source, f.readline
    while True:
        if budget == 0:
            return
        raw = readline(limit + 1 if budget < 0 else min(limit + 1, budget))
        if not raw:
            if records == 0 and whole:  # a file of blank lines is an input too: it must show up
                yield error_document(entry_id, source, "empty input")
            return
        if budget > 0:
            budget -= len(raw)
        lineno += 1
        line[0] = lineno
        where = f"{source}:{lineno}"
        if len(raw) > limit and not raw.endswith(b"\n"):
            budget = _skip_rest_of_line(readline, raw, budget)
            records += 1
            yield error_document(f"{entry_id}:{lineno}", where, f"JSON line longer than {limit} bytes")
            continue
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw or raw.isspace():  # isspace() stops at the first byte that is not, strip() copies the line
            continue
        records += 1
        doc = _fast_line_document(raw, entry_id, lineno, where, cfg) if fast else None
        yield doc if doc is not None else _line_document(raw, f"{entry_id}:{lineno}", where, cfg)


def _skip_rest_of_line(readline: Callable[[int], bytes], raw: bytes, budget: int) -> int:
    """Read past the rest of the line `raw` began, without holding it; the budget left."""
    while raw and not raw.endswith(b"\n") and budget != 0:
        raw = readline(_SKIP_CHUNK if budget < 0 else min(_SKIP_CHUNK, budget))
        budget -= len(raw) if budget > 0 else 0
    return budget


def _fast_line_document(raw: bytes, entry_id: str, lineno: int, where: str, cfg: IngestConfig) -> Document | None:
    """The document of a JSON line parsed by orjson, or None when only `_line_document` can tell.

    orjson parses several times faster than json, but json is the reference: its error messages are the ones
    reported, and some values differ. orjson refuses what json reads differently or refuses (NaN, lone
    surrogate escapes, bytes that are not UTF-8, a BOM, infinite numbers, nesting beyond 1024), and reads
    integers beyond 64 bits as floats, so any float, and any nesting deep enough that json might run out of
    stack, goes the reference way too. What orjson accepts holds no lone surrogate: nothing to scrub.
    tests/test_ingest_jsonl.py pins all this: an orjson upgrade that changes any of it fails there.
    """
    try:
        record = orjson.loads(raw)
        if type(record) is not dict or not _plain(record, _FAST_DEPTH):
            return None
        return _fields_document(record, entry_id, lineno, where, cfg, _unchanged)
    except Exception:  # an error message, or anything unexpected, comes from the reference path
        return None


def _plain(container: Any, depth: int) -> bool:
    """Only strings, 64-bit integers, booleans and nulls, at most `depth` levels deep: values json reads alike."""
    if depth == 0:
        return False
    for value in container.values() if type(container) is dict else container:
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None:
            continue
        if (kind is not dict and kind is not list) or not _plain(value, depth - 1):
            return False  # a float (or an integer orjson read as one), or a type this check does not know
    return True


def _line_document(raw: bytes, fallback_id: str, where: str, cfg: IngestConfig) -> Document:
    """The document of one non-blank JSON line, read by json: the reference for values and error messages."""
    try:
        record = _json_loads(_json_text(raw))
    except RecursionError:
        return error_document(fallback_id, where, "invalid JSON: nested too deeply")
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many integer digits
        return error_document(fallback_id, where, f"invalid JSON: {reason(exc).split(': ', 1)[-1]}")
    try:
        if _SURROGATE_ESCAPE.search(raw):  # only \uXXXX escapes make lone surrogates
            record = _without_surrogates(record)
        return _record_document(record, fallback_id, where, cfg)
    except Exception as exc:  # e.g. a record nested too deeply to walk: this line fails, the file goes on
        return error_document(fallback_id, where, reason(exc))


def _json_loads(text: str) -> Any:
    """json.loads(text, parse_constant=_reject_constant) without building a decoder for every line."""
    if text.startswith("\ufeff"):
        return json.loads(text)  # json's own "Unexpected UTF-8 BOM" error
    return _JSON_DECODER.decode(text)


def _json_text(raw: bytes) -> str:
    """A JSON line as text: UTF-8 as JSON requires, else (a legacy export) mostly-UTF-8 or cp1252, not an error."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8" if mostly_utf8(raw) else "cp1252", errors="replace")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # holds no state between lines


def _record_document(record: Any, fallback_id: str, where: str, cfg: IngestConfig) -> Document:
    """A Document from one JSON record whose lone surrogates are already replaced.

    cleanwire owns the id, text and html fields, and title, url, author and date when they are strings;
    the other fields go to metadata unchanged.
    """
    if not isinstance(record, dict):
        return error_document(fallback_id, where, f"not a JSON object but {_json_type(record)}")
    return _fields_document(dict(record), fallback_id, 0, where, cfg, _unchanged)


def _fields_document(fields: dict[str, Any], entry_id: str, lineno: int, where: str, cfg: IngestConfig,
                     clean: Callable[[str], str]) -> Document:
    """`_record_document` on a dict it may empty; the fallback id is "<entry_id>:<lineno>", or `entry_id`
    itself when `lineno` is 0 (built only when the record has no id)."""
    pop = fields.pop
    doc_id = _id_string(pop(cfg.id_field, None), clean) or (f"{entry_id}:{lineno}" if lineno else entry_id)
    text = pop(cfg.text_field, None)
    html = pop(cfg.html_field, None)
    if isinstance(text, str) and text.strip(BLANK):
        kind, body = "text", text
    elif isinstance(html, str) and html.strip(BLANK):
        kind, body = "html", html
    else:
        return error_document(doc_id, where, _missing_text_reason(text, html, cfg))
    if "\x00" in body:  # as in files: NUL is no part of a story, and lxml refuses it
        body = body.replace("\x00", "")
    get = fields.get
    # in this order, one at a time: a field named twice in the config is taken once
    title = clean(pop(cfg.title_field)) if isinstance(get(cfg.title_field), str) else None
    url = clean(pop(cfg.url_field)) if isinstance(get(cfg.url_field), str) else None
    author = clean(pop(AUTHOR_FIELD)) if isinstance(get(AUTHOR_FIELD), str) else None
    date = clean(pop(DATE_FIELD)) if isinstance(get(DATE_FIELD), str) else None
    return Document(id=doc_id, text=clean(body), source=where, kind=kind, title=title, url=url,
                    author=author, date=date, metadata=fields)


def _missing_text_reason(text: Any, html: Any, cfg: IngestConfig) -> str:
    if text is None and html is None:
        return f"no {cfg.text_field!r} or {cfg.html_field!r} field"
    for name, value in ((cfg.text_field, text), (cfg.html_field, html)):
        if value is not None and not isinstance(value, str):
            return f"field {name!r} is {_json_type(value)}, not a string"
    return "empty input"


def _id_string(value: Any, clean: Callable[[str], str]) -> str | None:
    """An id as text: strings as they are, other JSON values as compact JSON; None or "" for no id."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean(value) or None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _without_surrogates(value: Any) -> Any:
    """`value` with lone surrogates replaced in every string, keys included: no UTF-8 writer accepts them."""
    if isinstance(value, str):
        return no_surrogates(value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {no_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def _unchanged(text: str) -> str:
    return text
