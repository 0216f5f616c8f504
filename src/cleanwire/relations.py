"""Each duplicate against its story's canonical: the relation, which side holds which, each side's share
in the passages they share, and (on request) the passages only one side has.

The match stage verifies candidate pairs; a member of a cluster may have joined it through another
member, so how it matched says little about its canonical. Once the clusters are known, each
duplicate is aligned once with its canonical (linear in the documents), and its record tells that.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleanwire.cluster import Cluster
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import classify_codes, match_key, token_hashes_batch, token_spans
from cleanwire.verify import Match, aligned_verdict, as_token_chars, directed_relation

PASSAGE_CHARS = 300  # a one-sided passage is shown up to this many characters ("..." marks a cut)
PASSAGES = 20  # one-sided passages shown per side at most (the count of all is given)


@dataclass(slots=True, frozen=True)
class Evidence:
    """How one duplicate relates to its canonical (a = canonical, b = duplicate, as in a cluster's Match)."""

    a: int  # the canonical
    b: int  # the duplicate
    relation: str | None  # as `judge` labels the pair (None: they do not match each other, only through `via`)
    similarity: float
    containment: float
    share_a: float  # share of the canonical's words in passages shared with the duplicate
    share_b: float  # share of the duplicate's words in them
    only_a: tuple[str, ...] = ()  # passages only the canonical has (with passages asked for)
    only_b: tuple[str, ...] = ()
    only_counts: tuple[int, int] = (0, 0)  # how many one-sided passages each side has in all

    def __reduce__(self) -> tuple[Any, ...]:
        return Evidence, (self.a, self.b, self.relation, self.similarity, self.containment, self.share_a,
                          self.share_b, self.only_a, self.only_b, self.only_counts)


def holder(share_canonical: float, share_duplicate: float, cfg: DedupConfig) -> str | None:
    """Which side holds the other: "canonical" (the duplicate's text is mostly in it), "duplicate", "both",
    or None (neither: they share less than --excerpt-threshold of either)."""
    in_canonical = share_duplicate >= cfg.excerpt_threshold
    in_duplicate = share_canonical >= cfg.excerpt_threshold
    if in_canonical and in_duplicate:
        return "both"
    if in_canonical:
        return "canonical"
    if in_duplicate:
        return "duplicate"
    return None


def relate_batch(batch: tuple[Sequence[tuple[int, int]], Mapping[int, str] | Any],
                 state: tuple[DedupConfig, bool]) -> list[Evidence]:
    """Each (canonical, duplicate) pair of a batch aligned once; texts as `verify_batch` takes them.

    A top-level function of (item, state), so an engine runs batches in its workers.
    """
    cfg, passages = state
    pairs, texts = batch
    if not isinstance(texts, Mapping):
        texts = texts.load()
    chars = dict(zip(texts, map(as_token_chars, token_hashes_batch(list(texts.values()), cfg.seed))))
    spans: dict[int, Spans] = {}
    out = []
    for a, b in pairs:
        keys = _keys(texts[a], texts[b])
        if chars[a] == chars[b] and len(set(keys())) == 1:
            out.append(Evidence(a, b, "exact", 1.0, 1.0, 1.0, 1.0))
            continue
        relation, similarity, containment, blocks = aligned_verdict(chars[a], chars[b], keys, cfg)
        shared = sum(size for _, _, size in blocks)
        share_a = shared / len(chars[a]) if chars[a] else 0.0
        share_b = shared / len(chars[b]) if chars[b] else 0.0
        only: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        counts = (0, 0)
        if passages:
            if a not in spans:  # the canonical's, kept while its duplicates come (they come together)
                spans = {a: _token_spans(texts[a])}
            only, counts = _one_sided(spans[a], _token_spans(texts[b]), len(chars[a]), len(chars[b]), blocks, cfg)
        out.append(Evidence(a, b, relation, round(similarity, 4), round(containment, 4), round(share_a, 4),
                            round(share_b, 4), *only, counts))
    return out


_ASCII_WORD = np.frombuffer(bytes(chr(c).isalnum() for c in range(128)) + bytes(128), dtype=np.uint8)


Spans = tuple[str, np.ndarray, np.ndarray]  # a text (NFKC), where its tokens start and end in it


def _token_spans(text: str) -> Spans:
    """Where `token_spans`'s tokens start and end, by array operations for ASCII text (most texts)."""
    word = np.zeros(len(text) + 2, dtype=bool)
    if text.isascii():
        word[1:-1] = _ASCII_WORD[np.frombuffer(text.encode("ascii"), dtype=np.uint8)] != 0
    else:
        # letters and digits as str.isalnum (what the tokens' pattern matches), unless the text is not in
        # NFKC or is of a script written without spaces (a token per character): those the pattern reads
        inside, spaceless = classify_codes(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
        if spaceless.any() or not unicodedata.is_normalized("NFKC", text):
            text, _, spans = token_spans(text)
            at = np.array(spans, dtype=np.int64).reshape(-1, 2)
            return text, at[:, 0], at[:, 1]
        word[1:-1] = inside
    return text, np.flatnonzero(word[1:-1] & ~word[:-2]), np.flatnonzero(word[1:-1] & ~word[2:]) + 1


def _keys(text_a: str, text_b: str) -> Callable[[], tuple[str, str]]:
    """The two match keys, made only when asked for (short texts are judged on them)."""
    return lambda: (match_key(text_a), match_key(text_b))


def _one_sided(a: Spans, b: Spans, count_a: int, count_b: int, blocks: list[tuple[int, int, int]],
               cfg: DedupConfig) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], tuple[int, int]]:
    """The runs of words each side has outside the shared passages, as text (each cut to PASSAGE_CHARS)."""
    if len(a[1]) != count_a or len(b[1]) != count_b:
        # a rare character whose casefolding is no letter: the shown tokens differ, align them as explain does
        from cleanwire.verify import aligned_blocks

        full_a, full_b = token_spans(a[0]), token_spans(b[0])
        blocks = aligned_blocks(full_a[1], full_b[1], cfg.min_block)
    sides: list[tuple[str, ...]] = []
    counts: list[int] = []
    for side, (text, starts, ends) in enumerate((a, b)):
        used = np.zeros(len(starts), dtype=bool)
        for block in blocks:
            used[block[side]:block[side] + block[2]] = True
        free = np.flatnonzero(~used)
        if not len(free):
            counts.append(0)
            sides.append(())
            continue
        breaks = np.flatnonzero(np.diff(free) > 1)
        firsts = np.concatenate(([free[0]], free[breaks + 1]))
        lasts = np.concatenate((free[breaks], [free[-1]]))
        counts.append(len(firsts))
        shown = []
        for first, last in zip(starts[firsts[:PASSAGES]].tolist(), ends[lasts[:PASSAGES]].tolist()):
            passage = text[first:last]
            shown.append(passage if len(passage) <= PASSAGE_CHARS else passage[:PASSAGE_CHARS].rstrip() + "...")
        sides.append(tuple(shown))
    return (sides[0], sides[1]), (counts[0], counts[1])


