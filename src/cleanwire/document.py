"""The one record type that flows through every stage."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import orjson

# characters str.splitlines() and some line readers take as line ends; escaped so a record stays one line
_LINE_BREAKERS = str.maketrans({"\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(record: dict[str, Any]) -> str:
    """One record as one line of JSON, UTF-8 kept readable, odd line separators escaped."""
    try:
        line = orjson.dumps(record).decode("utf-8")  # several times faster: every record goes out twice
    except TypeError:  # an integer beyond 64 bits, a lone surrogate: the standard library takes them
        line = json.dumps(record, ensure_ascii=False)
    if "\u2028" in line or "\u2029" in line or "\x85" in line:  # rare: skip the translate pass otherwise
        line = line.translate(_LINE_BREAKERS)
    return line


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
    beyond_story: int = 0  # letters and digits of the clean body the cleaner took for likely not story (comments)

    def record(self) -> dict[str, Any]:
        """The output record: input fields cleanwire does not own pass through, then its own fields."""
        out = dict(self.metadata)
        out.update(id=self.id, source=self.source, url=self.url, title=self.title,
                   author=self.author, date=self.date, text=self.text)
        return out
