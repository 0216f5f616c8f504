"""Clean an HTML page: trafilatura finds the body and metadata, the line rules finish it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.text import CleanedText, clean_lines, clean_text_dump

if TYPE_CHECKING:
    from cleanwire.clean.template import TemplateModel

_BREAK_TAGS = re.compile(
    r"</?(?:p|div|br|li|tr|td|th|h[1-6]|ul|ol|table|section|article|header|footer|nav|blockquote|"
    r"figcaption|dd|dt)\b[^<>]*>",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^<>]*>")
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
    result.author = _clean_meta(getattr(extracted, "author", None)) or result.author or dump.author
    result.date = _clean_meta(getattr(extracted, "date", None)) or result.date or dump.date
    return result


def _disagree(extracted: str, dump: str) -> bool:
    """Whether the two cleanings kept mostly different text (then the dump's choice wins:
    the line rules saw the whole page, trafilatura may have picked a sidebar)."""
    if not extracted or not dump:
        return False
    ours = set(dump.lower().split())
    return len(ours & set(extracted.lower().split())) < _MIN_AGREEMENT * len(ours)


def _words(text: str) -> int:
    return text.count(" ") + text.count("\n") + (1 if text else 0)


def looks_like_html(text: str) -> bool:
    """Whether a document is an HTML page rather than a text dump."""
    head = text[:2000].lstrip()[:1000].lower()
    return head.startswith("<") and ("<html" in head or "<body" in head or "<head" in head or "<!doctype" in head)


def html_to_text(html: str) -> str:
    """A naive text dump of a page: one line per block element, tags and scripts dropped."""
    import html as html_lib

    text = _BREAK_TAGS.sub("\n", _drop_elements(html, ("script", "style", "noscript", "template")))
    return html_lib.unescape(_TAGS.sub(" ", text))


def _drop_elements(html: str, names: tuple[str, ...]) -> str:
    """Cut <name ...>...</name> spans with str.find, so an unclosed tag costs one scan, not a regex."""
    low = html.lower()
    for name in names:
        if f"<{name}" not in low:
            continue
        parts, pos = [], 0
        while True:
            start = low.find(f"<{name}", pos)
            if start < 0:
                parts.append(html[pos:])
                break
            parts.append(html[pos:start])
            end = low.find(f"</{name}", start)
            if end < 0:
                break  # unclosed: the element swallows the rest, as a browser would
            close = low.find(">", end)
            pos = len(html) if close < 0 else close + 1
        html = "".join(parts)
        low = html.lower()
    return html


def _clean_meta(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = normalize_text(value).replace("\n", " ")
    return value or None
