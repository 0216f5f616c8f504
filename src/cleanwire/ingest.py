"""Inputs -> Documents: files, folders and stdin holding text dumps, HTML pages or JSON lines, read robustly.

Every input comes out: as a Document, or as an error Document (text "", `error` one line naming the cause)
that the pipeline reports and counts. Nothing here raises for a bad input.

Rules (the README's "What happens when..." follows them):
- Arguments are expanded to files first; files are read in (id, path) order, so the output does not depend
  on the order the arguments were given. JSON lines keep their line order inside a file.
- Ids: a file inside a folder argument is named by its path relative to that folder ("/" separators); a
  file argument by the path as given; stdin by "stdin". A JSON lines record by its id field (non-string
  scalars converted to JSON text, e.g. 7 -> "7"), else "<file id>:<line number>".
- Duplicate ids: the later document (in that order) gets the first free id of "<id>#2", "<id>#3", ... and
  `metadata["renamed_from_id"]` holds the id it had, so every id in a run is unique and nothing is dropped.
- Hidden files and folders (dotfiles) inside folders are skipped. `glob` filters files found inside folders
  (matched against the file name, or the relative path when the pattern holds a "/"); file arguments are
  always read. Folders reached through symlinks are followed; a symlink back to one of its own parents is
  one error ("symlink loop"); a folder reached twice by other routes is read once.
- stdin and FIFO arguments (e.g. `<(zcat x.gz)`) are spooled to a temporary file on first read, so
  `documents()` can be called again (template learning, then cleaning); devices are refused.
- Decoding: UTF-8 (BOM or not), UTF-16/32 (BOM, or ASCII-heavy without one), mostly-UTF-8 with a few invalid
  bytes (replaced by U+FFFD), else the charset an HTML page declares, else charset-normalizer corrected
  towards cp1252 for Western text (cp1252, latin-1, cp1250, cp1251, Shift-JIS, GB18030, Big5, EUC-KR...).
  Images, archives, compressed data and text with no plausible encoding are "binary file (...)" errors.
- Size: text and HTML files above `max_bytes` are refused unread; JSON lines are streamed, and one line
  above `max_line_bytes` is refused (skipped without being held) while the file goes on.
- Empty or whitespace-only inputs (and JSON records with an empty text) are "empty input" errors: they
  carry no story, and counting them as errors makes a broken scrape visible in the exit code.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any, BinaryIO

import numpy as np
import orjson
from charset_normalizer import from_bytes

from cleanwire.config import IngestConfig
from cleanwire.document import Document

STDIN_ARG = "-"
STDIN_ID = "stdin"
RENAMED_FROM_KEY = "renamed_from_id"
AUTHOR_FIELD = "author"  # JSON string fields that fill Document.author and .date (the output has the same keys)
DATE_FIELD = "date"

_EXTENSION_FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
}
_SNIFF_BYTES = 64 * 1024
_SKIP_CHUNK = 1024 * 1024
_JSONL_BUFFER = 256 * 1024
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "zip archive"),
    (b"\x1f\x8b", "gzip data; decompress it first"), (b"\xfd7zXZ\x00", "xz data; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd data; decompress it first"), (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"), (b"SQLite format 3\x00", "SQLite database"),
)
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD]")  # a few times faster than `b"\\ud" in raw or b"\\uD" in raw`
_CONTROL_ANY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|span|article|section|table|script|style|a|br|h[1-6])"
    r"[\s/>]", re.IGNORECASE,
)
# no two adjacent optional runs that can trade characters: that would backtrack quadratically
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s{0,20}=\s{0,20}["']?([A-Za-z0-9_.:-]{1,40})""",
                               re.IGNORECASE)
