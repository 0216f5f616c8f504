"""The streaming stages, as the workers run them on one part of the input: read, clean, fingerprint.

Each stage function takes (part, state) and is importable at top level, so any engine can run it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import TypeVar

from cleanwire.candidates import FingerprintFile, write_fingerprints
from cleanwire.clean import TemplateModel, clean_html, clean_text_dump, normalize_text
from cleanwire.clean.cost import cleaning_memory
from cleanwire.config import Config
from cleanwire.document import Document
from cleanwire.fingerprint import signatures
from cleanwire.ingest import InputSet, Part, read_part
from cleanwire.ingest.failures import reason
from cleanwire.signatures import Signatures
from cleanwire.spill import spill_record, write_segment

BATCH_SIZE = 64  # documents in memory per part
T = TypeVar("T")
InputPart = Part | list[Document]  # a part of the input files, read by the worker, or documents sent as they are


@dataclass(frozen=True)
class StageState:
    """What every worker needs, sent to each once."""

    config: Config
    template: TemplateModel | None = None
    explain: bool = False
    spill_dir: str | None = None  # where workers write their parts' records (they share this machine's files)
    fingerprint_files: bool = False  # and their parts' fingerprints, for a candidate search by the workers
    keep_fingerprints: bool = False  # the main process needs them too (an index looks the batch's up)


class DocumentSource:
    """Documents already in memory (a library caller's list or generator), in batches for the engine."""

    def __init__(self, documents: Callable[[], Iterable[Document]] | Iterable[Document]) -> None:
        self._documents = documents

    def parts(self) -> Iterator[InputPart]:
        """Batches of documents; each pass reads the documents again."""
        docs = self._documents() if callable(self._documents) else self._documents
        return grouped(docs, BATCH_SIZE)

    def total_bytes(self) -> int | None:
        """None: documents in memory have no size to count on a progress bar."""
        return None




Source = InputSet | DocumentSource


def as_source(source: Source | Callable[[], Iterable[Document]]) -> Source:
    """The source itself, or documents from a callable that gives them again for each pass."""
    if isinstance(source, (InputSet, DocumentSource)):
        return source
    return DocumentSource(source)


def grouped(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive items, `size` at a time."""
    iterator = iter(items)
    while group := list(islice(iterator, size)):
        yield group


def _read(part: InputPart, state: StageState) -> Iterator[Document]:
    """The documents of one part, read in the worker (files) or as sent (documents in memory)."""
    if isinstance(part, Part):
        return read_part(part, state.config.ingest)
    return iter(part)


def new_template_model(config: Config) -> TemplateModel:
    """An empty template model with the run's settings."""
    return TemplateModel(min_docs=config.clean.template_min_docs)


def learn_parts(parts: list[InputPart], state: StageState) -> tuple[TemplateModel, int, int]:
    """Template pass: one model learnt from a few parts, how many documents they held and their bytes."""
    model = new_template_model(state.config)
    count = 0
    size = sum(part.size for part in parts if isinstance(part, Part))
    for part in parts:
        for doc in _read(part, state):
            count += 1
            if doc.error is None and doc.kind == "text":
                model.add(doc.text)
    return model, count, size


def clean_document(doc: Document, state: StageState) -> Document:
    """Return `doc` with its clean body as text and title/author/date filled where found."""
    config = state.config
    if doc.error is not None:
        return doc
    if not config.clean.enabled:
        doc.text = normalize_text(doc.text)
        return doc
    memory = cleaning_memory(doc.text, doc.kind)
    if memory > config.clean.max_page_memory:  # refused, not cleaned: it would take the worker's memory
        doc.text, doc.error = "", _too_large_to_clean(memory, config.clean.max_page_memory)
        return doc
    try:
        if doc.kind == "html":
            result = clean_html(doc.text, state.template, url=doc.url, explain=state.explain)
        else:
            result = clean_text_dump(doc.text, state.template, explain=state.explain,
                                     line_model=config.clean.line_model)
    except MemoryError:  # one huge page; its memory is freed when the exception is dropped
        doc.text, doc.error = "", "cannot clean: out of memory"
        return doc
    except Exception as exc:  # noqa: BLE001 - one document's failure is reported, the run goes on
        doc.text, doc.error = "", f"cannot clean: {clean_failure(exc)}"
        return doc
    doc.text = result.body
    doc.beyond_story = result.beyond_story
    doc.kind = "text"
    doc.title = doc.title or result.title
    doc.author = doc.author or result.author
    doc.date = doc.date or result.date
    if state.explain:
        doc.decisions = result.decisions
    return doc


def clean_failure(exc: Exception) -> str:
    """Why a document could not be cleaned, as one line: a missing module names what to install."""
    if isinstance(exc, ImportError) and exc.name:
        module = exc.name.split(".")[0]
        return f"{module} is not installed (pip install {module})"
    return reason(exc)


def _too_large_to_clean(memory: int, limit: int) -> str:
    mib = 1024**2
    return (f"too large: cleaning it would take about {round(memory / mib)} MiB of memory "
            f"(limit {round(limit / mib)} MiB, --max-page-memory)")


def clean_part(part: InputPart, state: StageState) -> list[Document]:
    """Clean stage: the part's documents, cleaned."""
    return [clean_document(doc, state) for doc in _read(part, state)]


@dataclass
class SignedPart:
    """What a worker sends back for one part: signatures and the clean records, already serialised."""

    ids: list[str] = field(default_factory=list)  # every document of the part, in order (ids as read)
    errors: dict[int, Document] = field(default_factory=dict)  # position in `ids` -> the failed document
    empty: dict[int, str] = field(default_factory=dict)  # position in `ids` of a good, empty document -> its name
    signatures: Signatures | None = None  # of the other good documents, in order (hashes: see `fingerprints`)
    beyond_story: list[int] = field(default_factory=list)  # per signature: Document.beyond_story
    offsets: list[int] = field(default_factory=list)  # per good document: where its record starts in `blob`
    blob: bytes = b""  # the good documents' spill records, for the main process to write to the spill
    segment: str | None = None  # or: the spill segment the worker wrote them to
    fingerprints: FingerprintFile | None = None  # the signatures' fingerprints, when the worker wrote them


def sign_part(part: InputPart, state: StageState) -> SignedPart:
    """Clean and fingerprint stage: the part's signatures and spill records (written by the worker if it can)."""
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
            out.beyond_story.append(doc.beyond_story)
        else:
            out.empty[len(out.ids)] = doc.source or doc.id
        out.ids.append(doc.id)
        record = spill_record(doc)
        out.offsets.append(size)
        chunks.append(record)
        size += len(record)
    out.signatures = signatures(texts, state.config.dedup)  # all at once: a few vector operations
    if state.spill_dir is not None and chunks:
        out.segment = write_segment(state.spill_dir, b"".join(chunks))
        if state.fingerprint_files:  # the search reads them there: the main process gets all but them
            out.fingerprints = write_fingerprints(state.spill_dir, out.signatures)
            if not state.keep_fingerprints:
                out.signatures = replace(out.signatures, hashes=out.signatures.hashes[:0])
    else:
        out.blob = b"".join(chunks)
    return out
