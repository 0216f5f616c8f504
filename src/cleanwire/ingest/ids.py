"""Unique ids: a repeated id becomes the first free "<id>#N", noting the id it had."""

from __future__ import annotations

from cleanwire.document import Document

RENAMED_FROM_KEY = "renamed_from_id"  # metadata key holding the id a renamed document had


class UniqueIds:
    """Renames a repeated id to the first free "<id>#N" (see the package docstring)."""

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