_WESTERN_CHARS = re.compile("[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                            "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")
_WESTERN_CODECS = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii"})
_OTHER_LATIN_CODECS = frozenset({"cp1250", "iso8859_2", "cp1257", "iso8859_4", "iso8859_13", "iso8859_10",
                                 "iso8859_14", "iso8859_16", "iso8859_3", "cp1254", "iso8859_9", "cp1258"})
_WESTERN_BYTES = (b"\xe0", b"\xc0", b"\xf1", b"\xd1", b"\xe5", b"\xc5")  # à À ñ Ñ å Å
_CENTRAL_BYTES = (b"\xec", b"\xcc", b"\xb9", b"\xa5", b"\xb3", b"\xa3", b"\xbf", b"\xaf", b"\x9c", b"\x8c",
                  b"\x9f", b"\x8f", b"\xba", b"\xaa", b"\xfe", b"\xde")  # ě Ě ą Ą ł Ł ż Ż ś Ś ź Ź ş Ş ţ Ţ
_DETECT_BYTES = 1024 * 1024
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_BLANK = " \t\n\r\f\v\u00a0\u200b\ufeff\u3000"


@dataclass(frozen=True, slots=True)
class _Entry:
    """One file to read (or one failure found while listing), before reading."""

    id: str
    path: str  # what to open; "-" for stdin
    source: str  # what records and error lines name
    error: str | None = None
    spool: bool = False  # stdin, a FIFO: copied to a temporary file on first read


@dataclass(frozen=True, slots=True)
class Part:
    """A slice of the run's inputs that one worker reads on its own.

    Whole files (many small ones grouped), or a line-aligned byte range of one large JSON lines file.
    Picklable, so an engine can send it to a worker process or a Ray task.
    """

    entries: tuple[_Entry, ...]
    start: int = 0  # byte range of entries[0] when `end` >= 0
    end: int = -1  # -1: the entries are read whole
    first_line: int = 0  # lines of the file before `start`


PART_BYTES = 4 * 1024 * 1024  # about this much input per part: enough work to hide the cost of a task
PART_FILES = 64  # at most this many small files per part


def read_part(part: Part, cfg: IngestConfig) -> Iterator[Document]:
    """The documents of one part, errors included, in order (ids are made unique by the caller)."""
    for entry in part.entries:
        yield from _read_entry(entry, cfg, part.start, part.end, part.first_line)


class UniqueIds:
    """Renames a repeated id to the first free "<id>#N" (see the module docstring)."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def __call__(self, doc_id: str) -> str:
        """The id to use for the next document that has `doc_id`."""
        if doc_id in self._seen:
            n = self._next_suffix.get(doc_id, 2)
            while f"{doc_id}#{n}" in self._seen:
                n += 1
            self._next_suffix[doc_id] = n + 1
            doc_id = f"{doc_id}#{n}"
        self._seen.add(doc_id)
        return doc_id

    def apply(self, doc: Document) -> Document:
        """Give `doc` its unique id, noting the one it had when renamed."""
        unique = self(doc.id)
        if unique != doc.id:
            doc.metadata[RENAMED_FROM_KEY] = doc.id
            doc.id = unique
        return doc


class InputSet:
    """The run's inputs: file paths, folders (recursive; `cfg.glob` filters their files), "-" for stdin."""

    def __init__(self, inputs: Sequence[str], cfg: IngestConfig, stdin: BinaryIO | None = None,
                 exclude: Sequence[str] = ()) -> None:
        self._inputs = list(dict.fromkeys(inputs))  # the same argument twice is one input
        # the run's own outputs (--output-dir, --errors, --stats) are never read, even inside an input folder
        self._exclude = tuple(os.path.realpath(path) for path in exclude)
        self._cfg = cfg
        self._stdin = stdin
        self._entries: list[_Entry] | None = None
        self._parts: list[Part] | None = None  # the parts cut so far
        self._cutting: Iterator[Part] = iter(())
        self._spooled: dict[str, str] = {}  # entry path -> temporary copy
        self._spool_errors: dict[str, str] = {}
        self._finalizer = weakref.finalize(self, _remove_files, self._spooled)

    @property
    def config(self) -> IngestConfig:
        """How the inputs are read."""
        return self._cfg

    def parts(self) -> Iterator[Part]:
        """The inputs cut into parts for workers, in a deterministic order.

        Cut once, as they are first asked for: the first parts go to the workers while the main
        process is still finding the line ends of the later ones (hundreds of megabytes to read).
        """
        if self._parts is None:
            self._parts = []
            self._cutting = _make_parts(self._resolved_entries(), self._cfg)
        done = 0
        while True:
            if done == len(self._parts):
                part = next(self._cutting, None)
                if part is None:
                    return
                self._parts.append(part)
            yield self._parts[done]
            done += 1

    def documents(self) -> Iterator[Document]:
        """Every document of every input, errors included, in a deterministic order with unique ids."""
        unique = UniqueIds()
        return (unique.apply(doc) for part in self.parts() for doc in read_part(part, self._cfg))

    def close(self) -> None:
        """Remove the spooled copies of stdin and FIFOs."""
        _remove_files(self._spooled)

    def __enter__(self) -> InputSet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _resolved_entries(self) -> list[_Entry]:
        """Every file to read, sorted; stdin and FIFOs replaced by their spooled copies."""
        if self._entries is None:
            found = (entry for arg in self._inputs for entry in _expand(arg, self._cfg))
            if self._exclude:
                found = (entry for entry in found if not _excluded(entry.path, self._exclude))
            self._entries = sorted(found, key=lambda e: (e.id, e.path))
        resolved = []
        for entry in self._entries:
            if entry.spool and entry.error is None:
                path = self._spool(entry)
                error = self._spool_errors.get(entry.path)
                entry = _Entry(entry.id, path, entry.source, error)
            resolved.append(entry)
        return resolved

    def _spool(self, entry: _Entry) -> str:
        """Copy stdin or a FIFO to a temporary file once; return the copy's path."""
        if entry.path in self._spooled or entry.path in self._spool_errors:
            return self._spooled.get(entry.path, "")
        try:
            fd, tmp = tempfile.mkstemp(prefix="cleanwire-spool-")
            self._spooled[entry.path] = tmp
            with os.fdopen(fd, "wb") as out:
                if entry.path == STDIN_ARG:
                    source = self._stdin if self._stdin is not None else getattr(sys.stdin, "buffer", None)
                    if source is None:
                        raise OSError("stdin is not available")
                    shutil.copyfileobj(source, out, _SKIP_CHUNK)
                else:
                    with open(entry.path, "rb") as src:
                        shutil.copyfileobj(src, out, _SKIP_CHUNK)
        except OSError as exc:
            self._spool_errors[entry.path] = f"cannot read: {_reason(exc)}"
        return self._spooled.get(entry.path, "")


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """Is `path` one of `exclude` or inside one of them?"""
    real = os.path.realpath(path)
    return any(real == other or real.startswith(other + os.sep) for other in exclude)


def _read_entry(entry: _Entry, cfg: IngestConfig, start: int = 0, end: int = -1,
                first_line: int = 0) -> Iterator[Document]:
    """The documents of one entry; an unexpected failure becomes an error document, not a crash."""
    if entry.error is not None:
        yield error_document(entry.id, entry.source, entry.error)
        return
    line = [first_line]
    try:
        yield from _read_file(entry.path, entry, cfg, line, start, end)
    except Exception as exc:  # a bug or an odd OS failure must not stop the run
        where = f"{entry.source}:{line[0]}" if line[0] else entry.source
        yield error_document(entry.id if not line[0] else f"{entry.id}:{line[0]}", where, _reason(exc))


def _make_parts(entries: Iterable[_Entry], cfg: IngestConfig) -> Iterator[Part]:
    """Group small files into parts; cut large JSON lines files into line-aligned byte ranges."""
    group: list[_Entry] = []
    group_bytes = 0
    for entry in entries:
        size = 0
        if entry.error is None:
            try:
                size = os.stat(entry.path).st_size
            except OSError:
                size = 0  # reading it will name the cause
        if size > PART_BYTES and _is_jsonl_file(entry, cfg):
            if group:
                yield Part(tuple(group))
                group, group_bytes = [], 0
            yield from _jsonl_ranges(entry, size)
            continue
        group.append(entry)
        group_bytes += size
        if len(group) >= PART_FILES or group_bytes >= PART_BYTES:
            yield Part(tuple(group))
            group, group_bytes = [], 0
    if group:
        yield Part(tuple(group))


def _is_jsonl_file(entry: _Entry, cfg: IngestConfig) -> bool:
    known = cfg.input_format or _EXTENSION_FORMATS.get(os.path.splitext(entry.path)[1].lower())
    if known is not None:
        return known == "jsonl"
    try:
        with open(entry.path, "rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError:
        return False
    return detect_format(entry.path, head) == "jsonl" and magic_kind(head) is None


class _NewlineCounter:
    """Counts the line ends in a buffer that is read into again and again (numpy: several times `bytes.count`)."""

    def __init__(self, size: int) -> None:
        self.buffer = bytearray(size)
        self._bytes = np.frombuffer(self.buffer, dtype=np.uint8)
        self._equal = np.empty(size, dtype=bool)

    def count(self, size: int) -> int:
        """Line ends in the first `size` bytes of the buffer."""
        equal = self._equal[:size]
        np.equal(self._bytes[:size], 0x0A, out=equal)
        return int(np.count_nonzero(equal))


def _jsonl_ranges(entry: _Entry, size: int) -> Iterator[Part]:
    """Line-aligned byte ranges of about PART_BYTES, each knowing how many lines come before it."""
    try:
        f = open(entry.path, "rb")
    except OSError:
        yield Part((entry,))  # reading it will name the cause
        return
    # one buffer for every range: fresh 4 MB buffers cost as much in page faults as the counting
    counter = _NewlineCounter(PART_BYTES)
    with f:
        start, lines = 0, 0
        while start < size:
            f.seek(start)
            got = f.readinto(counter.buffer)
            if not got:  # the file is shorter than it was when listed: its parts end here
                return
            end = start + got
            newlines = counter.count(got)  # counted now rather than by reading the range again
            if end < size and counter.buffer[got - 1] != 0x0A:
                f.seek(end)
                rest = f.readline()
                while rest and not rest.endswith(b"\n"):  # a line longer than a part: read to its end
                    more = f.readline(_SKIP_CHUNK)
                    if not more:
                        break
                    rest = more if len(rest) > _SKIP_CHUNK else rest + more
                end = f.tell()
                newlines += rest.endswith(b"\n")  # only the last piece read can hold a newline, at its end
            yield Part((entry,), start, end, lines)
            lines += newlines
            start = end


def error_document(doc_id: str, source: str, reason: str) -> Document:
    """A failed input: no text, and a one-line cause."""
    return Document(id=doc_id, text="", source=source, error=" ".join(reason.split()) or "error")


def _remove_files(paths: dict[str, str]) -> None:
    for tmp in list(paths.values()):
        try:
            os.unlink(tmp)
        except OSError:
            pass
    paths.clear()


def _expand(arg: str, cfg: IngestConfig) -> Iterator[_Entry]:
    """The files an argument stands for, or one error entry."""
    if arg == STDIN_ARG:
        yield _Entry(STDIN_ID, STDIN_ARG, STDIN_ID, spool=True)
        return
    try:
        st = os.stat(arg)
    except (OSError, ValueError) as exc:
        yield _named(arg, arg, _reason(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(arg, cfg.glob, st)
    elif stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        yield _named(arg, arg, spool=stat.S_ISFIFO(st.st_mode))  # a pipe, e.g. <(zcat x.gz), can be read once
    else:
        yield _named(arg, arg, "not a regular file")  # a device such as /dev/zero would never end


def _named(doc_id: str, path: str, error: str | None = None, spool: bool = False) -> _Entry:
    """An entry whose id and source are printable: a file name that is not UTF-8 arrives with lone surrogates."""
    return _Entry(_no_surrogates(doc_id), path, _printable(path), error, spool)


def _printable(path: str) -> str:
    """A path for one-line messages: control characters escaped, undecodable bytes replaced."""
    path = _no_surrogates(path)
    return _CONTROL_ANY.sub(lambda m: repr(m.group())[1:-1], path) if _CONTROL_ANY.search(path) else path


def _walk(root: str, pattern: str | None, root_stat: os.stat_result) -> Iterator[_Entry]:
    """Files under `root` (iterative, so deep trees do not hit the recursion limit), with ids relative to it."""
    root_key = (root_stat.st_dev, root_stat.st_ino)
    listed = {root_key}
    stack: list[tuple[str, str, tuple[tuple[int, int], ...]]] = [("", root, (root_key,))]
    while stack:
        rel_dir, dir_path, parents = stack.pop()
        try:
            with os.scandir(dir_path) as it:
                # sorted, real folders before symlinks to them, so a folder reached twice is read by the same route
                entries = sorted(it, key=lambda e: (e.is_symlink(), e.name))
        except OSError as exc:
            yield _named(rel_dir or root, dir_path, f"cannot list folder: {_reason(exc)}")
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_dir():
                    st = entry.stat()
                    key = (st.st_dev, st.st_ino)
                    if key in parents:
                        yield _named(rel, entry.path, "symlink loop: this folder links back to a parent")
                    elif key not in listed:
                        listed.add(key)
                        stack.append((rel, entry.path, parents + (key,)))
                    continue
                if pattern is not None and not _glob_match(rel, entry.name, pattern):
                    continue
                if entry.is_file():
                    yield _named(rel, entry.path)
                else:
                    os.stat(entry.path)  # a symlink loop or a missing target raises its reason here
                    yield _named(rel, entry.path, "not a regular file")
            except OSError as exc:
                if pattern is None or _glob_match(rel, entry.name, pattern):
                    yield _named(rel, entry.path, _reason(exc))


def _glob_match(rel: str, name: str, pattern: str) -> bool:
    """`*.txt` matches file names; a pattern with "/" matches the relative path ("**/" may match nothing)."""
    if "/" not in pattern:
        return fnmatchcase(name, pattern)
    return fnmatchcase(rel, pattern) or (pattern.startswith("**/") and fnmatchcase(rel, pattern[3:]))


def _reason(exc: BaseException) -> str:
    """A one-line cause for an exception, without the path (the error line names the input already)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory (or a broken symlink)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ---------------------------------------------------------------- reading one file


def _read_file(path: str, entry: _Entry, cfg: IngestConfig, line: list[int], start: int = 0,
               end: int = -1) -> Iterator[Document]:
    """The documents of one regular file: one for a text or HTML page, one per line for JSON lines.

    With `end` >= 0 the file is a large JSON lines file and only the lines in [start, end) are read.
    """
    known = cfg.input_format or _EXTENSION_FORMATS.get(os.path.splitext(entry.path)[1].lower())
    try:
        # JSON lines are read line by line: a larger buffer saves a read call and a copy every few lines
        f = open(path, "rb", buffering=_JSONL_BUFFER if known == "jsonl" else -1)
    except OSError as exc:
        yield error_document(entry.id, entry.source, f"cannot read: {_reason(exc)}")
        return
    with f:
        size = os.fstat(f.fileno()).st_size
        if known in ("text", "html") and size > cfg.max_bytes:
            yield error_document(entry.id, entry.source, f"too large: {size} bytes (limit {cfg.max_bytes})")
            return
        head = f.read(_SNIFF_BYTES)
        fmt = known or detect_format(entry.path, head)
        # JSON lines are judged line by line (one bad line must not lose the file), unless a signature says binary
        binary = magic_kind(head) if fmt == "jsonl" else binary_kind(head)
        if binary is not None:
            yield error_document(entry.id, entry.source, f"binary file ({binary})")
            return
        if fmt == "jsonl":
            if head.startswith(_BOM_PREFIXES[1:]):
                yield error_document(entry.id, entry.source, "JSON lines in UTF-16/32; convert to UTF-8 (iconv)")
                return
            f.seek(start)
            yield from _read_jsonl(f, entry, cfg, line, (end - start) if end >= 0 else -1)
            return
        if fmt == "json-array":
            yield error_document(entry.id, entry.source, "a JSON array, not JSON lines (convert it: jq -c '.[]')")
            return
        if size > cfg.max_bytes:
            yield error_document(entry.id, entry.source, f"too large: {size} bytes (limit {cfg.max_bytes})")
            return
        data = head + f.read() if len(head) == _SNIFF_BYTES else head
    if len(data) > cfg.max_bytes:
        yield error_document(entry.id, entry.source, f"too large: {len(data)} bytes (limit {cfg.max_bytes})")
        return
    text = decode_bytes(data, html=fmt == "html")
    if text is None:
        yield error_document(entry.id, entry.source, "binary file (no plausible text encoding)")
    elif not text.strip(_BLANK):
        yield error_document(entry.id, entry.source, "empty input")
    else:
        yield Document(id=entry.id, text=text, source=entry.source, kind=fmt)


def binary_kind(head: bytes) -> str | None:
    """What binary data `head` (the first bytes of a file) looks like, or None for text."""
    magic = magic_kind(head)
    if magic is not None:
        return magic
    if head.startswith(_BOM_PREFIXES):
        return None  # UTF-16/32 text is full of NUL and control bytes; its decoded text is checked instead
    if b"\x00" in head:
        return None if _utf16_without_bom(head) is not None else "NUL bytes"
    sample = head[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return "control bytes" if controls * 10 > len(sample) else None


def magic_kind(head: bytes) -> str | None:
    """The kind of file a known binary signature at the start of `head` announces (images, archives...)."""
    if head.startswith(_MAGIC_PREFIXES):
        return next(name for magic, name in _MAGIC if head.startswith(magic))
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "RIFF media"
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return "bzip2 data; decompress it first"
    return None


def detect_format(path: str, head: bytes) -> str:
    """ "text", "html" or "jsonl" (or "json-array"): by extension, else by sniffing the first bytes."""
    ext = os.path.splitext(path)[1].lower()
    if ext in _EXTENSION_FORMATS:
        return _EXTENSION_FORMATS[ext]
    codec = _bom_codec(head) or _utf16_without_bom(head) or "utf-8"
    text = head.decode(codec, errors="replace").lstrip(_BLANK)
    if text.startswith("<") and _HTML_TAG.search(text, 0, 8192):
        return "html"
    if text.startswith("{") and _looks_like_jsonl(text, truncated=len(head) == _SNIFF_BYTES):
        return "jsonl"
    if ext == ".json" and text.startswith("["):
        return "json-array"
    return "text"


def _looks_like_jsonl(text: str, truncated: bool) -> bool:
    """The first complete non-blank line is a JSON object, or most of the first five are (a broken line
    then is one error, not the whole file read as a text dump); a first line too long to see counts."""
    lines = text.split("\n")
    if truncated:
        lines = lines[:-1]
    verdicts = [_is_json_object(line) for line in lines if line.strip()][:5]
    if not verdicts:
        return truncated
    return verdicts[0] or sum(verdicts) * 2 > len(verdicts)


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def decode_bytes(data: bytes, html: bool = False) -> str | None:
    """Text from bytes in whatever encoding they are in; None when no text encoding is plausible.

    Detection looks at one MiB around the first byte that is not UTF-8 (charset-normalizer and the Western
    check cost time per byte); the whole input is then decoded with the encoding found.
    """
    codec = _bom_codec(data) or _utf16_without_bom(data[:_SNIFF_BYTES])
    if codec is not None:
        try:
            return _plausible(data.decode(codec))
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # the first invalid byte may sit far into a long ASCII file: look around it
        start = max(0, min(exc.start - _DETECT_BYTES // 2, len(data) - _DETECT_BYTES))
        sample = data[start:start + _DETECT_BYTES]
    if _mostly_utf8(sample):
        return data.decode("utf-8", errors="replace")
    if html:
        declared = _declared_charset(data)
        if declared is not None:
            try:
                return _plausible(data.decode(declared))
            except UnicodeDecodeError:
                pass
    codec = _legacy_codec(sample)
    return _plausible(data.decode(codec, errors="replace")) if codec else None


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag; Latin-1 read as cp1252, as browsers do."""
    declared = _DECLARED_CHARSET.search(data, 0, 8192)
    if declared is None:
        return None
    try:
        name = codecs.lookup(declared.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "latin-1", "ascii") else name


def _legacy_codec(sample: bytes) -> str | None:
    """The legacy encoding of bytes that are not UTF-8: charset-normalizer, corrected towards cp1252.

    charset-normalizer often reads short Western text with curly quotes as a DOS or Mac code page, and
    French as cp1250 (à -> ŕ); cp1252, the most common legacy encoding of web text, wins those cases.
    """
    best = from_bytes(sample).best()
    name: str | None = best.encoding if best is not None else None
    if name in _WESTERN_CODECS:
        return "cp1252" if name == "ascii" else name  # a sample can be ASCII where the rest is not
    if name in _OTHER_LATIN_CODECS:
        western, central = _latin_votes(sample)
        return "cp1252" if western > central and _cp1252_strict(sample) else name
    if _western_text(sample) is not None:  # also short Western text taken for a DOS, Mac or CJK code page
        return "cp1252"
    if name is not None:
        return name
    return "cp1252" if _plausible(sample.decode("cp1252", errors="replace")) is not None else None


def _latin_votes(sample: bytes) -> tuple[int, int]:
    """Bytes whose cp1252 letter is common in Western languages, and bytes whose cp1250 letter is common in
    Central European ones (à ñ å against ě ą ł ż ś ź ş ţ); the bytes both read alike say nothing."""
    western = sum(sample.count(b) for b in _WESTERN_BYTES)
    central = sum(sample.count(b) for b in _CENTRAL_BYTES)
    return western, central


def _cp1252_strict(sample: bytes) -> bool:
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _western_text(sample: bytes) -> str | None:
    """`sample` as cp1252 when that reads as Western European text: accents inside words, Windows punctuation."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = in_runs = 0
    for match in _NON_ASCII_RUN.finditer(text):
        run = match.group()
        if _WESTERN_CHARS.fullmatch(run) is None:
            return None
        count = sum(1 for ch in run if ch.isalpha())
        letters += count
        in_runs += count if count > 1 else 0
    # Cyrillic, Greek or CJK bytes read as cp1252 give whole words of accented letters
    return _plausible(text) if in_runs * 2 <= letters else None


def _plausible(text: str) -> str | None:
    """`text`, unless its start is so full of control characters that it is binary data after all."""
    sample = text[:8192]
    if len(_CONTROL_CHARS.findall(sample)) * 20 > len(sample):
        return None
    return text


def _mostly_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 with a few invalid bytes: at least as many valid multi-byte characters."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    valid = non_ascii - invalid
    # valid multi-byte sequences almost never occur by chance in a legacy encoding
    return valid > 0 and valid >= invalid


def _bom_codec(data: bytes) -> str | None:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text leaves a NUL in every other byte."""
    half = len(head) // 2
    if half < 16:  # too short to tell from binary
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd * 10 >= half * 4 and even * 20 < half:
        return "utf-16-le"
    if even * 10 >= half * 4 and odd * 20 < half:
        return "utf-16-be"
    return None


# ---------------------------------------------------------------- JSON lines


def _read_jsonl(f: BinaryIO, entry: _Entry, cfg: IngestConfig, line: list[int],
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
            while raw and not raw.endswith(b"\n") and budget != 0:  # skip the rest without holding it
                raw = readline(_SKIP_CHUNK if budget < 0 else min(_SKIP_CHUNK, budget))
                budget -= len(raw) if budget > 0 else 0
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


def _fast_line_document(raw: bytes, entry_id: str, lineno: int, where: str, cfg: IngestConfig) -> Document | None:
    """The document of a JSON line parsed by orjson, or None when only `_line_document` can tell.

    orjson parses several times faster than json, but json is the reference: its error messages are the ones
    reported, and some values differ. orjson refuses what json reads differently or refuses (NaN, lone
    surrogate escapes, bytes that are not UTF-8, a BOM, infinite numbers, nesting beyond 1024), and reads
    integers beyond 64 bits as floats, so any float, and any nesting deep enough that json might run out of
    stack, goes the reference way too. What orjson accepts holds no lone surrogate: nothing to scrub.
    tests/test_ingest.py pins all this: an orjson upgrade that changes any of it fails there.
    """
    try:
        record = orjson.loads(raw)
        if type(record) is not dict or not _plain(record, _FAST_DEPTH):
            return None
        return _fields_document(record, entry_id, lineno, where, cfg, _unchanged)
    except Exception:  # an error message, or anything unexpected, comes from the reference path
        return None


_FAST_DEPTH = 64  # json recurses once per level against the interpreter's limit (1000): far from it


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
        return error_document(fallback_id, where, f"invalid JSON: {_reason(exc).split(': ', 1)[-1]}")
    try:
        if _SURROGATE_ESCAPE.search(raw):  # only \uXXXX escapes make lone surrogates
            record = _without_surrogates(record)
        return record_document(record, fallback_id, where, cfg, scrub=False)
    except Exception as exc:  # e.g. a record nested too deeply to walk: this line fails, the file goes on
        return error_document(fallback_id, where, _reason(exc))


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
        return raw.decode("utf-8" if _mostly_utf8(raw) else "cp1252", errors="replace")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant)  # holds no state between lines


def record_document(record: Any, fallback_id: str, where: str, cfg: IngestConfig, *,
                    scrub: bool = True) -> Document:
    """A Document from one JSON record; fields cleanwire does not own go to metadata unchanged.

    cleanwire owns the id, text and html fields, and title, url, author and date when they are strings.
    `scrub=False`: the caller has already replaced lone surrogates (or knows there are none).
    """
    if not isinstance(record, dict):
        return error_document(fallback_id, where, f"not a JSON object but {_json_type(record)}")
    return _fields_document(dict(record), fallback_id, 0, where, cfg, _no_surrogates if scrub else _unchanged)


def _fields_document(fields: dict[str, Any], entry_id: str, lineno: int, where: str, cfg: IngestConfig,
                     clean: Callable[[str], str]) -> Document:
    """`record_document` on a dict it may empty; the fallback id is "<entry_id>:<lineno>", or `entry_id`
    itself when `lineno` is 0 (built only when the record has no id)."""
    pop = fields.pop
    doc_id = _id_string(pop(cfg.id_field, None), clean) or (f"{entry_id}:{lineno}" if lineno else entry_id)
    text = pop(cfg.text_field, None)
    html = pop(cfg.html_field, None)
    if isinstance(text, str) and text.strip(_BLANK):
        kind, body = "text", text
    elif isinstance(html, str) and html.strip(_BLANK):
        kind, body = "html", html
    else:
        return error_document(doc_id, where, _missing_text_reason(text, html, cfg))
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


def _id_string(value: Any, clean: Callable[[str], str] | None = None) -> str | None:
    """An id as text: strings as they are, other JSON values as compact JSON; None or "" for no id."""
    if value is None:
        return None
    if isinstance(value, str):
        return (clean or _no_surrogates)(value) or None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _without_surrogates(value: Any) -> Any:
    """`value` with lone surrogates replaced in every string, keys included: no UTF-8 writer accepts them."""
    if isinstance(value, str):
        return _no_surrogates(value)
    if isinstance(value, list):
        return [_without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


def _unchanged(text: str) -> str:
    return text


def _no_surrogates(text: str) -> str:
    """JSON may hold lone surrogates, which no UTF-8 writer accepts; replace them."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text
