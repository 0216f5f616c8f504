"""Narrative evidence: a duplicate shares the article's own sentences, not only the people it quotes.

Two different articles about one event often quote the same statement, tweet or transcript at
length. Quoted words are someone else's text, so they say little about whether the articles are
copies: a pair the aligner calls a duplicate stays one only when the words outside quotation marks
(the narrative) are shared too. Wire copies share both, so they keep their verdict.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleanwire.fingerprint import _SPACELESS_CHAR, classify_codes, token_starts

# Quotation marks of many scripts as (opening, closing) pairs, a quotation ends at its line's end
# at the latest (news style reopens a quotation on each paragraph it spans, often leaving the
# previous one unclosed). Straight single quotes count only at word edges ('We won,' he said),
# so apostrophes (don't, the players' union) are not taken for quotation marks.
_QUOTED = re.compile(
    r'"[^"\n]*(?:"|$)'
    r"|\u201c[^\u201c\u201d\n]*(?:\u201d|$)"  # “…”
    r"|\u201e[^\u201c\u201d\u201e\n]*(?:[\u201c\u201d]|$)"  # „…“ and „…”
    r"|\u00ab[^\u00ab\u00bb\n]*(?:\u00bb|$)"  # «…»
    r"|\u00bb[^\u00ab\u00bb\n]*(?:\u00ab|$)"  # »…«
    r"|\u2039[^\u2039\u203a\n]*(?:\u203a|$)"  # ‹…›
    r"|\u300c[^\u300c\u300d\n]*(?:\u300d|$)"  # 「…」
    r"|\u300e[^\u300e\u300f\n]*(?:\u300f|$)"  # 『…』
    r"|\u2018[^\u2018\u2019\n]*\u2019(?!\w)"  # ‘…’ (’ inside a word is an apostrophe)
    # (?<!\w') after the quote is (?<!\w) before it: every branch opens with a literal, so the regex
    # engine skips ahead to the next quotation mark instead of trying each branch at every position
    r"|'(?<!\w')(?=\w)[^'\n]*?(?<=[\w.,!?])'(?!\w)",
    re.MULTILINE,
)
# any character of a script written without spaces: there a token's edges need the regex (see _token_starts)
_ANY_SPACELESS = re.compile(_SPACELESS_CHAR)
# per byte of ASCII text: 1 for a letter or a digit (what [^\W_] matches), else 0
_ASCII_WORD = bytes(int(chr(c).isalnum()) for c in range(128)) + bytes(128)

NARRATIVE_RUN = 8  # shared unquoted words count in runs of at least this many: a clause of one's own,
# not the attribution ("he wrote on Twitter", "the company said") that sits between two shared quotations
NARRATIVE_FLOOR = 10  # a side with fewer words outside quotation marks is all quotation: it has no narrative to judge


def quoted_mask(text: str, tokens: int | None = None) -> np.ndarray | None:
    """Per token of `match_key(text)`, whether it stands inside quotation marks.

    None when the tokens found here are not `tokens` in number (a rare casefolding difference):
    then nothing is known to be quoted and the caller keeps its verdict.
    """
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    # quotation marks are not word characters, so no token spans a quotation's edge: count the
    # tokens of each stretch between edges (only these few stretches, no per-token work in Python)
    edges = [0]
    for m in _QUOTED.finditer(text):
        if m.end() > m.start():
            edges += [m.start(), m.end()]
    edges.append(len(text))
    flags = _word_flags(text)
    if flags is None:  # where match_key's tokens start: a character of those scripts is a token of its own
        counts = np.diff(np.searchsorted(token_starts(text), edges)).tolist()
    else:
        # a token starts where a non-word character (or the text's start) meets a word character
        counts = [flags.count(b"\0\1", start, end + 1) for start, end in zip(edges[:-1], edges[1:])]
    if tokens is not None and sum(counts) != tokens:
        return None
    in_quote: np.ndarray = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    return in_quote


def _word_flags(text: str) -> bytes | None:
    """A zero byte, then one byte per character of `text`: 1 for a letter or digit (str.isalnum, the
    regex's [^\\W_]), else 0; or None in a text with characters of a script written without spaces.

    Outside those scripts a token is a maximal run of letters and digits, so the tokens of a stretch
    are counted by a C-level count of the 0, 1 pairs, with no list of token strings; in those scripts
    each of their characters is a token of its own (as in `match_key`): `token_starts` places them.
    """
    if text.isascii():
        return b"\0" + text.encode("ascii").translate(_ASCII_WORD)
    if _ANY_SPACELESS.search(text) is not None:
        return None
    word = classify_codes(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))[0]
    return b"\0" + word.astype(np.uint8).tobytes()


@dataclass(frozen=True, slots=True)
class Narrative:
    """How much of each side's own (unquoted) text the shared passages cover."""

    words_a: int  # words outside quotation marks
    words_b: int
    shared_a: int  # of those, words in shared passages
    shared_b: int
    quoted_shared: int  # words of the shared passages (counted on side a) inside quotation marks

    @property
    def containment(self) -> float:
        """The larger share of a side's narrative found in the other (1.0 when neither has narrative)."""
        shares = [s / w for s, w in ((self.shared_a, self.words_a), (self.shared_b, self.words_b))
                  if w >= NARRATIVE_FLOOR]
        return max(shares) if shares else 1.0

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready fields."""
        return {"words_a": self.words_a, "words_b": self.words_b, "shared_a": self.shared_a,
                "shared_b": self.shared_b, "quoted_shared": self.quoted_shared,
                "containment": round(self.containment, 4)}


@dataclass(frozen=True, slots=True)
class Unquoted:
    """A text's tokens outside quotation marks, as runs: what `narrative` reads of a quote mask."""

    tokens: int  # tokens of the text
    words: int  # of those, outside quotation marks
    starts: list[int]  # each maximal run of them: its first token
    ends: list[int]  # and the token after its last


def unquoted(quoted: np.ndarray) -> Unquoted:
    """The runs of tokens outside quotation marks of a quote mask (`quoted_mask`)."""
    outside = np.zeros(len(quoted) + 2, dtype=bool)
    np.logical_not(quoted, out=outside[1:-1])
    edges = np.flatnonzero(outside[1:] != outside[:-1]).tolist()
    return Unquoted(len(quoted), int(np.count_nonzero(outside)), edges[::2], edges[1::2])


def narrative(blocks: Sequence[tuple[int, int, int]], quoted_a: np.ndarray | Unquoted,
              quoted_b: np.ndarray | Unquoted) -> Narrative:
    """The narrative coverage of a pair, from its shared passages (i in a, j in b, size) and quote masks
    (or their `unquoted` runs, found once per text)."""
    side_a = quoted_a if isinstance(quoted_a, Unquoted) else unquoted(quoted_a)
    side_b = quoted_b if isinstance(quoted_b, Unquoted) else unquoted(quoted_b)
    covered_a, outside_a, shared_a = _coverage([(i, size) for i, _, size in blocks], side_a)
    _, _, shared_b = _coverage([(j, size) for _, j, size in blocks], side_b)
    return Narrative(side_a.words, side_b.words, shared_a, shared_b, covered_a - outside_a)


def _coverage(passages: list[tuple[int, int]], side: Unquoted) -> tuple[int, int, int]:
    """Of one side's tokens in the passages (start, size): how many, how many outside quotation marks, and
    how many of those stand in runs of at least NARRATIVE_RUN (a run: shared and outside quotation marks).

    The passages, merged where they touch, and the runs outside quotation marks are each maximal, so
    their overlaps are the maximal runs of tokens both shared and outside quotation marks.
    """
    merged: list[list[int]] = []
    for start, size in sorted(passages):
        end = min(start + size, side.tokens)
        start = max(start, 0)
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    starts, ends = side.starts, side.ends
    covered = outside = long_runs = 0
    k = 0
    for start, end in merged:
        covered += end - start
        k = bisect.bisect_right(ends, start, k)  # the first run outside quotation marks that ends after start
        while k < len(starts) and starts[k] < end:
            piece = min(end, ends[k]) - max(start, starts[k])
            outside += piece
            if piece >= NARRATIVE_RUN:
                long_runs += piece
            if ends[k] > end:
                break  # this run goes on into the next passage
            k += 1
    return covered, outside, long_runs


def is_narrative_copy(evidence: Narrative, share: float) -> bool:
    """Whether the shared passages hold at least `share` of one side's own narrative (or neither has any)."""
    return evidence.containment >= share
