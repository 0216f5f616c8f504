"""The one record type that flows through every stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Document:
    """A page or record: raw text until the clean stage, the clean body after it.

    `metadata` holds the input fields cleanwire does not own; they pass through to
    the output unchanged, so a jq pipeline keeps its fields.
    """

    id: str
    text: str
    source: str = ""
    kind: str = "text"  # what `text` holds before cleaning: "text" (a page dump) or "html"
    title: str | None = None
    author: str | None = None
    date: str | None = None
    url: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # set when the document failed; it is then reported, not matched
    decisions: list[Any] | None = None  # per-line keep/drop decisions, only with --explain
