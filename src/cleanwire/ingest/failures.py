"""Failed inputs as documents: every input comes out, a failure as a Document with a one-line cause."""

from __future__ import annotations

from cleanwire.document import Document


def error_document(doc_id: str, source: str, reason: str) -> Document:
    """A failed input: no text, and a one-line cause."""
    return Document(id=doc_id, text="", source=source, error=" ".join(reason.split()) or "error")


def reason(exc: BaseException) -> str:
    """A one-line cause for an exception, without the path (the error line names the input already)."""
    if isinstance(exc, FileNotFoundError):
        return "no such file or directory (or a broken symlink)"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[0].lower() + exc.strerror[1:]
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
