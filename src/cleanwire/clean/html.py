"""Clean an HTML page: trafilatura's extraction is the body; only known junk lines leave it.

trafilatura reads the markup, which a text rule cannot: its text is the floor, never replaced by
another region of the page. After it, a line goes only on strong evidence that is named in
`--explain`: a known junk phrase of the lexicon ("Sign up for our newsletter", "All rights
reserved") or a line the template model learnt from the run (it stands on many pages of the run).
Lists, tables, code, Q&A and short paragraphs inside the article stay. When trafilatura finds no
text, or only a heading, the page's text is cleaned as a dump: something beats nothing.
"""

from __future__ import annotations

from typing import Any

from cleanwire.clean.lexicon import OTHER_END_MARKERS, OTHER_JUNK
from cleanwire.clean.lines import END, GOOD, classify_lines, read_page
from cleanwire.clean.markup import html_to_text
from cleanwire.clean.metadata import find_metadata, iso_date, person_name
from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.template import TemplateModel
from cleanwire.clean.text import CleanedText, LineDecision, clean_text_dump

# trafilatura's options, measured on every dev set (README, Benchmarks): comments are not the article
EXTRACT_OPTIONS: dict[str, Any] = {"include_comments": False, "include_tables": True}
# the rules of clean/lines.py whose verdict is strong enough to drop a line trafilatura kept
STRONG_RULES = frozenset({"junk-phrase", "template"})
_TABLE_RULE_CHARS = "-|: "
_SHORT_LINE_WORDS = 15  # as in lines.classify_line: a junk phrase anywhere in a line this short (or < 120 chars)
_SHORT_LINE_CHARS = 120
_MARKER_WORDS = 8  # an end marker is a short line ("Related articles", "Lesen Sie auch:")


def clean_html(
    html: str, template: TemplateModel | None = None, *, url: str | None = None, explain: bool = False
) -> CleanedText:
    """Extract the article of an HTML page with trafilatura, then drop its known junk lines."""
    import trafilatura  # heavy import, only paid by runs that see HTML
    from trafilatura.utils import load_html

    try:
        tree = load_html(html)
        extracted = trafilatura.bare_extraction(tree, url=url, **EXTRACT_OPTIONS) if tree is not None else None
    except Exception:  # trafilatura raises on some malformed pages; the text path still works
        tree, extracted = None, None
    text = normalize_text(getattr(extracted, "text", None) or "")
    title, author, date = page_metadata(tree)
    if _has_prose(text):
        # trafilatura writes table rows as "| cell | cell |" and escapes bars inside cells
        lines = [line.replace("\\|", "|").strip("| ") or line for line in text.split("\n")]
        result = drop_junk_lines(lines, template, explain=explain)
    else:  # trafilatura found no text, or a headline alone: the page's text, cleaned as a dump, is all there is
        result = clean_text_dump(html_to_text(html), template, explain=explain, line_model=False)
    result.title = title or result.title
    result.author = author or result.author
    result.date = date or result.date
    return result


def drop_junk_lines(lines: list[str], template: TemplateModel | None = None, *, explain: bool = False) -> CleanedText:
    """trafilatura's lines without those strong evidence marks as junk; every drop is named in `decisions`.

    The evidence: a known junk phrase in a short line (any dev-set language), a line the template model
    learnt from the run, a repeat of such a line, trafilatura's markdown rule under a table header, and
    an end marker ("Related stories", "Lesen Sie auch:") with nothing but non-prose lines after it.
    """
    page = read_page(lines)
    flags = template.template_flags(lines, page.low_text) if template is not None else None
    verdicts = classify_lines(page, flags)
    rules, words = verdicts.rules, verdicts.words
    drop = [False] * len(lines)
    for i, line in enumerate(lines):
        if not line.strip(_TABLE_RULE_CHARS):  # trafilatura's "---|---" under a table's header row
            drop[i], rules[i] = True, "table-rule"
        elif rules[i] in STRONG_RULES:
            # a long line with a phrase at its edge may be a paragraph ending in a wire credit: it stays
            drop[i] = rules[i] != "junk-phrase" or _short(line, words[i])
        elif _short(line, words[i]) and OTHER_JUNK.search(line) is not None:
            drop[i], rules[i] = True, "junk-phrase"
    for i, flagged in enumerate(flags or ()):
        if flagged and not drop[i] and "template" in STRONG_RULES:
            drop[i], rules[i] = True, "template"  # a template line that reads like an end marker is still one
    for i, first in verdicts.repeats:
        if drop[first]:  # a junk line said twice is junk twice
            drop[i], rules[i] = True, rules[first]
    _drop_teaser_tail(lines, verdicts.classes, rules, words, drop)
    kept = [line for line, dropped in zip(lines, drop) if not dropped]
    start = drop.index(False) if not all(drop) else 0
    title, author, date = find_metadata(lines, verdicts.classes, start, page.low_lines)
    decisions = [
        LineDecision(line, not dropped, rules[i] if dropped else "extracted", 0.0 if dropped else 1.0)
        for i, (line, dropped) in enumerate(zip(lines, drop))
    ] if explain else []
    return CleanedText("\n".join(kept), title, author, date, decisions)


def _has_prose(text: str) -> bool:
    """Whether any line is more than a heading: 10 words, or 60 characters (scripts without spaces)."""
    return any(len(line.split()) >= 10 or len(line) >= 60 for line in text.split("\n"))


def _short(line: str, words: int) -> bool:
    """Whether a line is short enough for a junk phrase anywhere in it to make it junk (as in lines.py)."""
    return words <= _SHORT_LINE_WORDS or len(line) < _SHORT_LINE_CHARS


def _drop_teaser_tail(
    lines: list[str], classes: list[int], rules: list[str], words: list[int], drop: list[bool]
) -> None:
    """Drop an end marker ("Related stories", "Lesen Sie auch") and what follows it when no prose does."""
    for i in range(1, len(lines)):
        marker = classes[i] == END or (words[i] <= _MARKER_WORDS and OTHER_END_MARKERS.match(lines[i]) is not None)
        if marker and words[i] <= _MARKER_WORDS and all(classes[j] < GOOD for j in range(i + 1, len(lines))):
            for j in range(i, len(lines)):
                if not drop[j]:
                    drop[j], rules[j] = True, "end-marker" if j == i else "after-end-marker"
            return


def page_metadata(tree: Any) -> tuple[str | None, str | None, str | None]:
    """Title, author and date from the page's markup (meta tags, JSON-LD, <title>, htmldate)."""
    if tree is None:
        return None, None, None
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title

    try:
        meta = examine_meta(tree)
        meta = extract_meta_json(tree, meta)
        title = _clean_meta(meta.title) or _clean_meta(extract_title(tree))
        author = _clean_meta(meta.author)
        date = _clean_meta(find_date(tree, extensive_search=False))
    except Exception:  # metadata is a bonus: a page whose markup trips it still has its text
        return None, None, None
    return title, (person_name(author) if author else None), (iso_date(date) if date else None)


def _clean_meta(value: object) -> str | None:
    """A metadata value as one normalised line, or None."""
    if not isinstance(value, str):
        return None
    value = normalize_text(value).replace("\n", " ")
    return value or None
