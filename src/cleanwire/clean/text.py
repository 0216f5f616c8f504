"""Clean a plain-text page dump: decide per line whether it is article or page junk.

The dump has no markup, so every decision comes from the text: a line's shape (length,
sentence punctuation, stopword density, lowercase-to-Uppercase joins of glued menus,
separators of link lists), known junk phrases, repetition inside the page and across the
run (TemplateModel), and position: the article body is the densest contiguous run of
prose-like lines, found as the maximum-sum run of per-line weights.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, compress, islice

from cleanwire.clean.lexicon import (
    COMMENT_MARKERS,
    CREDIT,
    END_MARKERS,
    EXCERPT_CLOSER,
    INLINE_BREAKS,
    JUNK_LINE_EDGES,
    JUNK_LINES,
    JUNK_PHRASES_BY_WORD,
    JUNK_SYMBOLS,
    JUNK_TRIGGER_FORMS,
    STOPWORDS,
    TEASER_CLOSERS,
)
from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.template import TemplateModel

# A lowercase letter glued to an uppercase one ("HomeWorld", "readingShow"): inline links
# that lost their separators. Prose has few of these ("McDonald", "iPhone").
CAMEL_JOIN = re.compile(r"[a-zß-öø-ÿ][A-ZÀ-ÖØ-Þ]")
SENTENCE_END = re.compile(r"[.!?。！？…:;][\"'”’»)\]]*$")
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
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
_LOWER_CONTINUATION = re.compile(r"\n[a-zß-ÿ]")
CREDIT_LINE = re.compile(
    r"\b(?:agencies|news service|wire service|staff writer|staff reporter|correspondent|editor|contributor)s?\b",
    re.IGNORECASE,
)
CAPTION_CUE = re.compile(r"(?:from (?:left|right)|left to right|\((?:left|right|center|centre)\)|, (?:left|right|center|centre),)")
_COLON_END = re.compile(r":\n")  # a line ending in ":" that has a next line
SIGNATURE = re.compile(r"^\W*(?:posted|submitted|commented|written) by\b", re.IGNORECASE)
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

# Main region (measured on the dev set; see bench/clean.py)
_GAP_COST = 6.0  # extra cost of each further line in a run of non-prose lines
_ISOLATED = 0.6  # weight share of a prose line with no prose neighbour
_BEFORE_END_SHARE = 0.3  # a region before a closing marker wins with this share of the best score
_INSIDE_END_SHARE = 0.15  # ... and a region before a marker it runs across, with this share
_LIST_WINDOW = 12  # lines after a marker that tell a list from more article
_LIST_BLOCK = 2.5  # prose lines per block at most, in a list of comments or teasers
_BRIDGE_LINES = 4  # a region this close below a closing marker joins the prose just above it
_EDGE_GAP = 2  # a lone edge line this many lines away (and more) from the next prose line
_EDGE_WORDS = 40  # ... and shorter than this is not part of the body
_TEASER_LINES = 2  # at most this many prose lines above a "Read more" make a teaser
_LIST_ITEMS = 100  # at most this many short lines after a kept line ending in ":" are its list
_CAPTION_WORDS = 60  # a longer line that says who stands where is a story about a picture
_LIST_LEAD_WORDS = 5  # a line ending in ":" this long announces a list (shorter: a label, "Tags:")
_EDGE_SLACK = 3  # characters a phrase may sit from the edge of a long line
_SIGNATURES = 3  # signed comments in a region that make it a thread
_FALLBACK_WORDS = 10  # an empty result keeps the lines at least this long
_LEDE_GAP = 8  # non-prose lines that may part a lede block from the body
_LEDE_WORDS = 40  # ... which holds at least this many words in two or more paragraphs
_CLOSER_WORDS = 16  # a line saying "the full story is elsewhere" is at most this long
_CLOSED_WORDS = 30  # prose words above such a line, inside the region, that make it an excerpt's end

# Hard-wrapped text
_WRAP_MIN, _WRAP_MAX = 30, 100  # line lengths of hard-wrapped text
_WRAPPED_PAGE_LINES = 5  # distinct mid-sentence breaks that make a page hard-wrapped
_WRAP_SHARE = 0.7  # ... of which this share fills the wrap width
_WRAP_FILL = 0.8  # a line this close to the wrap width was broken by the wrap
_WRAP_WIDTH_MIN = 60  # narrower "wraps" are short lines of comments and verse, not a layout


@dataclass(slots=True, frozen=True)
class LineDecision:
    """Why one input line was kept or dropped."""

    line: str
    keep: bool
    rule: str
    score: float


@dataclass(slots=True)
class CleanedText:
    """The article body (one paragraph per line) and the metadata found around it."""

    body: str
    title: str | None
    author: str | None
    date: str | None
    decisions: list[LineDecision]


def page_stopwords(words: Iterable[str]) -> frozenset[str] | None:
    """The stopword list of the page's language (from its words), or None if none fits."""
    # one C-level pass over the words, then one over the languages of the few dozen stopwords
    per_lang = Counter(chain.from_iterable(map(_LANGS_OF.__getitem__, _ALL_STOPWORDS.intersection(words))))
    hits = [per_lang[lang] for lang in range(len(_LANG_LISTS))]
    best = max(range(len(hits)), key=hits.__getitem__)
    return _LANG_LISTS[best] if hits[best] >= _MIN_LANG_HITS else None


