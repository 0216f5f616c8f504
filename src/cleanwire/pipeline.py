"""Wires the stages for one run: ingest -> (learn templates) -> clean -> fingerprint | match -> cluster.

The streaming stages (`stages.py`) run per part of the input on an engine (local process pool
or Ray); the matching stage is the barrier, and there only signatures are held in memory:
cleaned texts go to the spill and are read back for verification and for the output.
"""

from __future__ import annotations

import ctypes
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from cleanwire.candidates import FingerprintFile, SharedFingerprints, write_fingerprints
from cleanwire.clean import TemplateModel
from cleanwire.cluster import Cluster, ClusterBuilder
from cleanwire.config import Config, DedupConfig
from cleanwire.digest import CONTAINED
from cleanwire.document import Document
from cleanwire.engines.base import Engine, parallel_on_files
from cleanwire.index import Index, Loaded
from cleanwire.ingest import InputSet, Part, UniqueIds
from cleanwire.match import find_matches
from cleanwire.relations import Evidence, against_canonical, batched, pairs_to_relate, relate_batch
from cleanwire.results import Counters, DedupeResult
from cleanwire.signatures import SignatureStore
from cleanwire.spill import Spill, SpillRefs
from cleanwire.stages import (
    DocumentSource,
    InputPart,
    SignedPart,
    Source,
    StageState,
    as_source,
    clean_part,
    grouped,
    learn_parts,
    new_template_model,
    sign_part,
)
from cleanwire.verify import Match, directed_relation

__all__ = ["Counters", "DedupeResult", "DocumentSource", "clean_stream", "dedupe", "learn_template"]

ErrorHandler = Callable[[Document], None]
EmptyHandler = Callable[[str], None]  # takes the name of a document that cleaned to nothing


class Progress(Protocol):
    """Told how a stage advances: `done` items (documents, pairs, records) just done, of `total` when known.

    `unit` names the items; `size` is (bytes just read, bytes in all) on the first pass over the inputs.
    """

    def __call__(self, stage: str, done: int, total: int | None = None, *, unit: str = "",
                 size: tuple[int, int | None] | None = None) -> None: ...


LEARN_PARTS = 4  # input parts per template-learning task: fewer, larger models for the main process to merge


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
    total = source.total_bytes() if progress is not None else None
    for part_model, count, size in engine.map(learn_parts, grouped(source.parts(), LEARN_PARTS),
                                              StageState(config)):
        rank, merged = 0, part_model
        while stack and stack[-1][0] == rank:
            _, left = stack.pop()
            left.merge(merged)
            rank, merged = rank + 1, left
        stack.append((rank, merged))
        if progress is not None:
            progress("learning templates", count, size=(size, total) if total is not None else None)
    model = new_template_model(config)
    for _, part_model in stack:
        model.merge(part_model)
    return model.freeze()


class _FirstPass:
    """The bytes of each part handed to an engine, taken back in order as its results come.

    Where no template pass ran, cleaning is the first pass over the inputs, and its bar counts bytes of
    the input's size; else (`counted` False, or documents in memory) it counts documents only.
    """

    def __init__(self, source: Source, counted: bool) -> None:
        self.total = source.total_bytes() if counted else None
        self._sizes: deque[int] = deque()

    def parts(self, parts: Iterator[InputPart]) -> Iterator[InputPart]:
        """The parts, each one's size noted as it goes to the engine."""
        if self.total is None:
            yield from parts
            return
        for part in parts:
            self._sizes.append(part.size if isinstance(part, Part) else 0)
            yield part

    def size(self) -> tuple[int, int | None] | None:
        """(bytes of the next part done, bytes in all), or None when the pass is not counted in bytes."""
        return None if self.total is None else (self._sizes.popleft(), self.total)


