"""Clean an HTML page: trafilatura finds the body and metadata, the line rules finish it."""

from __future__ import annotations

from cleanwire.clean.markup import html_to_text
from cleanwire.clean.metadata import iso_date, person_name
from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.template import TemplateModel
from cleanwire.clean.text import CleanedText, clean_lines, clean_text_dump

_MIN_AGREEMENT = 0.3  # share of the dump body's words the extraction must share
_MIN_SHARE_OF_DUMP = 0.7  # an extraction keeping less than this share of the text-dump body loses


def clean_html(
    html: str, template: TemplateModel | None = None, *, url: str | None = None, explain: bool = False
) -> CleanedText:
    """Extract the article of an HTML page with trafilatura, then drop junk lines from it.

    The page is also cleaned as a plain text dump; when trafilatura keeps much less prose
    than that (it picked a wrong block, or nothing), the text-dump result wins.
    """
    import trafilatura  # heavy import, only paid by runs that see HTML

    try:
        extracted = trafilatura.bare_extraction(
            html, url=url, include_comments=False, with_metadata=True, include_tables=True
        )
    except Exception:  # trafilatura raises on some malformed pages; the text path still works
        extracted = None
    text = normalize_text(getattr(extracted, "text", None) or "") if extracted is not None else ""
    dump = clean_text_dump(html_to_text(html), template, explain=explain)
    if text:
        # trafilatura writes table rows as "| cell | cell |" and escapes bars inside cells
        lines = [line.replace("\\|", "|").strip("| ") or line for line in text.split("\n")]
        result = clean_lines(lines, template, explain=explain, extracted=True)
        if _words(result.body) < _MIN_SHARE_OF_DUMP * _words(dump.body) or _disagree(result.body, dump.body):
            result.body, result.decisions = dump.body, dump.decisions
    else:
        result = dump
    result.title = _clean_meta(getattr(extracted, "title", None)) or result.title or dump.title
    author = _clean_meta(getattr(extracted, "author", None))
    result.author = (person_name(author) if author else None) or result.author or dump.author
    date = _clean_meta(getattr(extracted, "date", None))
    result.date = (iso_date(date) if date else None) or result.date or dump.date
    return result


def _disagree(extracted: str, dump: str) -> bool:
    """Whether the two cleanings kept mostly different text."""
    # then the dump's choice wins: the line rules saw the whole page, trafilatura may have picked a sidebar
    if not extracted or not dump:
        return False
    ours = set(dump.lower().split())
    return len(ours & set(extracted.lower().split())) < _MIN_AGREEMENT * len(ours)


def _words(text: str) -> int:
    """The number of words of a normalised text (one space or line break between words)."""
    return text.count(" ") + text.count("\n") + (1 if text else 0)


def _clean_meta(value: object) -> str | None:
    """A metadata value of trafilatura's as one normalised line, or None."""
    if not isinstance(value, str):
        return None
    value = normalize_text(value).replace("\n", " ")
    return value or None