def _has_cjk(text: str) -> bool:
    """Whether `text` holds a CJK character."""
    if text.isascii():
        return False
    # every CJK character starts with one of a few UTF-8 lead bytes: a C-level byte search per
    # lead rules CJK out several times faster than the regex (which most such pages would scan whole)
    data = text.encode("utf-8", "surrogatepass")
    return any(lead in data for lead in _CJK_LEADS) and CJK.search(text) is not None


def _ends_sentence(line: str) -> bool:
    last = line[-1]
    if last in _SENTENCE_CHARS:
        return True
    return last in _CLOSING_CHARS and SENTENCE_END.search(line[-8:]) is not None


def _search_phrases(text: str, toks: list[str], at_start: bool = False, at_end: bool = False) -> bool:
    """Search `text` with the junk phrases of the trigger words among `toks` (lower case),
    optionally only matches that open or close `text`."""
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
    n = len(toks)
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
    last = line[-1]  # _ends_sentence, inlined: this runs for every prose line
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


# Region weights per class: prose pulls the main region over itself (a word each; short
# sentences a quarter), junk pushes it away; plain junk also by half a word each.
_FIXED_WEIGHT = (-60.0, -25.0, -3.0, -2.0)  # END, STRONG_JUNK, JUNK, SHORT
_MEDIUM_WEIGHT = 0.25
_JUNK_PER_WORD = 0.5


def clean_text_dump(
    text: str, template: TemplateModel | None = None, *, explain: bool = False
) -> CleanedText:
    """Clean one page dump; `explain` fills `decisions` with every line's keep/drop reason."""
    text = normalize_text(text)
    if not text:
        return CleanedText("", None, None, None, [])
    lines = text.split("\n")
    # hard wrapping shows as many lines that go on in lower case; a C-level scan rules it out
    groups = _wrapped_groups(lines) if len(_LOWER_CONTINUATION.findall(text)) >= _WRAPPED_PAGE_LINES else None
    if groups is None:
        return clean_lines(lines, template, explain=explain)
    # hard-wrapped text (plain-text press releases): judge whole paragraphs, report input lines
    merged = [" ".join(lines[i] for i in group) for group in groups]
    result = clean_lines(merged, template, explain=explain)
    if explain:
        result.decisions = [
            LineDecision(lines[i], d.keep, d.rule, d.score) for d, group in zip(result.decisions, groups) for i in group
        ]
    return result