def return_freed_memory() -> None:
    """Give the heap's free pages back to the system, where the C library keeps them (glibc).

    What one stage freed would otherwise still count in the process's RSS in the next.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc: nothing to do
        return
    trim(0)


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
    source = as_source(source)
    started = time.perf_counter()
    template = learn_template(source, config, engine, progress)
    counters.seconds["learn"] = time.perf_counter() - started
    state = StageState(config, template, explain)
    unique = UniqueIds()
    started = time.perf_counter()
    first = _FirstPass(source, counted=progress is not None and template is None)
    for docs in engine.map(clean_part, first.parts(source.parts()), state):
        for doc in docs:
            unique.apply(doc)
            counters.documents += 1
            if doc.error is not None:
                counters.errors += 1
            elif not doc.text:
                counters.empty += 1
            yield doc
        if progress is not None:
            progress("cleaning", len(docs), size=first.size())
    counters.seconds["clean"] = time.perf_counter() - started
    counters.skipped, counters.skipped_records = _skipped(source)


def _skipped(source: Source) -> tuple[int, int]:
    """Files inside input folders that were not read (not of a recognised format), and WARC records."""
    if not isinstance(source, InputSet):
        return 0, 0
    return len(source.skipped), len(source.skipped_records())


@dataclass
class _Signed:
    """What the matching stage keeps of every document, gathered part by part (the texts go to the spill)."""

    ids: list[str] = field(default_factory=list)  # unique ids, by ordinal
    lengths: array[int] = field(default_factory=lambda: array("q"))
    beyond_story: dict[int, int] = field(default_factory=dict)  # ordinal -> Document.beyond_story, where not 0
    signatures: SignatureStore = field(default_factory=SignatureStore)
    signed: array[int] = field(default_factory=lambda: array("q"))  # ordinals with a non-empty body: the matched
    renamed: dict[int, str] = field(default_factory=dict)  # ordinal -> the id it was read with, when that came before
    fingerprint_files: list[FingerprintFile] = field(default_factory=list)
    unique: UniqueIds = field(default_factory=UniqueIds)

    def add(self, part: SignedPart, counters: Counters, on_error: ErrorHandler,
            on_empty: EmptyHandler | None = None) -> None:
        """Take in one part's documents, in order; its failed documents go to `on_error`, the names of
        those that cleaned to nothing to `on_empty`."""
        assert part.signatures is not None
        part_lengths = iter(part.signatures.lengths.tolist())
        part_beyond = iter(part.beyond_story)
        if part.fingerprints is not None:
            self.fingerprint_files.append(replace(part.fingerprints, base=len(self.signatures)))
        self.signatures.extend(part.signatures)
        for position, read_id in enumerate(part.ids):
            counters.documents += 1
            if position in part.errors:
                doc = part.errors[position]
                self.unique.apply(doc)
                counters.errors += 1
                on_error(doc)
                continue
            if position in part.empty:
                counters.empty += 1
                if on_empty is not None:
                    on_empty(part.empty[position])
                self.lengths.append(0)
            else:
                self.signed.append(len(self.ids))
                self.lengths.append(next(part_lengths))
                if beyond := next(part_beyond, 0):
                    self.beyond_story[len(self.ids)] = min(beyond, self.lengths[-1])
            doc_id = self.unique(read_id)
            if doc_id != read_id:
                self.renamed[len(self.ids)] = read_id
            self.ids.append(doc_id)


def _spill_part(spill: Spill, part: SignedPart) -> None:
    """Put a part's records in the spill: the segment its worker wrote, or the records it sent."""
    if part.segment is not None:
        spill.adopt(part.segment, part.offsets)
    else:
        spill.append_blob(part.blob, part.offsets)


def _join_loaded(loaded: Loaded, docs: _Signed, spill: Spill, state: StageState) -> None:
    """An index's documents join the run after its own: ordinals and matcher numbers, texts, fingerprints."""
    if not len(loaded):
        return
    start = len(docs.ids)
    if state.fingerprint_files:
        docs.fingerprint_files.append(replace(write_fingerprints(spill.directory, loaded.signatures),
                                              base=len(docs.signatures)))
    docs.signatures.extend(loaded.signatures)
    docs.ids.extend(loaded.ids)
    docs.lengths.extend(loaded.signatures.lengths.tolist())
    docs.signed.extend(range(start, start + len(loaded)))
    spill.append_reference(*loaded.spill_blob())


