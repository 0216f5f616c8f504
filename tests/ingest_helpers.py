"""Helpers and fixture paths the ingest tests share: read inputs into documents the way a run does."""

from __future__ import annotations

import io
from pathlib import Path

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest import InputSet

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
BAD = ROOT / "fixtures" / "bad"

STORY = ("The harbour committee met on Thursday and agreed a new fee for every berth in the marina. "
         "Fishermen said the figure was unfair and promised to raise it with the council next month.\n")


def read(inputs: list[str | Path], stdin: io.BytesIO | None = None, **cfg: object) -> list[Document]:
    with InputSet([str(i) for i in inputs], IngestConfig(**cfg), stdin=stdin) as inputs_set:  # type: ignore[arg-type]
        return list(inputs_set.documents())


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {doc.id: doc for doc in docs}


def one(inputs: list[str | Path], **cfg: object) -> Document:
    docs = read(inputs, **cfg)
    assert len(docs) == 1, [(d.id, d.error) for d in docs]
    return docs[0]


def one_stdin(data: bytes, **cfg: object) -> Document:
    docs = read(["-"], stdin=io.BytesIO(data), **cfg)
    assert len(docs) == 1
    return docs[0]
