"""Verification of candidate pairs: their shared passages aligned with rapidfuzz, and the verdict."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel

from cleanwire.config import DedupConfig
from cleanwire.fingerprint import match_key, token_hashes, token_hashes_batch
from cleanwire.narrative import Unquoted, is_narrative_copy, narrative, quoted_mask, unquoted


@dataclass(slots=True, frozen=True)
class Match:
    """A verified duplicate pair.

    From `find_matches`, a < b are the two documents' ordinals. Inside a `Cluster`, `a` is the
    document that absorbs `b` (the canonical, or the member through which `b` joined it).
    """

    a: int
    b: int
    relation: str  # "exact" | "near-duplicate" | "excerpt" | "update"; in a cluster also "extends" (directed_relation)
    similarity: float  # symmetric: share of both texts in aligned shared passages, 0..1 (4 decimals)
    containment: float  # share of the smaller text found in the larger, 0..1 (4 decimals)

    def __reduce__(self) -> tuple[type[Match], tuple[int, int, str, float, float]]:
        # a tuple of fields: a third of the default for slots, and workers send tens of thousands
        return Match, (self.a, self.b, self.relation, self.similarity, self.containment)


_FIRST_CHAR = 0x10000  # token k is written as chr(_FIRST_CHAR + k): past the surrogates
_MAX_TOKENS = 0x110000 - _FIRST_CHAR


def token_strings(token_lists: Mapping[int, Sequence[str]]) -> dict[int, str]:
    """Each token list as a string of one character per token, equal tokens equal characters.

    rapidfuzz aligns strings several times faster than lists, so every distinct token of the
    batch becomes one character of a vocabulary shared by the batch.
    """
    vocabulary: dict[str, str] = {}
    out = {}
    for i, tokens in token_lists.items():
        for token in tokens:
            if token not in vocabulary:
                # past ~1M distinct tokens in one batch characters repeat: a rare false equal word
                vocabulary[token] = chr(_FIRST_CHAR + len(vocabulary) % _MAX_TOKENS)
        out[i] = "".join(map(vocabulary.__getitem__, tokens))
    return out


def _chars(text: str) -> np.ndarray:
    """The code points of a token string."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


_MAX_CELLS = 1 << 30  # alignment matrix size (bits, 128 MB) above which texts are aligned in chunks
_UNMATCHABLE = "\x01"  # never a token character (those start at _FIRST_CHAR)


