"""HTML as plain text: tell a page from a text dump, and dump a page's text without a parser.

A leaf module: it imports nothing of the cleaner, so the template model and the HTML path
can both read pages through it.
"""

from __future__ import annotations

import html as html_lib
import re

_BREAK_TAGS = re.compile(
    r"</?(?:p|div|br|li|tr|td|th|h[1-6]|ul|ol|table|section|article|header|footer|nav|blockquote|"
    r"figcaption|dd|dt)\b[^<>]*>",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[^<>]*>")


def looks_like_html(text: str) -> bool:
    """Whether a document is an HTML page rather than a text dump."""
    head = text[:2000].lstrip()[:1000].lower()
    return head.startswith("<") and ("<html" in head or "<body" in head or "<head" in head or "<!doctype" in head)


def html_to_text(html: str) -> str:
    """A naive text dump of a page: one line per block element, tags and scripts dropped."""
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
