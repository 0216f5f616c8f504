"""Metadata a page dump shows around its body: the title, the author's byline and a date."""

from __future__ import annotations

import re

from cleanwire.clean.lines import STRONG_JUNK

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE = re.compile(
    rf"\b(?:{_MONTH}\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{1,2}}(?:st|nd|rd|th)? {_MONTH}\.?,? \d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}|{_MONTH}\.? \d{{4}})\b",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"(?:^|\b)(?i:by|written by|posted by|von|par|por|door)\s+"
    r"(?P<name>[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|van|von|de|da|del|der|la|le)){0,4})"
)
CREDIT_LINE = re.compile(
    r"\b(?:agencies|news service|wire service|staff writer|staff reporter|correspondent|editor|contributor)s?\b",
    re.IGNORECASE,
)
# DATE and BYLINE are slow alternations (microseconds a line); most lines fail a cheap
# necessary condition first: a date holds a digit, a byline one of its lead words (by, von,
# par, por, door).
_DIGIT = re.compile(r"\d")

_LINES_ABOVE = 12  # lines above the body searched for the title, byline and date


def find_metadata(
    lines: list[str], classes: list[int], start: int, low_lines: list[str] | None = None
) -> tuple[str | None, str | None, str | None]:
    """Title, author and date from the lines just before the body (and its first line).

    The title is the nearest headline-shaped line above the body; a line that only passes
    the looser test (all capitals, say) is used when no line passes the strict one.
    `low_lines`: the lines in lower case, when the caller has them.
    """
    title = loose_title = author = date = None
    first = max(0, start - _LINES_ABOVE)
    for i in range(min(len(lines) - 1, start), first - 1, -1):
        line = lines[i]
        if len(line) > 300:
            continue
        low = line.lower() if low_lines is None else low_lines[i]
        # each regex runs at most once a line: the title test asks the same questions
        by: re.Match[str] | None | bool = False  # False: not asked yet
        dated: re.Match[str] | None | bool = False
        if author is None and len(line) < 120:
            by = _byline(line, low)
            if by:
                author = by.group("name").strip()
        if date is None and len(line) < 120:
            dated = _date(line)
            if dated:
                date = dated.group(0)
        if title is None and i < start and _title_like(line, classes[i]):
            # a headline is not a date or a byline
            if dated is False:
                dated = _date(line)
            if not dated:
                if by is False:
                    by = _byline(line, low)
                if not by:
                    if _strict_title(line):
                        title = line
                    elif loose_title is None:
                        loose_title = line
    return title or loose_title, author, date


def _title_like(line: str, cls: int) -> bool:
    """Headline-shaped: a few words, not a sentence, caption or junk (dates and bylines aside)."""
    # cheapest tests first
    if cls <= STRONG_JUNK or len(line) > 200 or "|" in line or (line.endswith(".") and not line.endswith("...")):
        return False
    parts = line.split()
    if len(parts) < 3:
        return False
    words = [w for w in parts if w.isalpha() or any(map(str.isalpha, w))]  # isalpha: most words, in C
    return 3 <= len(words) <= 20


def _date(line: str) -> re.Match[str] | None:
    """DATE in `line`."""
    return DATE.search(line) if _DIGIT.search(line) else None


def _byline(line: str, low: str) -> re.Match[str] | None:
    """BYLINE in `line` (`low`: the line in lower case)."""
    hint = "by" in low or "von" in low or "par" in low or "por" in low or "door" in low  # no generator: hot
    return BYLINE.search(line) if hint else None


def _strict_title(line: str) -> bool:
    """Not shouting, not a credit ("Staff and agencies", "(AP)"), not a widget."""
    return not line.isupper() and not line.endswith(")") and not CREDIT_LINE.search(line) and line[:1] not in "[(»>"