def _wrapped_groups(lines: list[str]) -> list[list[int]] | None:
    """Lines of a hard-wrapped page grouped into paragraphs, or None if the page is not wrapped.

    A wrapped line breaks mid-sentence: it is 30 to 100 characters long, does not end a
    sentence, and the next line goes on in lower case or the line is nearly as long as the
    longest such line (the wrap width).
    """
    pairs = [
        i for i in range(len(lines) - 1)
        if _WRAP_MIN <= len(lines[i]) <= _WRAP_MAX
        and lines[i + 1][:1].islower()
        and lines[i + 1].count(" ") >= 2
        and lines[i].count(" ") >= 4
        and not _ends_sentence(lines[i])
    ]
    if len(set(lines[i] for i in pairs)) < _WRAPPED_PAGE_LINES:
        return None
    # a wrap has a width: most broken lines come close to the longest one
    width = max(len(lines[i]) for i in pairs)
    if width < _WRAP_WIDTH_MIN or sum(len(lines[i]) >= _WRAP_FILL * width for i in pairs) < _WRAP_SHARE * len(pairs):
        return None
    groups: list[list[int]] = [[0]]
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        wrapped = (
            _WRAP_MIN <= len(prev) <= _WRAP_MAX
            and not _ends_sentence(prev)
            and (lines[i][:1].islower() or len(prev) >= _WRAP_FILL * width)
        )
        if wrapped:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def clean_lines(
    lines: list[str], template: TemplateModel | None = None, *, explain: bool = False, extracted: bool = False
) -> CleanedText:
    """Clean normalised lines (no empty ones) of one page.

    `extracted`: the lines come from an HTML extractor that already dropped most junk, so
    short lines inside the body region (subheadings, list items) are kept.
    """
    low_text = lowered = "\n".join(lines).lower()
    low_lines = low_text.split("\n")
    if len(low_lines) != len(lines):  # lower() can change a line (rare Unicode case rules): redo per line
        low_lines = [line.lower() for line in lines]
        low_text = "\n".join(low_lines)
    cjk = _has_cjk(low_text)
    words_of = [low.split() for low in low_lines]
    # the page's language from its longer lines (prose), enough of them to count on
    stops = page_stopwords(islice(chain.from_iterable(w for w in words_of if len(w) >= 8), _LANG_SAMPLE))
    if stops is None:
        stops = page_stopwords(chain.from_iterable(words_of))
    count = len(lines)
    classes: list[int] = [0] * count
    rules: list[str] = [""] * count
    scores: list[float] = [0.0] * count
    words: list[int] = [0] * count
    seen: dict[str, int] = {}  # lower-case line -> where it first stands
    repeats: list[tuple[int, int]] = []  # (a repeated line, its first place)
    teased: list[tuple[int, int, str, float]] = []  # (line, class, rule, score) before a teaser mark
    flags = template.template_flags(lines, lowered) if template is not None else None
    for i, (line, low) in enumerate(zip(lines, low_lines)):
        if low in seen:  # a repeat is junk whatever it reads like: skip the rules
            # no words: a repeat costs little and does not part the lines around it
            classes[i], rules[i], scores[i], words[i] = JUNK, "duplicate-line", 0.0, 0
            repeats.append((i, seen[low]))
            if low.count(" ") < 4 and ("read" in low or "full" in low) and TEASER_CLOSERS.match(line):
                _mark_teaser(classes, rules, scores, i, teased)
            continue
        toks = words_of[i]
        if flags is not None and flags[i]:
            # a template line is junk whatever it reads like, unless it closes the article: only
            # the END test of classify_line and the word count are needed
            n = len(toks)
            if cjk:
                n += len(CJK.findall(line)) // 2
            if n <= 8 and low[:3] in _END_HEADS and low.startswith(_END_STARTS) and END_MARKERS.match(line):
                cls, rule, score = END, "end-marker", 0.0
            else:
                cls, rule, score = STRONG_JUNK if n < 40 else JUNK, "template", 0.0
        else:
            cls, rule, score, n = classify_line(line, low, stops, cjk, toks)
        seen[low] = i
        if n <= 4 and cls <= JUNK:
            if cls == STRONG_JUNK and low in INLINE_BREAKS:
                cls = JUNK  # an advert's label inside the article: the article goes on below it
            classes[i], rules[i], scores[i], words[i] = cls, rule, score, n
            # every teaser closer holds "read" or "full": two substring tests spare most lines the regex
            if ("read" in low or "full" in low) and TEASER_CLOSERS.match(line):
                _mark_teaser(classes, rules, scores, i, teased)
        else:
            if cls >= MEDIUM and n <= _CAPTION_WORDS and ("left" in low or "right" in low) and CAPTION_CUE.search(low):
                cls, rule, score = JUNK, "caption", 0.1  # a photo caption says who stands where
            classes[i], rules[i], scores[i], words[i] = cls, rule, score, n
    # a sentence announcing a list ("Topics included:") holds its short items to the article;
    # the lines ending in ":" are found by a C-level scan of the page, not a loop over lines
    for at in _COLON_END.finditer(low_text):
        i = low_text.count("\n", 0, at.start())
        if classes[i] >= SHORT and words[i] >= _LIST_LEAD_WORDS and classes[i + 1] == SHORT:
            j = i + 1
            while j < count and j - i <= _LIST_ITEMS and classes[j] == SHORT and words[j]:
                classes[j], rules[j], scores[j] = MEDIUM, "list-item", 0.5
                j += 1
    # closers are junk phrases, or a bare "Full story: ..." link: only those few lines are searched
    closers = [
        i for i, cls in enumerate(classes)
        if (rules[i] == "junk-phrase" or (cls == SHORT and low_lines[i].startswith("full ")))
        and words[i] <= _CLOSER_WORDS and EXCERPT_CLOSER.search(lines[i])
    ]
    for i in closers:
        if classes[i] == SHORT:
            classes[i], rules[i], scores[i] = STRONG_JUNK, "excerpt-closer", 0.0
    start, end, keep = _select(lines, classes, words, closers, extracted)
    if teased and sum(words[i] for i, cls, _, _ in teased if cls >= MEDIUM) > sum(w for w, k in zip(words, keep) if k):
        # the "teasers" hold more prose than the body found without them: a page holding one
        # excerpt that links on, and that excerpt is its article
        for i, cls, rule, score in teased:
            classes[i], rules[i], scores[i] = cls, rule, score
        start, end, keep = _select(lines, classes, words, closers, extracted)
    for i, first in repeats:
        # a lede shown first as a standfirst apart from the body, then again at its head
        if start - 1 <= i < end and not keep[first] and classes[first] >= MEDIUM:
            keep[i], rules[i] = True, "repeated-lede"
            break
    if not any(keep):
        # no article-like run at all (a stub, a list page): keep what reads as prose anyway
        for i in range(count):
            if words[i] >= _FALLBACK_WORDS and classes[i] >= JUNK and rules[i] != "duplicate-line":
                keep[i], rules[i] = True, "fallback"
    title, author, date = find_metadata(lines, classes, start, low_lines)
    body = "\n".join(compress(lines, keep))
    decisions: list[LineDecision] = []
    if explain:
        for i, line in enumerate(lines):
            rule = rules[i]
            if not keep[i] and classes[i] >= SHORT and not (start <= i < end):
                rule = "outside-main-region"
            if line == title:
                rule = "title"
            decisions.append(LineDecision(line, keep[i], rule, round(scores[i], 3)))
    return CleanedText(body, title, author, date, decisions)


