"""Candidate pairs from an inverted index of fingerprints, each verified with rapidfuzz."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Indel

from cleanwire.config import DedupConfig
from cleanwire.fingerprint import Signature, match_key

RELATIONS = ("exact", "near-duplicate", "excerpt")


@dataclass(slots=True, frozen=True)
class Match:
    """A verified duplicate pair.

    From `find_matches`, a < b are the two documents' ordinals. Inside a `Cluster`, `a` is the
    document that absorbs `b` (the canonical, or the member through which `b` joined it).
    """

    a: int
    b: int
    relation: str  # "exact" | "near-duplicate" | "excerpt"
    similarity: float  # symmetric: share of both texts in aligned shared passages, 0..1
    containment: float  # share of the smaller text found in the larger, 0..1


def _ranges(starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Concatenation of arange(start, start + size) for every group, vectorised."""
    total = int(sizes.sum())
    firsts = np.repeat(starts - np.concatenate(([0], np.cumsum(sizes)[:-1])), sizes)
    return firsts + np.arange(total, dtype=np.int64)


def _pair_codes(docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_all: int) -> np.ndarray:
    """Pair codes (a << 32 | b, a < b), one per fingerprint two documents share.

    Groups (documents sharing one fingerprint, sorted) of up to `max_all` give all their pairs;
    larger ones, boilerplate or a story copied very often, only link each document to the next,
    so the work stays linear: a heavily copied story still ends up as one chain of verified pairs.
    """
    out = []
    positions = _ranges(starts, sizes)
    ends = np.repeat(starts + sizes, sizes)
    big = np.repeat(sizes > max_all, sizes)
    offset = 1
    while len(positions):
        keep = (positions + offset < ends) & (~big | (offset == 1))
        positions, ends, big = positions[keep], ends[keep], big[keep]
        if len(positions):
            out.append((docs[positions].astype(np.uint64) << np.uint64(32)) | docs[positions + offset].astype(np.uint64))
        offset += 1
    return np.concatenate(out) if out else np.empty(0, dtype=np.uint64)


