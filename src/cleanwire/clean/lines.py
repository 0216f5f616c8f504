"""Per-line rules of a page dump: each line's class, rule, score and word count.

The dump has no markup, so every decision comes from the text: a line's shape (length,
sentence punctuation, stopword density, lowercase-to-Uppercase joins of glued menus,
separators of link lists), known junk phrases, and repetition inside the page and across
the run (the template model's flags).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, islice

from cleanwire.clean.lexicon import (
    COOKIE_NOTICE,
    CREDIT,
    END_MARKERS,
    INLINE_BREAKS,
    JUNK_LINE_EDGES,
    JUNK_LINES,
    JUNK_PHRASES_BY_WORD,
    JUNK_SYMBOLS,
    JUNK_TRIGGER_FORMS,
    STOPWORDS,
    TEASER_CLOSERS,
)

# A lowercase letter glued to an uppercase one ("HomeWorld", "readingShow"): inline links
# that lost their separators. Prose has few of these ("McDonald", "iPhone").
CAMEL_JOIN = re.compile(r"[a-zß-öø-ÿ][A-ZÀ-ÖØ-Þ]")
SENTENCE_END = re.compile(r"[.!?。！？…:;][\"'”’»)\]]*$")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
CAPTION_CUE = re.compile(
    r"(?:from (?:left|right)|left to right|\((?:left|right|center|centre)\)|, (?:left|right|center|centre),)"
)
_COLON_END = re.compile(r":\n")  # a line ending in ":" that has a next line
BIO = re.compile(  # a name (capitalised words), then "is a ... editor": case matters for the name
    r"^[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}(?: \([^)]{0,40}\))?,? (?:is|was|has been|serves as) (?:a|an|the)\b"
    r"(?i:.{0,120}?\b(?:editor|writer|author|journalist|correspondent|reporter|columnist|fellow|professor|"
    r"contributor|analyst|director|ceo|founder|blogger|freelance))"
)

# Per-line classes, ordered from sure junk to sure content. END lines ("Related stories",
# "Written by", "Comments") close an article: the main region crosses one only to reach a
# lot more prose (an inline "Related" box), not a teaser or two.
END, STRONG_JUNK, JUNK, SHORT, MEDIUM, GOOD = range(6)

# Language: distinct stopwords of one list a page needs before that list is trusted, read
# from at most this many words of its longer lines.
_MIN_LANG_HITS = 4
_LANG_SAMPLE = 800
_LANG_LISTS = list(STOPWORDS.values())
_ALL_STOPWORDS = frozenset().union(*_LANG_LISTS)
_LANGS_OF = {w: tuple(i for i, stops in enumerate(_LANG_LISTS) if w in stops) for w in _ALL_STOPWORDS}
_TRIGGER_FORMS = frozenset(JUNK_TRIGGER_FORMS)
# UTF-8 lead bytes of the CJK ranges: U+3000-U+DFFF (E3-ED), U+F000-U+FFFF (EF)
_CJK_LEADS = tuple(bytes([lead]) for lead in (*range(0xE3, 0xEE), 0xEF))
_SENTENCE_CHARS = frozenset(".!?。！？…:;")
_CLOSING_CHARS = frozenset("\"'”’»)]")
# first words of END_MARKERS, checked with one C-level startswith before the regex
_END_STARTS = (
    "written", "about", "you", "read", "keep", "related", "more", "tag", "comments", "leave", "share",
    "recommended", "reader", "your", "add", "have", "join",
)
# ... and their first three letters: one set lookup rules most lines out before the 17 startswith
_END_HEADS = frozenset(start[:3] for start in _END_STARTS)

_EDGE_SLACK = 3  # characters a phrase may sit from the edge of a long line
_CAPTION_WORDS = 60  # a longer line that says who stands where is a story about a picture
_LIST_LEAD_WORDS = 5  # a line ending in ":" this long announces a list (shorter: a label, "Tags:")
LIST_ITEMS = 100  # at most this many short lines after a kept line ending in ":" are its list


@dataclass(slots=True)
class PageLines:
    """One page's normalised lines (no empty ones), in lower case too, and what the rules read off them."""

    lines: list[str]
    low_text: str  # the page in lower case: "\n".join(low_lines)
    low_lines: list[str]
    words_of: list[list[str]]  # each line's whitespace words, lower case
    cjk: bool  # the page holds CJK characters (they count as words in pairs)
    stops: frozenset[str] | None  # the stopwords of the page's language, if one fits