def _select(
    lines: list[str], classes: list[int], words: list[int], closers: list[int], extracted: bool
) -> tuple[int, int, list[bool]]:
    """The body region [start, end) and the lines kept in it."""
    ends = [i for i, cls in enumerate(classes) if cls == END]
    comment_marker = dict.fromkeys(i for i in ends if COMMENT_MARKERS.match(lines[i]))
    start, end = _article_region(classes, words, comment_marker)
    # comments signed "Posted by ..." one after another: the article ends at the first signature
    signatures = [i for i in range(start, end) if classes[i] <= JUNK and SIGNATURE.match(lines[i])]
    if len(signatures) >= _SIGNATURES:
        end = signatures[0]
    start = _lead_above(classes, words, start)
    # an excerpt ends where it says the full story is elsewhere: what follows is the host page's
    for i in closers:
        if start < i < end and sum(words[k] for k in range(start, i) if classes[k] >= MEDIUM) >= _CLOSED_WORDS:
            end = i
            break
    start, end = _trim_edges(classes, words, start, end)
    keep = [False] * len(lines)
    if end > start:
        end = _keep_in_region(lines, classes, start, end, keep, keep_short=extracted)
    return start, end, keep


def _lead_above(classes: list[int], words: list[int], start: int) -> int:
    """The region's start, moved up to a lede block of two or more paragraphs that a few
    non-prose lines (an image box, a byline, share buttons) part from the body."""
    i, gap = start - 1, 0
    while i >= 0 and classes[i] < MEDIUM:
        if classes[i] == END:
            return start
        gap += words[i] > 0  # a repeated line does not widen the gap
        if gap > _LEDE_GAP:
            return start
        i -= 1
    last = i
    while i >= 0 and classes[i] >= MEDIUM:
        i -= 1
    block = range(i + 1, last + 1)
    if len(block) and sum(classes[k] == GOOD for k in block) >= 2 and sum(words[k] for k in block) >= _LEDE_WORDS:
        return i + 1
    return start


