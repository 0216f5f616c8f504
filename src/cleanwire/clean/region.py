"""The article body of a page: the densest contiguous run of prose-like lines.

The body is found as the maximum-sum run of per-line weights (prose pulls, junk pushes),
then cut at closing markers, comment threads and "full story elsewhere" lines, widened
to a lede above it, and trimmed of lone edge lines. Teasers (a paragraph or two above a
"Read more") and lists of comments are told apart from an article by their short blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleanwire.clean.lexicon import COMMENT_MARKERS, COMMENT_STAMP, EXCERPT_CLOSER
from cleanwire.clean.lines import END, GOOD, JUNK, LIST_ITEMS, MEDIUM, SHORT, STRONG_JUNK, LineVerdicts, PageLines

SIGNATURE = re.compile(r"^\W*(?:posted|submitted|commented|written) by\b", re.IGNORECASE)

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
_SIGNATURES = 3  # signed comments in a region that make it a thread
_LEDE_GAP = 8  # non-prose lines that may part a lede block from the body
_LEDE_WORDS = 40  # ... which holds at least this many words in two or more paragraphs
_CLOSER_WORDS = 16  # a line saying "the full story is elsewhere" is at most this long
_CLOSED_WORDS = 30  # prose words above such a line, inside the region, that make it an excerpt's end
_STAMP_WORDS = 12  # a comment's header ("Jane, July 7, 2012 at 12:27 am", "Jane said...") is this short
_STAMP_GAP = 25  # ... and the next one follows within this many lines
_STAMP_PROSE = 5  # ... after a comment of at least one line this long
_THREAD_STAMPS = 3  # headers in a row that make a comment thread
_BYLINE_BLOCK = 100  # words under the first header that make it the article's dated byline
_COMMENT_WORDS = 120  # the median comment of a thread is at most this long
_THREAD_BEFORE = 20.0  # a region before the thread with this weight is the article

# Region weights per class: prose pulls the main region over itself (a word each; short
# sentences a quarter), junk pushes it away; plain junk also by half a word each.
_FIXED_WEIGHT = (-60.0, -25.0, -3.0, -2.0)  # END, STRONG_JUNK, JUNK, SHORT
_MEDIUM_WEIGHT = 0.25
_JUNK_PER_WORD = 0.5

# A teased line as it was before it was marked: (line, class, rule, score)
Teased = tuple[int, int, str, float]


@dataclass(slots=True)
class Body:
    """The body region [start, end) of a page and which of its lines are kept."""

    start: int
    end: int
    keep: list[bool]


def mark_teasers(verdicts: LineVerdicts) -> list[Teased]:
    """Mark the prose just above each teaser closer as a teaser; return the lines as they were."""
    teased: list[Teased] = []
    for closer in verdicts.teaser_closers:
        _mark_teaser(verdicts, closer, teased)
    return teased


def _mark_teaser(verdicts: LineVerdicts, closer: int, undo: list[Teased]) -> None:
    """The one or two prose lines just above a "Read more" are an excerpt of another page."""
    classes, rules, scores = verdicts.classes, verdicts.rules, verdicts.scores
    first = closer
    while first > 0 and closer - first < _TEASER_LINES and classes[first - 1] >= MEDIUM:
        first -= 1
    if first == closer or (first > 0 and classes[first - 1] >= MEDIUM):
        return  # nothing above, or a longer run of prose: an article that links on, not a teaser
    for i in range(first, closer):
        undo.append((i, classes[i], rules[i], scores[i]))
        classes[i], rules[i], scores[i] = JUNK, "teaser", 0.1


def unmark_teasers(verdicts: LineVerdicts, teased: list[Teased]) -> None:
    """Give the teased lines back the class, rule and score they had before."""
    classes, rules, scores = verdicts.classes, verdicts.rules, verdicts.scores
    for i, cls, rule, score in teased:
        classes[i], rules[i], scores[i] = cls, rule, score


def mark_excerpt_closers(page: PageLines, verdicts: LineVerdicts) -> list[int]:
    """The short lines saying the full story is elsewhere (marked junk); an excerpt ends at one."""
    classes, rules, scores, words = verdicts.classes, verdicts.rules, verdicts.scores, verdicts.words
    lines, low_lines = page.lines, page.low_lines
    # closers are junk phrases, or a bare "Full story: ..." link: only those few lines are searched
    closers = [
        i for i, cls in enumerate(classes)
        if (rules[i] == "junk-phrase" or (cls == SHORT and low_lines[i].startswith("full ")))
        and words[i] <= _CLOSER_WORDS and EXCERPT_CLOSER.search(lines[i])
    ]
    for i in closers:
        if classes[i] == SHORT:
            classes[i], rules[i], scores[i] = STRONG_JUNK, "excerpt-closer", 0.0
    return closers


def select_body(lines: list[str], verdicts: LineVerdicts, closers: list[int], extracted: bool) -> Body:
    """The body region and the lines kept in it."""
    classes, words, repeated = verdicts.classes, verdicts.words, verdicts.repeated
    ends = [i for i, cls in enumerate(classes) if cls == END]
    comment_marker = dict.fromkeys(i for i in ends if COMMENT_MARKERS.match(lines[i]))
    start, end = _article_region(classes, words, repeated, comment_marker, comment_thread(lines, verdicts))
    # comments signed "Posted by ..." one after another: the article ends at the first signature
    signatures = [i for i in range(start, end) if classes[i] <= JUNK and SIGNATURE.match(lines[i])]
    if len(signatures) >= _SIGNATURES:
        end = signatures[0]
    start = _lead_above(classes, words, repeated, start)
    # an excerpt ends where it says the full story is elsewhere: what follows is the host page's
    for i in closers:
        if start < i < end and sum(words[k] for k in range(start, i) if classes[k] >= MEDIUM) >= _CLOSED_WORDS:
            end = i
            break
    start, end = _trim_edges(classes, words, start, end)
    keep = [False] * len(lines)
    if end > start:
        end = _keep_in_region(lines, classes, start, end, keep, keep_short=extracted)
    return Body(start, end, keep)


def _lead_above(classes: list[int], words: list[int], repeated: list[bool], start: int) -> int:
    """The region's start, moved up to a lede block that a few non-prose lines part from the body."""
    # two or more paragraphs above an image box, a byline, share buttons
    i, gap = start - 1, 0
    while i >= 0 and classes[i] < MEDIUM:
        if classes[i] == END:
            return start
        gap += words[i] > 0 and not repeated[i]  # a repeated line does not widen the gap
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