def _chunked_blocks(left: str, right: str, min_block: int) -> list[tuple[int, int, int]]:
    """Shared runs of two very long texts: pieces of the shorter aligned one at a time against the
    longer, whose matched tokens are then blanked out, so memory stays bounded and nothing counts twice."""
    swap = len(left) > len(right)
    short, long_chars = (right, _chars(left).copy()) if swap else (left, _chars(right).copy())
    piece = max(min_block, _MAX_CELLS // max(1, len(long_chars)))
    blocks = []
    for start in range(0, len(short), piece):
        found = Indel.opcodes(short[start:start + piece], long_chars.tobytes().decode("utf-32-le")).as_matching_blocks()
        for m in found:
            if m.size >= min_block:
                blocks.append((start + m.a, m.b, m.size))
                long_chars[m.b:m.b + m.size] = ord(_UNMATCHABLE)
    if swap:
        blocks = [(j, i, size) for i, j, size in blocks]
    blocks.sort()
    return blocks


_ANCHORED_TOKENS = 20_000  # texts both longer than this are aligned between anchors (cost about linear)
_MIN_ANCHOR_SHARE = 1_000  # at least one anchor per this many tokens of the shorter text, else the full alignment
_ANCHOR_SPACING = 128  # about one anchor per this many tokens: each gap between anchors is aligned in full


def _anchor_chain(left: str, right: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Positions of tokens that occur exactly once in each text, the longest chain in order in both
    (patience-diff style), or None when the texts share too few of them to anchor an alignment."""
    sides = []
    for text in (left, right):
        values, first, counts = np.unique(_chars(text), return_index=True, return_counts=True)
        sides.append((values[counts == 1], first[counts == 1]))
    _, in_left, in_right = np.intersect1d(sides[0][0], sides[1][0], assume_unique=True, return_indices=True)
    at_left, at_right = sides[0][1][in_left], sides[1][1][in_right]
    order = np.argsort(at_left)
    at_left, at_right = at_left[order], at_right[order]
    # one anchor per _ANCHOR_SPACING tokens of left is enough: the gaps between them stay short,
    # and the chain is found among a few hundred anchors instead of every shared unique token
    _, first_in_stretch = np.unique(at_left // _ANCHOR_SPACING, return_index=True)
    at_left, at_right = at_left[first_in_stretch], at_right[first_in_stretch]
    # longest increasing subsequence of at_right: tails[k] is the index of the smallest end of a chain of k + 1
    tails: list[int] = []
    tail_values: list[int] = []
    before = np.full(len(at_right), -1, dtype=np.int64)
    for k, j in enumerate(at_right.tolist()):
        pos = bisect.bisect_left(tail_values, j)
        if pos:
            before[k] = tails[pos - 1]
        if pos == len(tails):
            tails.append(k)
            tail_values.append(j)
        else:
            tails[pos], tail_values[pos] = k, j
    if len(tails) < max(2, min(len(left), len(right)) // _MIN_ANCHOR_SHARE):
        return None
    chain = []
    k = tails[-1]
    while k >= 0:
        chain.append(k)
        k = int(before[k])
    chain.reverse()
    return at_left[chain], at_right[chain]


def _anchored_matches(left: str, right: str) -> list[tuple[int, int, int]] | None:
    """The in-order shared runs (i, j, size) of two long texts, aligned only between consecutive
    anchors (so the cost is about linear for similar texts); None when there are too few anchors."""
    chain = _anchor_chain(left, right)
    if chain is None:
        return None
    runs: list[tuple[int, int, int]] = []

    def add(i: int, j: int, size: int) -> None:
        if runs and runs[-1][0] + runs[-1][2] == i and runs[-1][1] + runs[-1][2] == j:
            runs[-1] = (runs[-1][0], runs[-1][1], runs[-1][2] + size)
        elif size:
            runs.append((i, j, size))

    i0 = j0 = 0
    for i1, j1 in [*zip(chain[0].tolist(), chain[1].tolist()), (len(left), len(right))]:
        gap_left, gap_right = left[i0:i1], right[j0:j1]
        if gap_left and gap_right:
            if len(gap_left) * len(gap_right) > _MAX_CELLS:
                found = [(i0 + i, j0 + j, size) for i, j, size in _chunked_blocks(gap_left, gap_right, 1)]
            else:
                found = [(i0 + m.a, j0 + m.b, m.size) for m in Indel.opcodes(gap_left, gap_right).as_matching_blocks()]
            for i, j, size in found:
                add(i, j, size)
        if i1 < len(left):
            add(i1, j1, 1)  # the anchor itself
        i0, j0 = i1 + 1, j1 + 1
    return runs


def _in_order_blocks(left: str, right: str, min_block: int) -> list[tuple[int, int, int]] | None:
    """The shared runs of at least `min_block` tokens of one in-order alignment, or None when that
    would take a full alignment of more than _MAX_CELLS cells."""
    if min(len(left), len(right)) > _ANCHORED_TOKENS:
        runs = _anchored_matches(left, right)
        if runs is not None:
            return [run for run in runs if run[2] >= min_block]
    if len(left) * len(right) > _MAX_CELLS:
        return None
    return [(m.a, m.b, m.size) for m in Indel.opcodes(left, right).as_matching_blocks() if m.size >= min_block]


def _blocks(left: str, right: str, min_block: int, passes: int = 3) -> list[tuple[int, int, int]]:
    """Shared runs (i, j, size) of at least `min_block` tokens, sorted; later passes find moved passages."""
    blocks: list[tuple[int, int, int]] = []
    found = _in_order_blocks(left, right, min_block)
    if found is None:
        return _chunked_blocks(left, right, min_block)
    blocks.extend(found)
    shared = sum(size for _, _, size in found)
    if passes < 2 or not found or min(len(left), len(right)) - shared < min_block:
        return blocks
    # moved passages: align what is left over on both sides, then keep only runs that are
    # contiguous in both texts. What is left of a side is a few stretches of it (the gaps between
    # the passages found): sliced and joined as strings, no per-token arrays
    rest_left = _Leftover(left, [(a, size) for a, _, size in found])
    rest_right = _Leftover(right, [(b, size) for _, b, size in found])
    for _ in range(passes - 1):
        if rest_left.size < min_block or rest_right.size < min_block:
            break
        found = _in_order_blocks(rest_left.text(), rest_right.text(), min_block)
        if not found:  # None: what is left is too large to align in full, moved passages are not looked for
            break
        for a, b, size in found:
            # a run is cut where either side crosses from one stretch to the next (not contiguous there)
            cuts = sorted({*rest_left.cuts(a, size), *rest_right.cuts(b, size)})
            for start, end in zip([0, *cuts], [*cuts, size]):
                if end - start >= min_block:
                    blocks.append((rest_left.original(a + start), rest_right.original(b + start), end - start))
        rest_left = rest_left.without([(a, size) for a, _, size in found])
        rest_right = rest_right.without([(b, size) for _, b, size in found])
    blocks.sort()
    return blocks


class _Leftover:
    """What is left of a text once some passages are taken out: its stretches, in order, as (start, end)
    in the text (no two touch), and where each starts in the leftover (the stretches joined)."""

    def __init__(self, text: str, taken: Sequence[tuple[int, int]], stretches: list[tuple[int, int]] | None = None
                 ) -> None:
        self._text = text
        # by default the gaps between the `taken` passages (start, size) of the whole text
        self._stretches = _gaps(taken, len(text)) if stretches is None else stretches
        self._offsets: list[int] = []
        self.size = 0
        for start, end in self._stretches:
            self._offsets.append(self.size)
            self.size += end - start

    def text(self) -> str:
        """The leftover: the stretches joined."""
        return "".join(self._text[start:end] for start, end in self._stretches)

    def original(self, at: int) -> int:
        """Where the leftover's position `at` stands in the text."""
        k = bisect.bisect_right(self._offsets, at) - 1
        return self._stretches[k][0] + at - self._offsets[k]

    def cuts(self, at: int, size: int) -> list[int]:
        """The offsets inside the leftover's run (at, size) where a new stretch begins."""
        k = bisect.bisect_right(self._offsets, at)
        out = []
        while k < len(self._offsets) and self._offsets[k] < at + size:
            out.append(self._offsets[k] - at)
            k += 1
        return out

    def without(self, taken: Sequence[tuple[int, int]]) -> _Leftover:
        """The leftover once the runs `taken` (start, size in the leftover) are taken out of it too."""
        stretches: list[tuple[int, int]] = []
        # each gap of the leftover, back in the text: pieces of one or more stretches
        for lo, hi in _gaps(taken, self.size):
            k = bisect.bisect_right(self._offsets, lo) - 1
            while lo < hi:
                start, end = self._stretches[k]
                piece_start = start + lo - self._offsets[k]
                piece_end = min(end, piece_start + hi - lo)
                if stretches and stretches[-1][1] == piece_start:  # never so: a taken token stands between
                    stretches[-1] = (stretches[-1][0], piece_end)
                else:
                    stretches.append((piece_start, piece_end))
                lo += piece_end - piece_start
                k += 1
        return _Leftover(self._text, (), stretches)


def _gaps(taken: Sequence[tuple[int, int]], size: int) -> list[tuple[int, int]]:
    """The stretches (start, end) of [0, size) outside the runs `taken` (start, size)."""
    gaps, at = [], 0
    for start, length in sorted(taken):
        if start > at:
            gaps.append((at, start))
        at = max(at, start + length)
    if at < size:
        gaps.append((at, size))
    return gaps


def aligned_blocks(left: Sequence[str], right: Sequence[str], min_block: int) -> list[tuple[int, int, int]]:
    """Shared passages of two token lists as (index in left, index in right, tokens), in left's order."""
    chars = token_strings({0: left, 1: right})
    return _blocks(chars[0], chars[1], min_block)


def token_chars(text: str, cfg: DedupConfig) -> str:
    """The tokens of `match_key(text)` as one character each, for rapidfuzz (which aligns strings fastest).

    A token's character comes from 20 bits of its seeded 64-bit hash: two different words of a
    pair share one with odds of about one in a million per pair of words, which can at most bridge
    a one-word gap between shared passages (a passage needs `min_block` equal tokens in a row).
    """
    return _as_chars(token_hashes(text, cfg.seed))


def as_token_chars(hashes: np.ndarray) -> str:
    """Token hashes (`token_hashes`) as the characters `verify_batch` aligns."""
    return _as_chars(hashes)


def token_chars_batch(texts: Sequence[str], cfg: DedupConfig) -> list[str]:
    """`token_chars` of many texts, computed together."""
    return list(map(_as_chars, token_hashes_batch(texts, cfg.seed)))


def shared_runs(chars_a: str, chars_b: str, cfg: DedupConfig) -> list[tuple[int, int, int]]:
    """The shared passages (i in a, j in b, tokens) of two token-character strings, as verification finds them."""
    return _blocks(chars_a, chars_b, cfg.min_block)


def _as_chars(hashes: np.ndarray) -> str:
    """Token hashes as one character each (20 of their bits), as rapidfuzz aligns strings fastest."""
    chars: bytes = ((hashes >> np.uint64(44)) + np.uint64(_FIRST_CHAR)).astype(np.uint32).tobytes()
    return chars.decode("utf-32-le")


# an excerpt found as the opening of a story below other text in a page: at least this many words in one run,
# from at most this many words below the story's top, and more than that below the page's
_OPENING_WORDS = 80
_OPENING_GAP = 12

# per side: which tokens stand in quotation marks (narrative.quoted_mask, or its runs: narrative.unquoted)
Quotes = Callable[[], tuple[np.ndarray | Unquoted | None, np.ndarray | Unquoted | None]]


def _judge_chars(chars_a: str, chars_b: str, keys: Callable[[], tuple[str, str]],
                 cfg: DedupConfig, quotes: Quotes | None = None) -> tuple[str | None, float, float]:
    """The verdict on two texts that are not exact duplicates, from their token characters.

    With `quotes` (which tokens of each stand in quotation marks), a pair whose shared passages are
    mostly quotations is no duplicate.
    """
    relation, similarity, containment, _ = aligned_verdict(chars_a, chars_b, keys, cfg, quotes)
    return relation, similarity, containment


def aligned_verdict(chars_a: str, chars_b: str, keys: Callable[[], tuple[str, str]], cfg: DedupConfig,
                    quotes: Quotes | None = None) -> tuple[str | None, float, float, list[tuple[int, int, int]]]:
    """`_judge_chars`'s verdict and the shared passages (i, j, tokens) it was judged from."""
    if not chars_a or not chars_b:
        return None, 0.0, 0.0, []
    blocks = _blocks(chars_a, chars_b, cfg.min_block)
    shared = sum(size for _, _, size in blocks)
    similarity = 2 * shared / (len(chars_a) + len(chars_b))
    containment = shared / min(len(chars_a), len(chars_b))
    if min(len(chars_a), len(chars_b)) < cfg.short_words:
        # too little text to trust shared passages: only near-exact text (a typo or two) matches,
        # or a short text found whole in a longer one (a teaser, or a story in a digest)
        similarity = Indel.normalized_similarity(*keys())
        if similarity >= cfg.short_similarity:
            return "near-duplicate", similarity, containment, blocks
        return _short_inside(blocks, len(chars_a), len(chars_b), cfg), similarity, containment, blocks
    opening = False
    if similarity >= cfg.near_threshold:
        relation: str | None = "near-duplicate"
    elif containment >= cfg.excerpt_threshold:
        relation = "excerpt"
    elif opening := _opening_inside(blocks, len(chars_a), len(chars_b), cfg):
        relation = "excerpt"
    elif is_update(blocks, len(chars_a), len(chars_b), cfg):
        relation = UPDATE
    else:
        return None, similarity, containment, blocks
    if quotes is not None:
        quoted_a, quoted_b = quotes()
        if quoted_a is not None and quoted_b is not None:  # else the quotes could not be placed: keep the verdict
            evidence = narrative(blocks, quoted_a, quoted_b)
            # an opening found below other text: its own words, not quotations, make it the story's
            if not (evidence.shared_a >= cfg.narrative_share * shared if opening
                    else is_narrative_copy(evidence, cfg.narrative_share)):
                return None, similarity, containment, blocks
    return relation, similarity, containment, blocks


def _opening_inside(blocks: Sequence[tuple[int, int, int]], len_a: int, len_b: int, cfg: DedupConfig) -> bool:
    """Whether one text's opening paragraphs stand whole, in one run, below other text in the other: an excerpt
    of a story placed under a page's own prose (an author's blurb, a glued link list) that the cleaner kept.

    The run starts at the top of the one (a headline's words at most before it), holds at least
    `_OPENING_WORDS` words, and starts below the top of the other: text shared at the top of both (a
    site's blurb above two of its articles) is not enough.
    """
    for story, page in ((0, 1), (1, 0)):
        run = sorted(blocks, key=lambda block: block[story])
        if not run or run[0][story] > _OPENING_GAP or run[0][page] <= _OPENING_GAP:
            continue
        held = run[0][2]
        for before, block in zip(run, run[1:]):
            if not (0 <= block[story] - (before[story] + before[2]) <= cfg.min_block
                    and 0 <= block[page] - (before[page] + before[2]) <= cfg.min_block):
                break
            held += block[2]
        if held >= _OPENING_WORDS:
            return True
    return False


UPDATE = "update"  # a version of a story with a new top: its body kept, text added or cut after it
UPDATE_SHARE = 0.5  # share of the shorter version its kept body must hold (half its text)


def is_update(blocks: Sequence[tuple[int, int, int]], len_a: int, len_b: int, cfg: DedupConfig) -> bool:
    """Whether two texts are versions of one story: each has a top of its own (more than `min_block` words
    before the shared body, most of them not shared), the shared body is one passage holding at least
    UPDATE_SHARE of the shorter, and one of them goes on after it (added or cut paragraphs).

    A passage that ends both texts after different beginnings is a common tail, not a kept body (an "about
    the company" paragraph, a comment thread, a site's footer), and one that starts both is a common head
    (a site's standing paragraph, or two stories with one lead): neither makes an update.
    """
    if not blocks:
        return False
    i, j, size = max(blocks, key=lambda block: (block[2], -block[0]))
    if size < UPDATE_SHARE * min(len_a, len_b):
        return False
    # a top of its own: at least min_block words before the body, most of them found only in that text
    shared_before_a = sum(n for x, _, n in blocks if x < i)
    shared_before_b = sum(n for _, y, n in blocks if y < j)
    own_tops = i - shared_before_a > max(cfg.min_block, i / 2) and j - shared_before_b > max(cfg.min_block, j / 2)
    return own_tops and max(len_a - i - size, len_b - j - size) >= cfg.min_block


def _short_inside(blocks: Sequence[tuple[int, int, int]], len_a: int, len_b: int, cfg: DedupConfig) -> str | None:
    """The relation of a short text (under `short_words`) to a longer one that holds it whole in one passage:
    "excerpt" when it stands at the top (a teaser: a story's first sentences, a headline at most before
    them), "contained-in" elsewhere (a story in a digest: reported, never clustered); else None."""
    short_is_a = len_a <= len_b
    short = len_a if short_is_a else len_b
    if short < cfg.teaser_words or len(blocks) != 1 or blocks[0][2] < short:
        return None
    start = blocks[0][1] if short_is_a else blocks[0][0]
    return "excerpt" if start <= min(short, cfg.teaser_words) else "contained-in"  # a headline at most before it


def excerpt_length_limit(cfg: DedupConfig) -> float:
    """How much shorter than its partner a copy must be to be called its excerpt: near/(2 - near), 2/3 by default.

    A text wholly contained in another of at least this share of its length already has similarity
    >= --near-threshold, so "excerpt" is left for copies that even whole would not be near-duplicates.
    """
    return cfg.near_threshold / (2 - cfg.near_threshold)


def directed_relation(relation: str, partner_length: int, member_length: int, cfg: DedupConfig) -> str:
    """A pair's relation as the label of `member` listed under `partner` (lengths in word characters).

    A containment match ("excerpt" from `judge`) is an `excerpt` when the member is clearly the shorter
    side, `extends` when it is clearly the longer (it holds its partner and more, as the full article
    listed under its excerpt with --keep shortest), and else a `near-duplicate` of about the same length.
    """
    if relation != "excerpt":
        return relation
    limit = excerpt_length_limit(cfg)
    if member_length <= limit * partner_length:
        return "excerpt"
    if partner_length <= limit * member_length:
        return "extends"
    return "near-duplicate"


def judge(key_a: str, key_b: str, cfg: DedupConfig) -> tuple[str | None, float, float]:
    """(relation or None, similarity, containment) of two match keys (or texts).

    Similarity is the share of both texts in shared passages (runs of `min_block` words, found
    in order, then among the leftovers, so moved paragraphs count); containment is the share of
    the smaller text in them.
    """
    if key_a == key_b and key_a:
        return "exact", 1.0, 1.0
    return _judge_chars(token_chars(key_a, cfg), token_chars(key_b, cfg), lambda: (key_a, key_b), cfg)


def verify(text_a: str, text_b: str, cfg: DedupConfig) -> tuple[str | None, float, float]:
    """(relation or None, similarity, containment) of two clean texts (quotations alone make no duplicate)."""
    key_a, key_b = match_key(text_a), match_key(text_b)
    if key_a == key_b and key_a:
        return "exact", 1.0, 1.0
    chars_a, chars_b = token_chars(key_a, cfg), token_chars(key_b, cfg)
    return _judge_chars(chars_a, chars_b, lambda: (key_a, key_b), cfg,
                        lambda: (quoted_mask(text_a, len(chars_a)), quoted_mask(text_b, len(chars_b))))


def verify_batch(batch: tuple[Sequence[tuple[int, int]], Mapping[int, str] | Any], cfg: DedupConfig) -> list[Match]:
    """The verified matches among one batch of candidate pairs, given the texts of their documents.

    A top-level function of (item, state), so an engine can run batches in worker processes.
    """
    pairs, texts = batch
    if not isinstance(texts, Mapping):  # where to read them (a worker on the machine that holds them)
        texts = texts.load()
    judge = PairJudge(texts, cfg)
    return [match for a, b in pairs if (match := judge(a, b)) is not None]


class PairJudge:
    """Verdicts on pairs among one batch's texts, asked one at a time (each text tokenised once);
    `alignments` counts the pairs judged."""

    def __init__(self, texts: Mapping[int, str], cfg: DedupConfig) -> None:
        self._texts = texts
        self._cfg = cfg
        self._chars = dict(zip(texts, map(_as_chars, token_hashes_batch(list(texts.values()), cfg.seed))))
        # a text's tokens outside quotation marks, found once when first needed
        self._unquoted: dict[int, Unquoted | None] = {}
        self.alignments = 0

    def _quoted(self, i: int) -> Unquoted | None:
        if i not in self._unquoted:
            mask = quoted_mask(self._texts[i], len(self._chars[i]))
            self._unquoted[i] = None if mask is None else unquoted(mask)
        return self._unquoted[i]

    def __call__(self, a: int, b: int) -> Match | None:
        """The match of documents a and b (a < b), or None; shared quotations alone are no match."""
        texts = self._texts
        self.alignments += 1
        relation, similarity, containment = _judge_chars(
            self._chars[a], self._chars[b], lambda: (match_key(texts[a]), match_key(texts[b])), self._cfg,
            lambda: (self._quoted(a), self._quoted(b)))
        return None if relation is None else Match(a, b, relation, round(similarity, 4), round(containment, 4))