@dataclass(slots=True)
class LineVerdicts:
    """What the passes decided about each line of a page: parallel lists, one entry a line."""

    classes: list[int]  # END ... GOOD
    rules: list[str]  # the rule that gave the class (shown by explain)
    scores: list[float]  # in [0, 1] (shown by explain)
    words: list[int]  # word count
    # the line stood higher up on the page: junk, and in the main region it neither weighs
    # nor parts the lines around it
    repeated: list[bool]
    repeats: list[tuple[int, int]]  # (a repeated line, where it first stands), in page order
    teaser_closers: list[int]  # short lines that close a teaser ("Read more"), in page order


def read_page(lines: list[str]) -> PageLines:
    """The page's lines in lower case, their words, whether it holds CJK, and its language."""
    # lower() never adds or removes a line break, so the lines of the lowered page are the lowered lines
    low_text = "\n".join(lines).lower()
    low_lines = low_text.split("\n")
    words_of = [low.split() for low in low_lines]
    # the page's language from its longer lines (prose), enough of them to count on
    stops = page_stopwords(islice(chain.from_iterable(w for w in words_of if len(w) >= 8), _LANG_SAMPLE))
    if stops is None:
        stops = page_stopwords(chain.from_iterable(words_of))
    return PageLines(lines, low_text, low_lines, words_of, has_cjk(low_text), stops)


def page_stopwords(words: Iterable[str]) -> frozenset[str] | None:
    """The stopword list of the page's language (from its words), or None if none fits."""
    # one C-level pass over the words, then one over the languages of the few dozen stopwords
    per_lang = Counter(chain.from_iterable(map(_LANGS_OF.__getitem__, _ALL_STOPWORDS.intersection(words))))
    hits = [per_lang[lang] for lang in range(len(_LANG_LISTS))]
    best = max(range(len(hits)), key=hits.__getitem__)
    return _LANG_LISTS[best] if hits[best] >= _MIN_LANG_HITS else None


def has_cjk(text: str) -> bool:
    """Whether `text` holds a CJK character."""
    if text.isascii():
        return False
    # every CJK character starts with one of a few UTF-8 lead bytes: a C-level byte search per
    # lead rules CJK out several times faster than the regex (which most such pages would scan whole)
    data = text.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in _CJK_LEADS) and CJK.search(text) is not None


def ends_sentence(line: str) -> bool:
    """Whether a non-empty line ends with sentence punctuation (closing quotes and brackets aside)."""
    last = line[-1]
    if last in _SENTENCE_CHARS:
        return True
    return last in _CLOSING_CHARS and SENTENCE_END.search(line[-8:]) is not None


