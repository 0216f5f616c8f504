"""Metadata a page dump shows around its body: the title, the author's byline and a date."""

from __future__ import annotations

import datetime
import re

from cleanwire.clean.lines import CAMEL_JOIN, STRONG_JUNK

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
    r"\b(?:agencies|news service|wire service|staff writer|staff reporter|correspondent|editor|contributor"
    r"|news writer|bureau chief|associated press|press association|canadian press|press trust of india|reuters"
    r"|agence france-presse|ap (?:\w+ )?writer)s?\b",
    re.IGNORECASE,
)
# a line made of these words is a share bar or a widget ("Save Email Print", "Create your own RSS")
WIDGET_WORDS = frozenset(
    "save email e-mail print share this page article story send submit comment comments click photo photos to "
    "enlarge create your own rss feed feeds subscribe bookmark digg facebook twitter recommend reprint reprints "
    "text size font you tell us post a link permalink del.icio.us reddit stumbleupon newsvine and or view all "
    "more image images video videos gallery close a friend add printer friendly version go google news it aim im "
    "on yahoo".split()
)
_WIDGET_SHARE = 0.75  # share of a line's words that are widget words for the line to be a widget
LABEL = re.compile(  # "Topics: ...", "Article from: ...": a label with its value, not a headline
    r"^(?:topics?|tags?|article from|source|filed under|keywords?|categor(?:y|ies)|related|cast|posted in|"
    r"more on|see also|from|by|photo|image|credit)\s*:",
    re.IGNORECASE,
)
# "Roland Parry, Washington", "Andrew Hendry, Computerworld Australia": a name, then where or whom they write for
NAME_PLACE = re.compile(r"^[A-Z][a-z]+ (?:[A-Z][a-z]*\.? )?[A-Z][\w'’-]+, (?:[A-Z][\w.'’-]*(?: |$)){1,3}$")
TIME = re.compile(r"\b\d{1,2}:\d{2}\s*[ap]\.?m\b", re.IGNORECASE)  # "7:05 AM": a time stamp
_TOKEN = re.compile(r"[\w.'’-]+")
# words a byline may follow on its line ("Story by ..."); after any other word, "by" is prose
# ("Sarkozy hit by French criticism", "Share by email")
_BYLINE_LEADS = frozenset(
    "story words article report reporting reported text column analysis commentary review blog interview "
    "compiled edited filed".split()
)
_TIME_END = re.compile(r"\d\s*[ap]\.?m\.?$", re.IGNORECASE)
# single words a byline names that are no person ("By Staff", "Posted by Admin")
_NOT_NAMES = frozenset("staff admin administrator published updated posted filed viewed editor reporter".split())
_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december")), 1) for m in names}
_NAME_TAIL = frozenset(_MONTHS) | frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
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
                author = _author(line, by)
        if date is None and len(line) < 120:
            dated = _date(line)
            if dated:
                date = iso_date(dated.group(0))
        if title is None and i < start and _title_like(line, classes[i]):
            # a headline is not a date or a byline
            if dated is False:
                dated = _date(line)
            if not dated:
                if by is False:
                    by = _byline(line, low)
                if not by and not _junk_title(line, low):
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
    """Not shouting, not a credit ("(AP)"), not a widget."""
    return not line.isupper() and not line.endswith(")") and line[:1] not in "[(»>"


def _junk_title(line: str, low: str) -> bool:
    """A credit or byline ("Staff and agencies", "ELAINE THOMPSON Associated Press"), a share bar or widget,
    a label with its value ("Topics: ..."), a time stamp or a glued menu: never a title."""
    if CREDIT_LINE.search(line) or LABEL.match(line) or (":" in line and TIME.search(line)) or NAME_PLACE.match(line):
        return True
    words = _TOKEN.findall(low)
    if words and sum(w in WIDGET_WORDS for w in words) >= _WIDGET_SHARE * len(words):
        return True
    return len(CAMEL_JOIN.findall(line)) >= 2


def _author(line: str, by: re.Match[str]) -> str | None:
    """The name of a byline, or None when the "by" is prose or the name is not a person's."""
    before = line[: by.start()].rstrip()
    if before and not (
        not before[-1].isalpha()  # "Email | Print | By ...", "January 14, 2008 By ..."
        or before.split()[-1].lower() in _BYLINE_LEADS
        or _TIME_END.search(before)  # "09:28am by ..."
        or before[:7].lower() == "posted "  # "Posted in Sony, News by ..."
    ):
        return None
    return person_name(by.group("name"))


def person_name(name: str) -> str | None:
    """`name` without a trailing month or weekday, or None when it is no person's name (a junk word, an acronym)."""
    words = name.split()
    while words and words[-1].lower().rstrip(".;,") in _NAME_TAIL:  # "Ana Ruiz January 14, 2008"
        words.pop()
    if words:
        words[-1] = words[-1].rstrip(";,")
    if not words or any(any(c.isdigit() for c in w) for w in words):
        return None
    low = words[0].lower()
    if len(words) == 1 and (words[0].isupper() or low in WIDGET_WORDS or low in _NOT_NAMES or CREDIT_LINE.match(low)):
        return None  # "NATO", "CP", "Email", "Agencies"
    return " ".join(words)


def iso_date(raw: str) -> str | None:
    """A date DATE found as ISO 8601: YYYY-MM-DD, or YYYY-MM for a month; None when it is no real date.

    Numeric dates are read month/day/year (the US order of most English news dumps) unless the first
    part cannot be a month; two-digit years are 19xx from 70 on, 20xx below.
    """
    parts = re.findall(r"[a-z]+|\d+", raw.lower())
    numbers = [int(p) for p in parts if p.isdigit()]
    month_names = [_MONTHS[p] for p in parts if p in _MONTHS]
    day: int | None
    if month_names:
        month = month_names[0]
        if len(numbers) == 1:
            year, day = numbers[0], None
        elif len(numbers) == 2:
            day, year = numbers
        else:
            return None
    elif len(numbers) == 3 and len(parts[0]) == 4:
        year, month, day = numbers
    elif len(numbers) == 3:
        month, day, year = numbers
        if month > 12:
            month, day = day, month
        if year < 100:
            year += 1900 if year >= 70 else 2000
    else:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 and 1000 <= year <= 9999 else None
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
