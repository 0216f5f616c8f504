"""Narrative evidence: a duplicate shares the article's own sentences, not only the people it quotes.

Two different articles about one event often quote the same statement, tweet or transcript at
length. Quoted words are someone else's text, so they say little about whether the articles are
copies: a pair the aligner calls a duplicate stays one only when the words outside quotation marks
(the narrative) are shared too. Wire copies share both, so they keep their verdict.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cleanwire.fingerprint import token_starts

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
    r"|'(?<!\w')(?=\w)[^'\n]*?(?<=[\w.,!?])'(?!\w)",  # the look-behind after the quote: every branch
    # then starts with a literal, so the regex engine skips ahead to the next quotation mark
    re.MULTILINE,
)

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
    starts = token_starts(text)
    if tokens is not None and len(starts) != tokens:
        return None
    # quotation marks are not word characters, so no token spans a quotation's edge: the tokens
    # before each edge say which tokens each quotation holds
    edges = [edge for m in _QUOTED.finditer(text) if m.end() > m.start() for edge in m.span()]
    counts = np.diff(np.searchsorted(starts, [0, *edges, len(text)]))
    in_quote: np.ndarray = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    return in_quote


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


def narrative(blocks: Sequence[tuple[int, int, int]], quoted_a: np.ndarray, quoted_b: np.ndarray) -> Narrative:
    """The narrative coverage of a pair, from its shared passages (i in a, j in b, size) and quote masks."""
    covered_a = np.zeros(len(quoted_a), dtype=bool)
    covered_b = np.zeros(len(quoted_b), dtype=bool)
    for i, j, size in blocks:
        covered_a[i:i + size] = True
        covered_b[j:j + size] = True
    return Narrative(int((~quoted_a).sum()), int((~quoted_b).sum()), _in_long_runs(covered_a & ~quoted_a),
                     _in_long_runs(covered_b & ~quoted_b), int((covered_a & quoted_a).sum()))


def _in_long_runs(mask: np.ndarray) -> int:
    """How many True values of `mask` stand in runs of at least NARRATIVE_RUN."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    sizes = edges[1::2] - edges[::2]
    return int(sizes[sizes >= NARRATIVE_RUN].sum())


def is_narrative_copy(evidence: Narrative, share: float) -> bool:
    """Whether the shared passages hold at least `share` of one side's own narrative (or neither has any)."""
    return evidence.containment >= share