def classify_lines(page: PageLines, flags: list[bool] | None) -> LineVerdicts:
    """Every line's class, rule, score and word count; repeated lines and teaser closers found."""
    lines, low_lines, words_of, stops, cjk = page.lines, page.low_lines, page.words_of, page.stops, page.cjk
    count = len(lines)
    classes: list[int] = [0] * count
    rules: list[str] = [""] * count
    scores: list[float] = [0.0] * count
    words: list[int] = [0] * count
    repeated = [False] * count
    repeats: list[tuple[int, int]] = []
    teaser_closers: list[int] = []
    seen: dict[str, int] = {}  # lower-case line -> where it first stands
    for i, (line, low) in enumerate(zip(lines, low_lines)):
        if low in seen:  # a repeat is junk whatever it reads like: skip the rules
            classes[i], rules[i], repeated[i] = JUNK, "duplicate-line", True
            n = len(words_of[i])  # the word count of classify_line, inlined (as below): this loop is hot
            if cjk:
                n += len(CJK.findall(line)) // 2
            words[i] = n
            repeats.append((i, seen[low]))
            if low.count(" ") < 4 and ("read" in low or "full" in low) and TEASER_CLOSERS.match(line):
                teaser_closers.append(i)
            continue
        if flags is not None and flags[i]:
            # a template line is junk whatever it reads like, unless it closes the article: only
            # the END test of classify_line and the word count are needed
            n = len(words_of[i])
            if cjk:
                n += len(CJK.findall(line)) // 2
            if n <= 8 and low[:3] in _END_HEADS and low.startswith(_END_STARTS) and END_MARKERS.match(line):
                cls, rule, score = END, "end-marker", 0.0
            else:
                cls, rule, score = STRONG_JUNK if n < 40 else JUNK, "template", 0.0
        else:
            cls, rule, score, n = classify_line(line, low, stops, cjk, words_of[i])
        seen[low] = i
        if n <= 4 and cls <= JUNK:
            if cls == STRONG_JUNK and low in INLINE_BREAKS:
                cls = JUNK  # an advert's label inside the article: the article goes on below it
            # every teaser closer holds "read" or "full": two substring tests spare most lines the regex
            if ("read" in low or "full" in low) and TEASER_CLOSERS.match(line):
                teaser_closers.append(i)
        elif cls >= MEDIUM and n <= _CAPTION_WORDS and ("left" in low or "right" in low) and CAPTION_CUE.search(low):
            cls, rule, score = JUNK, "caption", 0.1  # a photo caption says who stands where
        classes[i], rules[i], scores[i], words[i] = cls, rule, score, n
    return LineVerdicts(classes, rules, scores, words, repeated, repeats, teaser_closers)


def _search_phrases(text: str, toks: list[str], at_start: bool = False, at_end: bool = False) -> bool:
    """Whether a junk phrase of a trigger word among `toks` (lower case) is in `text` (or opens or closes it)."""
    # whether any phrase matches does not depend on the order the words are tried in
    by_word = JUNK_PHRASES_BY_WORD
    for word in set(map(JUNK_TRIGGER_FORMS.__getitem__, _TRIGGER_FORMS.intersection(toks))):
        for match in by_word[word].finditer(text):
            if at_start and match.start() > _EDGE_SLACK:
                break
            if at_end and match.end() < len(text) - _EDGE_SLACK:
                continue
            return True
    return False