def _find_clusters(docs: _Signed, spill: Spill, config: Config, engine: Engine, state: StageState,
                   counters: Counters, progress: Progress | None = None,
                   loaded: Loaded | None = None) -> tuple[list[Cluster], list[Match]]:
    """Match the documents with a body and cluster them; the first search's time is counted as "candidates".

    Also gives the "contained-in" matches (a story, a digest that holds it), by ordinal. With `loaded`
    documents of an index, their stored matches join the verified ones, their pairs among themselves are
    not searched again, and they come before the run's own where ties are broken.
    """
    started = time.perf_counter()
    signed = docs.signed

    # empty bodies never match; the matcher sees only the signed documents, renumbered
    def load_texts(positions: Sequence[int]) -> Mapping[int, str] | SpillRefs:
        return _texts_of(spill, state, [signed[p] for p in positions], positions)

    def searched(_: list[Match]) -> None:  # first called with the exact matches, before any verification
        counters.seconds.setdefault("candidates", time.perf_counter() - started)

    files = (SharedFingerprints(spill.directory, docs.fingerprint_files, engine.jobs)
             if state.fingerprint_files else None)
    builder = ClusterBuilder(signed)  # the matcher numbers the signed documents 0, 1, ...
    lengths: Sequence[int] = docs.lengths
    beyond = docs.beyond_story
    if loaded is not None:
        builder = ClusterBuilder([loaded.rank(o) for o in signed])
        builder.add(loaded.stored_matches({o: p for p, o in enumerate(signed[:loaded.signed])}))
        lengths = docs.lengths[loaded.batch:] + docs.lengths[:loaded.batch]
        beyond = {loaded.rank(o): n for o, n in beyond.items()}

    def verified(done: int, total: int) -> None:
        counters.candidate_pairs = total
        if progress is not None:
            progress("matching", done, total, unit="pairs")

    def aligned(count: int) -> None:
        counters.alignments += count

    matches = find_matches(docs.signatures, load_texts, config.dedup, map_batches=engine.map, on_found=searched,
                           shared=files, on_verified=verified, known_from=loaded.signed if loaded else None,
                           keep=config.keep, on_aligned=aligned)
    builder.add(matches)
    clusters = builder.clusters(lengths, config.keep, beyond)
    if loaded is not None:
        loaded.matches = matches
        clusters = loaded.back(clusters)
    counters.seconds["match+cluster"] = time.perf_counter() - started
    return clusters, builder.contained()


def _texts_of(spill: Spill, state: StageState, ordinals: Sequence[int],
              keys: Sequence[int]) -> Mapping[int, str] | SpillRefs:
    """The texts of `ordinals` under `keys`, or where a worker on this machine reads them itself."""
    if state.spill_dir is not None:
        return spill.where(ordinals).renumbered(keys)
    texts = spill.texts(ordinals)
    return {k: texts[o] for k, o in zip(keys, ordinals)}


def _relate(clusters: list[Cluster], lengths: Sequence[int], spill: Spill, config: Config, engine: Engine,
            state: StageState, passages: bool, counters: Counters) -> dict[int, Evidence]:
    """Each duplicate aligned once with its canonical (ordinals of the whole run), in batches on the engine."""
    started = time.perf_counter()
    pairs, known = pairs_to_relate(clusters, lengths, passages)
    out: dict[int, Evidence] = {e.b: e for e in known}
    batches = batched(pairs, config.dedup.batch_pairs, lambda ordinals: _texts_of(spill, state, ordinals, ordinals))
    for found in engine.map(relate_batch, batches, (config.dedup, passages)):
        out.update((e.b, e) for e in found)
    counters.seconds["relate"] = time.perf_counter() - started
    return out


def _absorbed(clusters: list[Cluster], lengths: Sequence[int], dedup: DedupConfig, counters: Counters,
              evidence: Mapping[int, Evidence] | None = None) -> tuple[list[int], dict[int, Match]]:
    """Each ordinal's canonical, and how each absorbed document matched (labelled from its side); counted.

    With `evidence`, a duplicate that matches its canonical itself is listed with that match.
    """
    count = len(lengths)
    canonical_of = list(range(count))
    member_match: dict[int, Match] = {}
    for cluster in clusters:
        for match in cluster.members:
            absorbed = match.b
            canonical_of[absorbed] = cluster.canonical
            if evidence is not None and absorbed in evidence:
                direct = against_canonical(match, evidence[absorbed], lengths, dedup)
                if direct is not match:
                    member_match[absorbed] = direct
                    counters.relations[direct.relation] += 1
                    continue
            relation = directed_relation(match.relation, lengths[match.a], lengths[absorbed], dedup)
            if relation != match.relation:
                match = replace(match, relation=relation)
            member_match[absorbed] = match
            counters.relations[match.relation] += 1
    counters.clusters = count - len(member_match)
    counters.duplicates = len(member_match)
    return canonical_of, member_match


