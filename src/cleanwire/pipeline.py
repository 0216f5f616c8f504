"""Wires the stages for one run: ingest -> (learn templates) -> clean -> fingerprint | match -> cluster.

The streaming stages run per batch of documents on an engine (local process pool or Ray);
the matching stage is the barrier, and there only signatures are held in memory: cleaned
texts go to a spill file and are read back for verification and for the output.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from typing import Any

from cleanwire.clean import TemplateModel, clean_html, clean_text_dump, normalize_text
from cleanwire.cluster import Cluster, build_clusters
from cleanwire.config import Config
from cleanwire.document import Document
from cleanwire.fingerprint import Signature, signature
from cleanwire.match import Match, find_matches

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


ErrorHandler = Callable[[Document], None]
Engine = Any  # has .map(fn, items, state) -> Iterator, ordered


def batched(items: Iterable[Document], size: int = BATCH_SIZE) -> Iterator[list[Document]]:
    """Split a stream of documents into lists of at most `size`."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


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


def _learn_batch(batch: list[Document], state: StageState) -> TemplateModel:
    model = TemplateModel()
    for doc in batch:
        if doc.error is None and doc.kind == "text":
            model.add(doc.text)
    return model


def _clean_batch(batch: list[Document], state: StageState) -> list[Document]:
    return [clean_document(doc, state) for doc in batch]


def _clean_and_sign_batch(
    batch: list[Document], state: StageState
) -> list[tuple[Document, Signature | None]]:
    out: list[tuple[Document, Signature | None]] = []
    for doc in batch:
        doc = clean_document(doc, state)
        sig = signature(doc.text, state.config.dedup) if doc.error is None and doc.text else None
        out.append((doc, sig))
    return out


def learn_template(documents: Iterable[Document], config: Config, engine: Engine) -> TemplateModel | None:
    """Pass 1: learn the lines that repeat across different documents of the run."""
    if not (config.clean.enabled and config.clean.learn_templates):
        return None
    model = TemplateModel()
    for part in engine.map(_learn_batch, batched(documents), StageState(config)):
        model.merge(part)
    return model.freeze()


def clean_stream(
    documents_twice: Callable[[], Iterable[Document]],
    config: Config,
    engine: Engine,
    counters: Counters,
    *,
    explain: bool = False,
) -> Iterator[Document]:
    """Clean every document, in input order; failed inputs come through with `error` set."""
    started = time.perf_counter()
    template = learn_template(documents_twice(), config, engine)
    counters.seconds["learn"] = time.perf_counter() - started
    state = StageState(config, template, explain)
    started = time.perf_counter()
    for batch in engine.map(_clean_batch, batched(documents_twice()), state):
        for doc in batch:
            counters.documents += 1
            if doc.error is not None:
                counters.errors += 1
            elif not doc.text:
                counters.empty += 1
            yield doc
    counters.seconds["clean"] = time.perf_counter() - started


class Spill:
    """Cleaned documents on disk, one JSON line each, read back by ordinal."""

    def __init__(self, directory: str | None = None) -> None:
        handle, self.path = tempfile.mkstemp(prefix="cleanwire-", suffix=".spill.jsonl", dir=directory)
        self._file = os.fdopen(handle, "w+b")
        self.offsets = array("q")

    def append(self, doc: Document) -> int:
        """Store `doc`; return its ordinal."""
        self.offsets.append(self._file.tell())
        record = {
            "id": doc.id, "source": doc.source, "url": doc.url, "title": doc.title,
            "author": doc.author, "date": doc.date, "text": doc.text, "metadata": doc.metadata,
        }
        self._file.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        return len(self.offsets) - 1

    def texts(self, ordinals: Sequence[int]) -> dict[int, str]:
        """The clean bodies of `ordinals` (read in file order)."""
        self._file.flush()
        out: dict[int, str] = {}
        for ordinal in sorted(set(ordinals)):
            self._file.seek(self.offsets[ordinal])
            out[ordinal] = json.loads(self._file.readline())["text"]
        self._file.seek(0, os.SEEK_END)
        return out

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self._file.flush()
        self._file.seek(0)
        for line in self._file:
            yield json.loads(line)
        self._file.seek(0, os.SEEK_END)

    def close(self) -> None:
        """Remove the spill file."""
        self._file.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


@dataclass
class DedupeResult:
    """The outcome of the matching stage; texts stay in the spill."""

    spill: Spill
    ids: list[str]
    lengths: list[int]
    clusters: list[Cluster]
    canonical_of: list[int]  # ordinal -> ordinal of its cluster's canonical
    member_match: dict[int, Match]  # absorbed ordinal -> how it matched

    def close(self) -> None:
        """Release the spill file."""
        self.spill.close()


def dedupe(
    documents_twice: Callable[[], Iterable[Document]],
    config: Config,
    engine: Engine,
    counters: Counters,
    on_error: ErrorHandler,
    spill_dir: str | None = None,
) -> DedupeResult:
    """Clean, fingerprint and cluster every document; errors go to `on_error`."""
    started = time.perf_counter()
    template = learn_template(documents_twice(), config, engine)
    counters.seconds["learn"] = time.perf_counter() - started

    started = time.perf_counter()
    spill = Spill(spill_dir)
    try:
        ids: list[str] = []
        lengths: list[int] = []
        signatures: list[Signature | None] = []
        state = StageState(config, template)
        for batch in engine.map(_clean_and_sign_batch, batched(documents_twice()), state):
            for doc, sig in batch:
                counters.documents += 1
                if doc.error is not None:
                    counters.errors += 1
                    on_error(doc)
                    continue
                if sig is None:
                    counters.empty += 1
                spill.append(doc)
                ids.append(doc.id)
                lengths.append(sig.length if sig is not None else 0)
                signatures.append(sig)
        counters.seconds["clean+fingerprint"] = time.perf_counter() - started

        started = time.perf_counter()
        # empty bodies never match; the matcher sees only the signed documents, renumbered
        signed = [i for i, sig in enumerate(signatures) if sig is not None]

        def load_texts(positions: Sequence[int]) -> dict[int, str]:
            texts = spill.texts([signed[p] for p in positions])
            return {p: texts[signed[p]] for p in positions}

        found = find_matches([signatures[i] for i in signed], load_texts, config.dedup, map_batches=engine.map)
        matches = [replace(m, a=signed[m.a], b=signed[m.b]) for m in found]
        clusters = build_clusters(len(ids), matches, lengths, config.keep)
        counters.seconds["match+cluster"] = time.perf_counter() - started

        canonical_of = list(range(len(ids)))
        member_match: dict[int, Match] = {}
        for cluster in clusters:
            for match in cluster.members:
                absorbed = match.b
                canonical_of[absorbed] = cluster.canonical
                member_match[absorbed] = match
                counters.relations[match.relation] += 1
        counters.clusters = len(clusters)
        counters.duplicates = len(member_match)
        return DedupeResult(spill, ids, lengths, clusters, canonical_of, member_match)
    except BaseException:
        spill.close()  # interrupted or failed before the caller owns the spill: leave no temp file behind
        raise