def _article_region(classes: list[int], words: list[int], comment_marker: dict[int, None]) -> tuple[int, int]:
    """The main region; but an article comes before its comment thread, so when the region
    lies after (or runs across) a closing marker and what follows the marker is list-like
    (lone paragraphs between names and dates), a fair region before the marker wins."""
    start, end, score = main_region(classes, words)
    cut = start
    while cut > 0 and classes[cut - 1] != END:
        cut -= 1
    if cut > 0 and (cut - 1 in comment_marker or _list_like(classes, start, end)):
        before_start, before_end, before = main_region(classes[: cut - 1], words[: cut - 1])
        if before >= _BEFORE_END_SHARE * score:
            return before_start, before_end
    inside = classes.index(END, start, end) if END in classes[start:end] else None
    if inside is not None and (
        inside in comment_marker or _list_like(classes, inside + 1, min(end, inside + 1 + _LIST_WINDOW))
    ):
        first_start, first_end, first = main_region(classes[start:inside], words[start:inside])
        if first >= _INSIDE_END_SHARE * score:
            return start + first_start, start + first_end
    if cut > 0 and start - cut <= _BRIDGE_LINES and not _list_like(classes, start, end):
        # an inline "Related stories" box: the article's first paragraphs sit just above it
        before_start, before_end, before = main_region(classes[: cut - 1], words[: cut - 1])
        if before > 0 and cut - 1 - before_end <= _BRIDGE_LINES:
            return before_start, end
    return start, end


def _list_like(classes: list[int], start: int, end: int) -> bool:
    """Whether the prose of lines [start, end) comes in short blocks (comments, teasers)."""
    prose = blocks = 0
    previous = False
    for i in range(start, end):
        is_prose = classes[i] >= MEDIUM
        prose += is_prose
        blocks += is_prose and not previous
        previous = is_prose
    return blocks > 0 and prose <= _LIST_BLOCK * blocks


def _trim_edges(classes: list[int], words: list[int], start: int, end: int) -> tuple[int, int]:
    """Drop a lone prose line at either edge of the region when two or more other lines part
    it from the rest: a standfirst above the body, a caption or teaser below it."""
    prose = [i for i, cls in enumerate(classes[start:end], start) if cls >= MEDIUM]
    if len(prose) < 3:
        return start, end
    first, second = prose[0], prose[1]
    if second - first > _EDGE_GAP and words[first] < _EDGE_WORDS:
        start = second
    last, before = prose[-1], prose[-2]
    if last - before > _EDGE_GAP and words[last] < _EDGE_WORDS:
        end = before + 1
    return start, end


def _mark_teaser(
    classes: list[int], rules: list[str], scores: list[float], closer: int, undo: list[tuple[int, int, str, float]]
) -> None:
    """The one or two prose lines just above a "Read more" are an excerpt of another page
    (their former class, rule and score go to `undo`)."""
    first = closer
    while first > 0 and closer - first < _TEASER_LINES and classes[first - 1] >= MEDIUM:
        first -= 1
    if first == closer or (first > 0 and classes[first - 1] >= MEDIUM):
        return  # nothing above, or a longer run of prose: an article that links on, not a teaser
    for i in range(first, closer):
        undo.append((i, classes[i], rules[i], scores[i]))
        classes[i], rules[i], scores[i] = JUNK, "teaser", 0.1