def classify_line(
    line: str, low: str, stops: frozenset[str] | None, cjk: bool = False, toks: list[str] | None = None
) -> tuple[int, str, float, int]:
    """Class, rule, score in [0, 1] and word count of one normalised line, on its own.

    `toks`: the line's whitespace words (`low.split()`), when the caller has them.
    """
    if toks is None:
        toks = low.split()  # whitespace words: several times cheaper than a regex tokeniser
    n = len(toks)  # whitespace words, and on a CJK page one more per two CJK characters
    if cjk:
        n += len(CJK.findall(line)) // 2
    if n <= 8:
        if low[:3] in _END_HEADS and low.startswith(_END_STARTS) and END_MARKERS.match(line):
            return END, "end-marker", 0.0, n
        if n <= 2 and low.strip(JUNK_LINE_EDGES) in JUNK_LINES:
            return STRONG_JUNK, "junk-phrase", 0.0, n
    if n <= 15 or len(line) < 120:
        # a junk phrase anywhere in a short line; most lines hold no word a junk phrase is made
        # of: one C-level set test rules them out
        if not _TRIGGER_FORMS.isdisjoint(toks) and _search_phrases(line, toks):
            return STRONG_JUNK, "junk-phrase", 0.0, n
    else:
        # a long line is junk only when a phrase opens or closes it: prose may mention "sign up"
        # in between; one set test per edge (most long lines are prose with no trigger at either)
        head, tail = toks[:6], toks[-6:]
        if (not _TRIGGER_FORMS.isdisjoint(head) and _search_phrases(line[:40], head, at_start=True)) or (
            not _TRIGGER_FORMS.isdisjoint(tail) and _search_phrases(line[-40:], tail, at_end=True)
        ):
            return STRONG_JUNK, "junk-phrase", 0.0, n
    if ("©" in line or ("(" in line and "(c" in low)) and JUNK_SYMBOLS.search(line):  # "(": a memchr
        return STRONG_JUNK, "junk-phrase", 0.0, n
    if "cookie" in low and COOKIE_NOTICE.search(low):
        return STRONG_JUNK, "cookie-notice", 0.0, n
    # a lowercase-Uppercase join needs a line that is not all one case and not Title Case
    if (n <= 6 or len(line) > 9 * n) and not (line.istitle() or low == line or line.isupper()):
        joins = len(CAMEL_JOIN.findall(line))
        if joins >= 2 and joins * 4 >= n:
            return STRONG_JUNK, "glued-menu", 0.0, n
    if n < 5:
        return SHORT, "too-short", 0.3, n
    if n <= 80 and ("/" in line or "Photo" in line or "Image" in line or "Picture" in line) and CREDIT.search(line):
        return JUNK, "caption", 0.1, n
    if n <= 40:
        seps = line.count("|") + line.count("•") + (line.count(" - ") if "-" in line else 0)  # "-": a memchr
        if seps >= 2 and seps * 4 >= n:
            return JUNK, "short-link-list", 0.1, n
    if stops is None:
        density = 0.3  # no language list fits: judge by shape alone
    else:
        density = len([1 for t in toks if t in stops]) / n
    last = line[-1]  # ends_sentence, inlined: this runs for every prose line
    ends = last in _SENTENCE_CHARS or (last in _CLOSING_CHARS and SENTENCE_END.search(line[-8:]) is not None)
    if n >= 10:
        if density >= 0.2 or (ends and density >= 0.1):
            if not ends:
                # prose without a closing stop: headlines, standfirsts, teasers and link text
                return (MEDIUM if n > 25 else SHORT), "no-sentence-end", 0.4, n
            if BIO.match(line):
                return JUNK, "bio", 0.2, n
            return GOOD, "body", min(1.0, 0.6 + density), n
        if ends:
            return SHORT, "low-stopwords", density, n  # a line-up or a listing: kept only inside prose
        return JUNK, "low-stopwords", density, n
    if ends and density >= 0.15:
        if BIO.match(line):
            return JUNK, "bio", 0.2, n
        return MEDIUM, "short-sentence", 0.5, n
    return SHORT, "too-short", 0.3, n


def hold_announced_lists(page: PageLines, verdicts: LineVerdicts) -> None:
    """A sentence ending in ":" holds the short lines after it to the article, as list items."""
    classes, rules, scores, words = verdicts.classes, verdicts.rules, verdicts.scores, verdicts.words
    low_text, count = page.low_text, len(classes)
    # the lines ending in ":" are found by a C-level scan of the page, not a loop over lines; each
    # one's line number counts the breaks since the one before (from the page start: quadratic)
    i, counted = 0, 0
    for at in _COLON_END.finditer(low_text):
        i += low_text.count("\n", counted, at.start())
        counted = at.start()
        if classes[i] >= SHORT and words[i] >= _LIST_LEAD_WORDS and classes[i + 1] == SHORT:
            j = i + 1
            # a line with no words at all (extracted HTML can hold one) ends the list
            while j < count and j - i <= LIST_ITEMS and classes[j] == SHORT and words[j]:
                classes[j], rules[j], scores[j] = MEDIUM, "list-item", 0.5
                j += 1