_DERIVED_MIN_LENGTH = 400  # word characters: a shorter pair is aligned again (its similarity may be character-level)


def evidence_of_match(match: Match, lengths: Sequence[int]) -> Evidence | None:
    """The evidence of a duplicate verified with its canonical itself, read off that verification: each
    side's share follows from similarity s and containment c (the shorter's share is c, the longer's
    c*s / (2c - s)); None where it must be aligned again (a short pair, whose similarity is by characters)."""
    a, b = match.a, match.b
    if match.relation == "exact":
        return Evidence(a, b, "exact", 1.0, 1.0, 1.0, 1.0)
    s, c = match.similarity, match.containment
    if min(lengths[a], lengths[b]) < _DERIVED_MIN_LENGTH or not 0 < s <= c:
        return None
    longer = round(min(1.0, c * s / (2 * c - s)), 4)
    share_a, share_b = (c, longer) if lengths[a] < lengths[b] else (longer, c)
    return Evidence(a, b, match.relation, s, c, share_a, share_b)


def pairs_to_relate(clusters: Sequence[Cluster], lengths: Sequence[int],
                    passages: bool) -> tuple[list[tuple[int, int]], list[Evidence]]:
    """(canonical, duplicate) for every duplicate that must be aligned with its canonical, cluster by cluster
    (one canonical text per batch where it fits), and the evidence of the others, read off their match with
    the canonical: without `passages`, only members that joined through another member (or short) are aligned."""
    pairs: list[tuple[int, int]] = []
    known: list[Evidence] = []
    for cluster in clusters:
        for m in cluster.members:
            # the same tokens have no one-sided passages: an exact match is never aligned again
            direct = m.a == cluster.canonical and (not passages or m.relation == "exact")
            evidence = evidence_of_match(m, lengths) if direct else None
            if evidence is None:
                pairs.append((cluster.canonical, m.b))
            else:
                known.append(evidence)
    return pairs, known


def batched(pairs: Sequence[tuple[int, int]], size: int,
            load_texts: Callable[[Sequence[int]], Any]) -> Iterator[tuple[list[tuple[int, int]], Any]]:
    """The pairs `size` at a time, each batch with the texts (or where to read them) of its documents."""
    for start in range(0, len(pairs), size):
        batch = list(pairs[start:start + size])
        yield batch, load_texts(sorted({i for pair in batch for i in pair}))


def against_canonical(path: Match, evidence: Evidence, lengths: Sequence[int], cfg: DedupConfig) -> Match:
    """How a duplicate is listed under its canonical: matched with it directly, labelled from its side;
    else (it joined the story through another member) the match on that way, as found."""
    if evidence.relation is None:
        return path
    relation = directed_relation(evidence.relation, lengths[evidence.a], lengths[evidence.b], cfg)
    return Match(evidence.a, evidence.b, relation, evidence.similarity, evidence.containment)