def main_region(classes: list[int], words: list[int]) -> tuple[int, int, float]:
    """The [start, end) run of lines with the largest total weight (Kadane), and that weight.

    Each further line of a run of non-prose lines costs more than the one before: an
    article is one block with small breaks, comment threads and teaser lists are many
    blocks with wide breaks.
    """
    best, best_start, best_end = 0.0, 0, 0
    total, start, gap = 0.0, 0, 0
    last = len(classes) - 1
    for i, cls in enumerate(classes):
        if total <= 0:
            total, start = 0.0, i
        if cls >= MEDIUM:
            gap = 0
            weight = words[i] if cls == GOOD else words[i] * _MEDIUM_WEIGHT
            before = i - 1 if i == 0 or words[i - 1] else i - 2  # skip over a repeated line
            after = i + 1 if i == last or words[i + 1] else i + 2
            if (before < 0 or classes[before] < MEDIUM) and (after > last or classes[after] < MEDIUM):
                weight *= _ISOLATED  # one paragraph between headlines: a teaser list, not an article
        else:
            weight = _FIXED_WEIGHT[cls] - _GAP_COST * gap
            if cls == JUNK:
                weight -= _JUNK_PER_WORD * words[i]
            if words[i] or cls != JUNK:  # a repeated line (no words) does not widen the gap
                gap += 1
        total += weight
        if total > best:
            best, best_start, best_end = total, start, i + 1
    return best_start, best_end, best


def _keep_in_region(
    lines: list[str], classes: list[int], start: int, end: int, keep: list[bool], keep_short: bool = False
) -> int:
    """Keep prose lines of the region, short ones held between prose on both sides, and the
    items of a list that a kept line announces with a colon; return the region's new end."""
    i = start
    while i < end:
        cls = classes[i]
        if cls >= MEDIUM or (keep_short and cls == SHORT):
            keep[i] = True
        elif cls == SHORT:
            prev_ok = i > start and classes[i - 1] >= MEDIUM
            next_ok = i + 1 < end and classes[i + 1] >= MEDIUM
            keep[i] = prev_ok and next_ok
        if keep[i] and lines[i][-1] == ":":
            j = i + 1
            while j < len(lines) and j - i <= _LIST_ITEMS and classes[j] in (SHORT, MEDIUM):
                keep[j] = True
                j += 1
            if j > i + 1:
                end = max(end, j)
                i = j
                continue
        i += 1
    return end


def find_metadata(
    lines: list[str], classes: list[int], start: int, low_lines: list[str] | None = None
) -> tuple[str | None, str | None, str | None]:
    """Title, author and date from the lines just before the body (and its first line).

    The title is the nearest headline-shaped line above the body; a line that only passes
    the looser test (all capitals, say) is used when no line passes the strict one.
    `low_lines`: the lines in lower case, when the caller has them.
    """
    title = loose_title = author = date = None
    first = max(0, start - 12)
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


# DATE and BYLINE are slow alternations (microseconds a line); most lines fail a cheap
# necessary condition first: a date holds a digit, a byline one of its lead words (by, von,
# par, por, door).
_DIGIT = re.compile(r"\d")


def _date(line: str) -> re.Match[str] | None:
    return DATE.search(line) if _DIGIT.search(line) else None


def _byline(line: str, low: str) -> re.Match[str] | None:
    """BYLINE in `line` (`low`: the line in lower case)."""
    hint = "by" in low or "von" in low or "par" in low or "por" in low or "door" in low  # no generator: hot
    return BYLINE.search(line) if hint else None


def _strict_title(line: str) -> bool:
    """Not shouting, not a credit ("Staff and agencies", "(AP)"), not a widget."""
    return not line.isupper() and not line.endswith(")") and not CREDIT_LINE.search(line) and line[:1] not in "[(»>"