def comment_thread(lines: list[str], verdicts: LineVerdicts) -> tuple[int, int] | None:
    """The first and last header of the first comment thread of the page, if it has one.

    A thread is three or more short lines naming a date or who said it, each followed within a
    few lines by a comment (a line of some words) before the next header.
    """
    words, repeated = verdicts.words, verdicts.repeated
    stamps = [
        i for i, line in enumerate(lines)
        if 0 < words[i] <= _STAMP_WORDS and not repeated[i]
        and ("s" in line or "w" in line or any(map(str.isdigit, line))) and COMMENT_STAMP.search(line)
    ]
    chain: list[int] = []
    for i, nxt in zip(stamps, [*stamps[1:], len(lines)]):
        if nxt - i > _STAMP_GAP:
            nxt = min(len(lines), i + _STAMP_GAP)
        commented = any(words[k] >= _STAMP_PROSE and not repeated[k] for k in range(i + 1, nxt))
        if commented and (not chain or i - chain[-1] <= _STAMP_GAP):
            chain.append(i)
        elif len(chain) >= _THREAD_STAMPS:
            break
        else:
            chain = [i] if commented else []
    if len(chain) >= _THREAD_STAMPS:
        # an article under its own dated byline is one long block; comments are many shorter ones
        blocks = [sum(words[i:j]) for i, j in zip(chain, chain[1:])]
        if blocks[0] >= _BYLINE_BLOCK and blocks[0] > 2 * sorted(blocks[1:])[len(blocks) // 2 - 1]:
            chain = chain[1:]
    if len(chain) < _THREAD_STAMPS:
        return None
    blocks = sorted(sum(words[i:j]) for i, j in zip(chain, chain[1:]))
    if blocks[len(blocks) // 2] > _COMMENT_WORDS:
        return None  # dated items as long as articles: a digest of stories, not comments
    return chain[0], chain[-1]


def _article_region(
    classes: list[int], words: list[int], repeated: list[bool], comment_marker: dict[int, None],
    thread: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """The main region, or a fair region before the closing marker that the main region follows or crosses.

    An article comes before its comment thread: when the region lies after (or runs across) a
    closing marker and what follows the marker is list-like (lone paragraphs between names and
    dates), a fair region before the marker wins. So does a region before a run of comment
    headers (`thread`) that the main region lies in or runs into.
    """
    start, end, score = main_region(classes, words, repeated)
    if thread is not None and end > thread[0] and start <= thread[1]:
        top = thread[0]
        above_start, above_end, above = main_region(classes[:top], words[:top], repeated[:top])
        if above >= _THREAD_BEFORE:
            return above_start, above_end
    cut = start
    while cut > 0 and classes[cut - 1] != END:
        cut -= 1
    if cut > 0 and (cut - 1 in comment_marker or _list_like(classes, start, end)):
        before_start, before_end, before = main_region(classes[: cut - 1], words[: cut - 1], repeated[: cut - 1])
        if before >= _BEFORE_END_SHARE * score:
            return before_start, before_end
    inside = classes.index(END, start, end) if END in classes[start:end] else None
    if inside is not None and (
        inside in comment_marker or _list_like(classes, inside + 1, min(end, inside + 1 + _LIST_WINDOW))
    ):
        first_start, first_end, first = main_region(
            classes[start:inside], words[start:inside], repeated[start:inside]
        )
        if first >= _INSIDE_END_SHARE * score:
            return start + first_start, start + first_end
    if cut > 0 and start - cut <= _BRIDGE_LINES and not _list_like(classes, start, end):
        # an inline "Related stories" box: the article's first paragraphs sit just above it
        before_start, before_end, before = main_region(classes[: cut - 1], words[: cut - 1], repeated[: cut - 1])
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
    """The region without a lone prose line at either edge that two or more lines part from the rest."""
    # a standfirst above the body, a caption or teaser below it
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


def main_region(classes: list[int], words: list[int], repeated: list[bool]) -> tuple[int, int, float]:
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
            # a neighbour that is a repeated line (or has no words) is skipped over
            before = i - 1 if i == 0 or (words[i - 1] and not repeated[i - 1]) else i - 2
            after = i + 1 if i == last or (words[i + 1] and not repeated[i + 1]) else i + 2
            if (before < 0 or classes[before] < MEDIUM) and (after > last or classes[after] < MEDIUM):
                weight *= _ISOLATED  # one paragraph between headlines: a teaser list, not an article
        else:
            weight = _FIXED_WEIGHT[cls] - _GAP_COST * gap
            if not repeated[i]:  # a repeat costs little and does not widen the gap
                if cls == JUNK:
                    weight -= _JUNK_PER_WORD * words[i]
                gap += 1
        total += weight
        if total > best:
            best, best_start, best_end = total, start, i + 1
    return best_start, best_end, best


def _keep_in_region(
    lines: list[str], classes: list[int], start: int, end: int, keep: list[bool], keep_short: bool = False
) -> int:
    """Keep the region's prose, short lines between prose, and lists a kept line announces; return the new end."""
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
            while j < len(lines) and j - i <= LIST_ITEMS and classes[j] in (SHORT, MEDIUM):
                keep[j] = True
                j += 1
            if j > i + 1:
                end = max(end, j)
                i = j
                continue
        i += 1
    return end
