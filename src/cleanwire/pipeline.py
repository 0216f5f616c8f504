"""Wires the stages for one run: ingest -> (learn templates) -> clean -> fingerprint | match -> cluster.

The streaming stages run per batch of documents on an engine (local process pool or Ray);
the matching stage is the barrier, and there only signatures are held in memory: cleaned
texts go to a spill file and are read back for verification and for the output.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from typing import Any, BinaryIO

import numpy as np
import orjson

from cleanwire.candidates import FingerprintFile, SharedFingerprints, write_fingerprints
from cleanwire.clean import TemplateModel, clean_html, clean_text_dump, normalize_text
from cleanwire.cluster import Cluster, ClusterBuilder
from cleanwire.config import Config
from cleanwire.document import Document, json_line
from cleanwire.fingerprint import signatures
from cleanwire.ingest import InputSet, Part, UniqueIds, read_part
from cleanwire.match import find_matches
from cleanwire.signatures import Signatures, SignatureStore
from cleanwire.verify import Match

BATCH_SIZE = 64


@dataclass
class Counters:
    """What a run did, for the summary on stderr and `--stats FILE`."""

    documents: int = 0
    errors: int = 0
    empty: int = 0  # documents whose clean body is empty (emitted, never matched)
    clusters: int = 0
    duplicates: int = 0
    relations: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The counters as plain JSON-ready values."""
        out = asdict(self)
        out["relations"] = dict(sorted(self.relations.items()))
        out["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return out


@dataclass(frozen=True)
class StageState:
    """What every worker needs, sent to each once."""

    config: Config
    template: TemplateModel | None = None
    explain: bool = False
    spill_dir: str | None = None  # where workers write their parts' records (they share this machine's files)
    fingerprint_files: bool = False  # and their parts' fingerprints, for a candidate search by the workers


ErrorHandler = Callable[[Document], None]
Progress = Callable[[str, int], None]  # (stage label, documents just done)
Engine = Any  # has .map(fn, items, state) -> Iterator, ordered


class DocumentSource:
    """Documents already in memory (a library caller's list or generator), in batches for the engine."""

    def __init__(self, documents: Callable[[], Iterable[Document]] | Iterable[Document]) -> None:
        self._documents = documents

    def parts(self) -> Iterator[list[Document]]:
        """Batches of documents; each pass reads the documents again."""
        docs = self._documents() if callable(self._documents) else self._documents
        return _grouped(docs, BATCH_SIZE)


Source = InputSet | DocumentSource


def _as_source(source: Source | Callable[[], Iterable[Document]]) -> Source:
    if isinstance(source, (InputSet, DocumentSource)):
        return source
    return DocumentSource(source)


def _read(part: Part | list[Document], state: StageState) -> Iterator[Document]:
    """The documents of one part, read in the worker (files) or as sent (documents in memory)."""
    if isinstance(part, Part):
        return read_part(part, state.config.ingest)
    return iter(part)


def clean_document(doc: Document, state: StageState) -> Document:
    """Return `doc` with its clean body as text and title/author/date filled where found."""
    config = state.config
    if doc.error is not None:
        return doc
    if not config.clean.enabled:
        doc.text = normalize_text(doc.text)
        return doc
    if doc.kind == "html":
        result = clean_html(doc.text, state.template, url=doc.url, explain=state.explain)
    else:
        result = clean_text_dump(doc.text, state.template, explain=state.explain)
    doc.text = result.body
    doc.kind = "text"
    doc.title = doc.title or result.title
    doc.author = doc.author or result.author
    doc.date = doc.date or result.date
    if state.explain:
        doc.decisions = result.decisions
    return doc


def _learn_parts(parts: list[Part | list[Document]], state: StageState) -> tuple[TemplateModel, int]:
    model = new_template_model(state.config)
    count = 0
    for part in parts:
        for doc in _read(part, state):
            count += 1
            if doc.error is None and doc.kind == "text":
                model.add(doc.text)
    return model, count


LEARN_PARTS = 4  # input parts per template-learning task: fewer, larger models for the main process to merge


def _grouped(parts: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(parts)
    while group := list(islice(iterator, size)):
        yield group


def _clean_part(part: Part | list[Document], state: StageState) -> list[Document]:
    return [clean_document(doc, state) for doc in _read(part, state)]


@dataclass
class SignedPart:
    """What a worker sends back for one part: signatures and the clean records, already serialised."""

    ids: list[str] = field(default_factory=list)  # every document of the part, in order (ids as read)
    errors: dict[int, Document] = field(default_factory=dict)  # position in `ids` -> the failed document
    empty: set[int] = field(default_factory=set)  # positions in `ids` of good documents with an empty body
    signatures: Signatures | None = None  # of the other good documents, in order
    offsets: list[int] = field(default_factory=list)  # per good document: where its record starts in `blob`
    blob: bytes = b""  # the good documents' records as JSON lines, written to the spill as they are
    segment: str | None = None  # or: the spill segment the worker wrote them to
    fingerprints: FingerprintFile | None = None  # the signatures' fingerprints, when the worker wrote them


def _sign_part(part: Part | list[Document], state: StageState) -> SignedPart:
    out = SignedPart()
    chunks: list[bytes] = []
    texts: list[str] = []
    size = 0
    for doc in _read(part, state):
        doc = clean_document(doc, state)
        if doc.error is not None:
            out.errors[len(out.ids)] = doc
            out.ids.append(doc.id)
            continue
        if doc.text:
            texts.append(doc.text)
        else:
            out.empty.add(len(out.ids))
        out.ids.append(doc.id)
        record = spill_record(doc)
        out.offsets.append(size)
        chunks.append(record)
        size += len(record)
    out.signatures = signatures(texts, state.config.dedup)  # all at once: a few vector operations
    if state.spill_dir is not None and chunks:
        out.segment = write_segment(state.spill_dir, b"".join(chunks))
        if state.fingerprint_files:
            out.fingerprints = write_fingerprints(state.spill_dir, out.signatures)
    else:
        out.blob = b"".join(chunks)
    return out


def learn_template(source: Source, config: Config, engine: Engine,
                   progress: Progress | None = None) -> TemplateModel | None:
    """Pass 1: learn the lines that repeat across different documents of the run."""
    if not (config.clean.enabled and config.clean.learn_templates):
        return None
    # merged like a binary counter: models of equal rank pair up, so each line is re-sorted about
    # log(parts) times; folding every part into one growing model would be quadratic in the parts
    stack: list[tuple[int, TemplateModel]] = []
    # a worker learns a few parts into one model: merging is the main process's work, and while
    # it merges it hands out no work, so fewer, larger models keep the workers busy
    for part_model, count in engine.map(_learn_parts, _grouped(source.parts(), LEARN_PARTS), StageState(config)):
        rank, merged = 0, part_model
        while stack and stack[-1][0] == rank:
            _, left = stack.pop()
            left.merge(merged)
            rank, merged = rank + 1, left
        stack.append((rank, merged))
        if progress is not None:
            progress("learning templates", count)
    model = new_template_model(config)
    for _, part_model in stack:
        model.merge(part_model)
    return model.freeze()


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system, where the C library keeps them (glibc).

    What one stage freed would otherwise still count in the process's RSS in the next.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return
    trim(0)


def new_template_model(config: Config) -> TemplateModel:
    """An empty template model with the run's settings."""
    return TemplateModel(min_docs=config.clean.template_min_docs)


def clean_stream(
    source: Source | Callable[[], Iterable[Document]],
    config: Config,
    engine: Engine,
    counters: Counters,
    *,
    explain: bool = False,
    progress: Progress | None = None,
) -> Iterator[Document]:
    """Clean every document, in input order, ids made unique; failed inputs come through with `error` set."""
    source = _as_source(source)
    started = time.perf_counter()
    template = learn_template(source, config, engine, progress)
    counters.seconds["learn"] = time.perf_counter() - started
    state = StageState(config, template, explain)
    unique = UniqueIds()
    started = time.perf_counter()
    for docs in engine.map(_clean_part, source.parts(), state):
        for doc in docs:
            unique.apply(doc)
            counters.documents += 1
            if doc.error is not None:
                counters.errors += 1
            elif not doc.text:
                counters.empty += 1
            yield doc
        if progress is not None:
            progress("cleaning", len(docs))
    counters.seconds["clean"] = time.perf_counter() - started


def spill_record(doc: Document) -> bytes:
    """A cleaned document's output record as one line for the spill file: its JSON without the closing
    brace, so the output appends the fields it learns later (duplicates) without parsing it again."""
    return json_line(doc.record())[:-1].encode("utf-8", "surrogatepass") + b"\n"


class Record:
    """An output record serialised once: the JSON of its fields so far, and fields added since."""

    __slots__ = ("_prefix", "_extra", "_fields")

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix  # a JSON object without its closing brace
        self._extra: dict[str, Any] = {}
        self._fields: dict[str, Any] | None = None

    @classmethod
    def of(cls, fields: dict[str, Any]) -> Record:
        """A record from its fields."""
        return cls(json_line(fields)[:-1])

    def add(self, **fields: Any) -> None:
        """Add (or replace) fields at the end of the record."""
        self._extra.update(fields)
        self._fields = None

    def json(self) -> str:
        """The record as one line of JSON."""
        if not self._extra:
            return self._prefix + "}"
        return self._prefix + ("" if self._prefix == "{" else ",") + json_line(self._extra)[1:]

    def fields(self) -> dict[str, Any]:
        """The record as a dict (parsed on demand: most records are only written out)."""
        if self._fields is None:
            self._fields = json.loads(self._prefix + "}")
            self._fields.update(self._extra)
        return dict(self._fields)

    def __getitem__(self, key: str) -> Any:
        return self.fields()[key]

    def get(self, key: str, default: Any = None) -> Any:
        """A field's value, or `default`."""
        return self.fields().get(key, default)


class Spill:
    """Cleaned documents on disk, one JSON line each, read back by ordinal.

    A private folder of segment files, one after the other in ordinal order. Records the main
    process receives go to a segment it writes; a worker on this machine writes a part's records
    to a segment of its own (`write_segment`), which the spill adopts, so the texts never pass
    through the main process. Closing removes the folder.
    """

    def __init__(self, directory: str | None = None) -> None:
        self.directory = tempfile.mkdtemp(prefix="cleanwire-", suffix=".spill", dir=directory)
        self._paths: list[str] = []
        self._segment = array("i")  # per ordinal: its segment
        self.offsets = array("q")  # per ordinal: where its line starts in its segment
        self._own: BinaryIO | None = None  # the segment append_blob writes, while it is the last one

    def append_blob(self, blob: bytes, offsets: Sequence[int]) -> None:
        """Store records serialised elsewhere: `blob` holds them, starting at `offsets`."""
        if self._own is None:
            handle, path = tempfile.mkstemp(suffix=".jsonl", dir=self.directory)
            self._own = os.fdopen(handle, "wb")
            self._paths.append(path)
        base = self._own.tell()
        self._segment.extend([len(self._paths) - 1] * len(offsets))
        self.offsets.extend(base + offset for offset in offsets)
        self._own.write(blob)

    def adopt(self, path: str, offsets: Sequence[int]) -> None:
        """Take the segment a worker wrote with `write_segment` as the next records."""
        self._close_own()
        self._paths.append(path)
        self._segment.extend([len(self._paths) - 1] * len(offsets))
        self.offsets.extend(offsets)

    def _close_own(self) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None

    def texts(self, ordinals: Sequence[int]) -> dict[int, str]:
        """The clean bodies of `ordinals` (read in file order)."""
        return self.where(ordinals).load()

    def where(self, ordinals: Sequence[int]) -> SpillRefs:
        """Where the records of `ordinals` are: enough for a worker on this machine to read them itself."""
        self._close_own()
        return SpillRefs(self._paths, {o: (self._segment[o], self.offsets[o]) for o in ordinals})

    def __iter__(self) -> Iterator[Record]:
        for lines in self.blocks():
            for line in lines:
                yield Record(line.decode("utf-8", "surrogatepass"))

    def blocks(self, size: int = 1 << 23) -> Iterator[list[bytes]]:
        """The records' lines (without their line ends), in order, a few megabytes at a time."""
        self._close_own()
        for path in self._paths:
            yield from segment_blocks(path, size)

    def segments(self) -> list[tuple[str, int, int]]:
        """(path, first ordinal, records) of each segment, in order."""
        self._close_own()
        segment = np.frombuffer(self._segment, dtype=np.int32) if len(self._segment) else np.empty(0, np.int32)
        bounds = np.searchsorted(segment, np.arange(len(self._paths) + 1)).tolist()
        return [(path, bounds[i], bounds[i + 1] - bounds[i]) for i, path in enumerate(self._paths)]

    def close(self) -> None:
        """Remove the spill's folder and everything in it."""
        self._close_own()
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class SpillRefs:
    """Records of a spill by (segment, offset): what a verification batch carries instead of texts."""

    paths: list[str]
    where: dict[int, tuple[int, int]]  # ordinal -> (segment, offset)

    def __getstate__(self) -> dict[str, Any]:
        # only the segments this batch needs travel
        used = sorted({segment for segment, _ in self.where.values()})
        return {"paths": {i: self.paths[i] for i in used}, "where": self.where}

    def __setstate__(self, state: dict[str, Any]) -> None:
        paths = state["paths"]
        self.paths = [paths.get(i, "") for i in range(max(paths, default=-1) + 1)]
        self.where = state["where"]

    def renumbered(self, keys: Sequence[int]) -> SpillRefs:
        """The same records under other keys: keys[i] for the i-th record asked for."""
        return SpillRefs(self.paths, dict(zip(keys, self.where.values())))

    def load(self) -> dict[int, str]:
        """The clean bodies, read in file order."""
        out: dict[int, str] = {}
        f: BinaryIO | None = None
        segment = -1
        try:
            for ordinal, (at, offset) in sorted(self.where.items(), key=lambda item: item[1]):
                if at != segment:
                    if f is not None:
                        f.close()
                    segment = at
                    f = open(self.paths[segment], "rb")
                assert f is not None
                f.seek(offset)
                line = f.readline().rstrip(b"\n") + b"}"
                try:
                    out[ordinal] = orjson.loads(line)["text"]
                except orjson.JSONDecodeError:  # a lone surrogate, kept as written: the standard library reads it
                    out[ordinal] = json.loads(line)["text"]
        finally:
            if f is not None:
                f.close()
        return out


def segment_blocks(path: str, size: int = 1 << 23) -> Iterator[list[bytes]]:
    """The lines of a spill segment (without their line ends), a few megabytes at a time."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size <= size:  # a worker's part: read whole, no line carried over
            lines = f.read().split(b"\n")
            lines.pop()  # after the last line end
            yield lines
            return
        tail = b""
        while chunk := f.read(size):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()  # the unfinished line, completed by the next chunk
            yield lines


def write_segment(directory: str, blob: bytes) -> str:
    """Write a part's records as a spill segment in `directory` (a worker's side of `Spill.adopt`)."""
    handle, path = tempfile.mkstemp(suffix=".jsonl", dir=directory)
    with os.fdopen(handle, "wb") as f:
        f.write(blob)
    return path


@dataclass
class DedupeResult:
    """The outcome of the matching stage; texts stay in the spill."""

    spill: Spill
    ids: list[str]  # unique ids, by ordinal; the spill holds the ids as read
    lengths: Sequence[int]
    clusters: list[Cluster]  # the stories of two or more documents; every other document is one alone
    canonical_of: list[int]  # ordinal -> ordinal of its cluster's canonical
    member_match: dict[int, Match]  # absorbed ordinal -> how it matched
    renamed: dict[int, str] = field(default_factory=dict)  # ordinal -> id as read (the spill holds that one)

    def close(self) -> None:
        """Release the spill file."""
        self.spill.close()


def dedupe(
    source: Source | Callable[[], Iterable[Document]],
    config: Config,
    engine: Engine,
    counters: Counters,
    on_error: ErrorHandler,
    spill_dir: str | None = None,
    progress: Progress | None = None,
) -> DedupeResult:
    """Clean, fingerprint and cluster every document; errors go to `on_error`."""
    source = _as_source(source)
    started = time.perf_counter()
    template = learn_template(source, config, engine, progress)
    counters.seconds["learn"] = time.perf_counter() - started
    return_freed_memory()  # merging the template models left a large, mostly free heap

    started = time.perf_counter()
    spill = Spill(spill_dir)
    parts: Generator[SignedPart, None, None] | None = None
    try:
        ids: list[str] = []
        lengths = array("q")
        signatures = SignatureStore()
        signed = array("q")  # ordinals of the documents with a non-empty body, the ones matched
        renamed: dict[int, str] = {}  # ordinal -> the id it was read with, when that id came before
        unique = UniqueIds()
        # workers on this machine write the clean records to the spill themselves, and with two or
        # more of them, the fingerprints for a candidate search of their own
        shared = spill.directory if getattr(engine, "shares_files", False) else None
        workers = getattr(engine, "jobs", 1)
        state = StageState(config, template, spill_dir=shared, fingerprint_files=shared is not None and workers > 1)
        fingerprint_files: list[FingerprintFile] = []
        parts = engine.map(_sign_part, source.parts(), state)
        for part in parts:
            assert part.signatures is not None
            part_lengths = iter(part.signatures.lengths.tolist())
            if part.fingerprints is not None:
                fingerprint_files.append(replace(part.fingerprints, base=len(signatures)))
            signatures.extend(part.signatures)
            for position, read_id in enumerate(part.ids):
                counters.documents += 1
                if position in part.errors:
                    doc = part.errors[position]
                    unique.apply(doc)
                    counters.errors += 1
                    on_error(doc)
                    continue
                if position in part.empty:
                    counters.empty += 1
                    lengths.append(0)
                else:
                    signed.append(len(ids))
                    lengths.append(next(part_lengths))
                doc_id = unique(read_id)
                if doc_id != read_id:
                    renamed[len(ids)] = read_id
                ids.append(doc_id)
            if part.segment is not None:
                spill.adopt(part.segment, part.offsets)
            else:
                spill.append_blob(part.blob, part.offsets)
            if progress is not None:
                progress("clean+fingerprint", len(part.ids))
        counters.seconds["clean+fingerprint"] = time.perf_counter() - started

        started = time.perf_counter()
        # empty bodies never match; the matcher sees only the signed documents, renumbered
        def load_texts(positions: Sequence[int]) -> Mapping[int, str] | SpillRefs:
            if shared is not None:  # the workers read the texts of their batch themselves
                return spill.where([signed[p] for p in positions]).renumbered(positions)
            texts = spill.texts([signed[p] for p in positions])
            return {p: texts[signed[p]] for p in positions}

        def searched(_: list[Match]) -> None:  # first called with the exact matches, before any verification
            counters.seconds.setdefault("candidates", time.perf_counter() - started)

        files = SharedFingerprints(spill.directory, fingerprint_files, workers) if state.fingerprint_files else None
        builder = ClusterBuilder(signed)  # the matcher numbers the signed documents 0, 1, ...
        builder.add(find_matches(signatures, load_texts, config.dedup, map_batches=engine.map, on_found=searched,
                                 shared=files))
        clusters = builder.clusters(lengths, config.keep)
        counters.seconds["match+cluster"] = time.perf_counter() - started

        canonical_of = list(range(len(ids)))
        member_match: dict[int, Match] = {}
        for cluster in clusters:
            for match in cluster.members:
                absorbed = match.b
                canonical_of[absorbed] = cluster.canonical
                member_match[absorbed] = match
                counters.relations[match.relation] += 1
        counters.clusters = len(ids) - len(member_match)
        counters.duplicates = len(member_match)
        return DedupeResult(spill, ids, lengths, clusters, canonical_of, member_match, renamed)
    except BaseException:
        # interrupted or failed before the caller owns the spill: leave no temp file behind, and end
        # the workers first, so that none writes into the spill's folder after it is removed
        if parts is not None:
            parts.close()
        spill.close()
        raise