def _count(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values of `codes` (sorted) and how often each occurs."""
    if not len(codes):
        return codes, np.empty(0, dtype=np.int64)
    codes = np.sort(codes)
    boundary = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1], [True])))
    return codes[boundary[:-1]], np.diff(boundary)


def candidate_pairs(signatures: Sequence[Signature], cfg: DedupConfig) -> Iterator[tuple[int, int]]:
    """Pairs (i < j, sorted) worth verifying: the same exact hash, or enough shared fingerprints.

    Exact duplicates are linked to the first document of their group (a star, not all pairs);
    only that first one takes part in the fingerprint index. A pair needs `min_shared` shared
    fingerprints that are also `min_estimate` of the smaller signature, so a shared boilerplate
    paragraph alone does not make two long texts candidates.
    """
    n = len(signatures)
    if n < 2:
        return
    words = np.fromiter((s.words for s in signatures), dtype=np.int64, count=n)
    exact = np.fromiter((s.exact for s in signatures), dtype=np.uint64, count=n)
    order = np.lexsort((np.arange(n), exact))
    same = np.concatenate(([False], exact[order][1:] == exact[order][:-1]))
    first_of = np.empty(n, dtype=np.int64)
    first_of[order] = order[np.maximum.accumulate(np.where(same, 0, np.arange(n)))]
    pairs: list[np.ndarray] = []
    dup = (first_of != np.arange(n)) & (words > 0)
    if dup.any():
        pairs.append((first_of[dup].astype(np.uint64) << np.uint64(32)) | np.flatnonzero(dup).astype(np.uint64))
    representatives = np.flatnonzero((first_of == np.arange(n)) & (words > 0))
    sizes = np.fromiter((len(signatures[i].hashes) for i in representatives.tolist()), dtype=np.int64,
                        count=len(representatives))
    if sizes.sum():
        # one sort of packed (hash high bits | doc) keys: one uint64 per fingerprint in memory
        doc_bits = max(1, (n - 1).bit_length())
        keys = np.concatenate([signatures[i].hashes for i in representatives.tolist()])
        keys >>= np.uint64(doc_bits)
        keys <<= np.uint64(doc_bits)
        keys |= np.repeat(representatives.astype(np.uint64), sizes)
        keys.sort()
        boundary = np.flatnonzero(np.concatenate(([True], (keys[1:] >> np.uint64(doc_bits)) != (keys[:-1] >> np.uint64(doc_bits)), [True])))
        docs = (keys & np.uint64((1 << doc_bits) - 1)).astype(np.int64)
        del keys
        starts, group_sizes = boundary[:-1], np.diff(boundary)
        shared_by_some = group_sizes > 1
        codes, hits = _count(_pair_codes(docs, starts[shared_by_some], group_sizes[shared_by_some], cfg.max_doc_freq))
        del docs
        count_of = np.zeros(n, dtype=np.int64)
        count_of[representatives] = sizes
        a = (codes >> np.uint64(32)).astype(np.int64)
        b = (codes & np.uint64(0xFFFFFFFF)).astype(np.int64)
        smaller = np.minimum(count_of[a], count_of[b])
        strong = (hits >= cfg.min_shared) & (hits >= cfg.min_estimate * smaller)
        pairs.append(codes[strong])
    if not pairs:
        return
    codes = np.unique(np.concatenate(pairs))
    for code in codes.tolist():
        yield code >> 32, code & 0xFFFFFFFF


def aligned_blocks(left: list[str], right: list[str], min_block: int, passes: int = 3) -> list[tuple[int, int, int]]:
    """Shared runs (i, j, size) of at least `min_block` tokens, sorted; later passes find moved passages."""
    blocks: list[tuple[int, int, int]] = []
    left_index, right_index = list(range(len(left))), list(range(len(right)))
    for _ in range(passes):
        if not left_index or not right_index:
            break
        a = [left[i] for i in left_index]
        b = [right[j] for j in right_index]
        found = [m for m in Indel.opcodes(a, b).as_matching_blocks() if m.size >= min_block]
        if not found:
            break
        used_a: set[int] = set()
        used_b: set[int] = set()
        for m in found:
            # a run is shared only if it is contiguous in both original texts
            start = 0
            while start < m.size:
                end = start + 1
                while (end < m.size and left_index[m.a + end] == left_index[m.a + end - 1] + 1
                       and right_index[m.b + end] == right_index[m.b + end - 1] + 1):
                    end += 1
                if end - start >= min_block:
                    blocks.append((left_index[m.a + start], right_index[m.b + start], end - start))
                start = end
            used_a.update(range(m.a, m.a + m.size))
            used_b.update(range(m.b, m.b + m.size))
        left_index = [i for k, i in enumerate(left_index) if k not in used_a]
        right_index = [j for k, j in enumerate(right_index) if k not in used_b]
    blocks.sort()
    return blocks


def scores(key_a: str, key_b: str, cfg: DedupConfig) -> tuple[float, float]:
    """(similarity, containment) of two match keys from their aligned shared passages."""
    a, b = key_a.split(), key_b.split()
    if not a or not b:
        return 0.0, 0.0
    if a == b:
        return 1.0, 1.0
    shared = sum(size for _, _, size in aligned_blocks(a, b, cfg.min_block))
    return 2 * shared / (len(a) + len(b)), shared / min(len(a), len(b))


def judge(key_a: str, key_b: str, cfg: DedupConfig) -> tuple[str | None, float, float]:
    """(relation or None, similarity, containment) of two match keys."""
    if not key_a or not key_b:
        return None, 0.0, 0.0
    if key_a == key_b:
        return "exact", 1.0, 1.0
    similarity, containment = scores(key_a, key_b, cfg)
    if min(key_a.count(" "), key_b.count(" ")) + 1 < cfg.short_words:
        # too little text to trust shared passages: only near-exact text (a typo or two) matches
        similarity = Indel.normalized_similarity(key_a, key_b)
        return ("near-duplicate" if similarity >= cfg.short_similarity else None), similarity, containment
    if similarity >= cfg.near_threshold:
        return "near-duplicate", similarity, containment
    if containment >= cfg.excerpt_threshold:
        return "excerpt", similarity, containment
    return None, similarity, containment


def verify(text_a: str, text_b: str, cfg: DedupConfig) -> tuple[str | None, float, float]:
    """(relation or None, similarity, containment) of two clean texts."""
    return judge(match_key(text_a), match_key(text_b), cfg)


def find_matches(
    signatures: Sequence[Signature],
    load_texts: Callable[[Sequence[int]], Mapping[int, str]],
    cfg: DedupConfig,
) -> list[Match]:
    """Verified matches among all documents, in (a, b) order; texts are loaded one batch at a time."""
    matches: list[Match] = []
    batch: list[tuple[int, int]] = []

    def flush() -> None:
        texts = load_texts(sorted({i for pair in batch for i in pair}))
        keys = {i: match_key(t) for i, t in texts.items()}
        for a, b in batch:
            relation, similarity, containment = judge(keys[a], keys[b], cfg)
            if relation is not None:
                matches.append(Match(a, b, relation, round(similarity, 4), round(containment, 4)))
        batch.clear()

    for a, b in candidate_pairs(signatures, cfg):
        sa, sb = signatures[a], signatures[b]
        if sa.exact == sb.exact:
            matches.append(Match(a, b, "exact", 1.0, 1.0))
            continue
        batch.append((a, b))
        if len(batch) >= cfg.batch_pairs:
            flush()
    if batch:
        flush()
    matches.sort(key=lambda m: (m.a, m.b))
    return matches