def _indexed_facts(result: DedupeResult, loaded: Loaded, counters: Counters) -> None:
    """What an index changes in a result: ids taken in the index, the counts (of the batch only), and the
    indexed documents each new canonical absorbed."""
    n = loaded.batch
    for ordinal, free in loaded.renamed.items():
        result.renamed.setdefault(ordinal, result.ids[ordinal])
        result.ids[ordinal] = free
    absorbed = [o for o in result.member_match if o < n]
    counters.clusters = sum(1 for o in range(n) if result.canonical_of[o] == o)
    counters.duplicates = len(absorbed)
    counters.relations = Counter(result.member_match[o].relation for o in absorbed)
    for cluster in result.clusters:
        if cluster.canonical < n:
            indexed = sorted(result.ids[o] for o in cluster.ordinals if o >= n)
            if indexed:
                result.extra[cluster.canonical] = {"absorbed_indexed": indexed}
    counters.index = {
        "loaded": len(loaded),
        "known": len(loaded.known),
        "duplicates_of_indexed": sum(1 for o in absorbed if result.canonical_of[o] >= n),
        "absorbed_indexed": sum(len(fields["absorbed_indexed"]) for fields in result.extra.values()),
    }


def dedupe(
    source: Source | Callable[[], Iterable[Document]],
    config: Config,
    engine: Engine,
    counters: Counters,
    on_error: ErrorHandler,
    spill_dir: str | None = None,
    progress: Progress | None = None,
    on_empty: EmptyHandler | None = None,
    passages: bool = False,
    index: Index | None = None,
) -> DedupeResult:
    """Clean, fingerprint and cluster every document; errors go to `on_error`, the names of documents
    that cleaned to nothing to `on_empty`. Each duplicate is related to its canonical; with `passages`,
    the passages only one of them has are kept too (for --all). With an `index`, the indexed documents
    the batch touches take part as earlier, already clustered ones (see cleanwire.index)."""
    source = as_source(source)
    started = time.perf_counter()
    template = learn_template(source, config, engine, progress)
    counters.seconds["learn"] = time.perf_counter() - started
    return_freed_memory()  # merging the template models left a large, mostly free heap

    started = time.perf_counter()
    spill = Spill(spill_dir)
    parts: Generator[SignedPart, None, None] | None = None
    try:
        # workers on this machine write the clean records to the spill themselves, and with two or
        # more of them, the fingerprints for a candidate search of their own
        shared = spill.directory if engine.shares_files else None
        state = StageState(config, template, spill_dir=shared, fingerprint_files=parallel_on_files(engine),
                           keep_fingerprints=index is not None)
        # where the workers search fingerprint files, the main process keeps none of the fingerprints (unless an
        # index looks them up)
        docs = _Signed(signatures=SignatureStore(fingerprints=not state.fingerprint_files or state.keep_fingerprints))
        first = _FirstPass(source, counted=progress is not None and template is None)
        parts = engine.map(sign_part, first.parts(source.parts()), state)
        for part in parts:
            docs.add(part, counters, on_error, on_empty)
            _spill_part(spill, part)
            if progress is not None:
                progress("clean+fingerprint", len(part.ids), size=first.size())
        counters.seconds["clean+fingerprint"] = time.perf_counter() - started
        counters.skipped, counters.skipped_records = _skipped(source)

        if progress is not None:
            progress("matching", 0, unit="pairs")  # its total, the candidate pairs, is known once they are found
        loaded = None
        if index is not None:
            started = time.perf_counter()
            loaded = index.load(docs.ids, docs.signed, docs.signatures, config)
            _join_loaded(loaded, docs, spill, state)
            counters.seconds["index"] = time.perf_counter() - started
        clusters, contained = _find_clusters(docs, spill, config, engine, state, counters, progress, loaded)
        evidence = _relate(clusters, docs.lengths, spill, config, engine, state, passages, counters)
        canonical_of, member_match = _absorbed(clusters, docs.lengths, config.dedup, counters, evidence)
        counters.relations.update({CONTAINED: len(contained)} if contained else {})
        result = DedupeResult(spill, docs.ids, docs.lengths, clusters, canonical_of, member_match, docs.renamed,
                              evidence, config.dedup, passages, config.keep, contained=contained)
        if loaded is not None:
            _indexed_facts(result, loaded, counters)
        return result
    except BaseException:
        # interrupted or failed before the caller owns the spill: leave no temp file behind, and end
        # the workers first, so that none writes into the spill's folder after it is removed
        if parts is not None:
            parts.close()
        spill.close()
        raise
