"""Candidate pairs from an inverted index of fingerprints, each verified with rapidfuzz."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz.distance import Indel

from cleanwire.config import DedupConfig
from cleanwire.fingerprint import (Signature, Signatures, SignatureStore, fingerprint_buckets, match_key, packed_keys,
                                   token_hashes, token_hashes_batch)

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
    similarity: float  # symmetric: share of both texts in aligned shared passages, 0..1 (4 decimals)
    containment: float  # share of the smaller text found in the larger, 0..1 (4 decimals)

    def __reduce__(self) -> tuple[type[Match], tuple[int, int, str, float, float]]:
        # a tuple of fields: a third of the default for slots, and workers send tens of thousands
        return Match, (self.a, self.b, self.relation, self.similarity, self.containment)


_CHUNK = 1 << 22  # elements per step over large arrays: bounds the temporary arrays
_FEW = 3  # shared fingerprints that make a pair worth verifying whatever its share


def _ranges(starts: np.ndarray, sizes: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """Concatenation of arange(start, start + size) for every group, vectorised."""
    total = int(sizes.sum())
    firsts: np.ndarray = np.repeat((starts - np.concatenate(([0], np.cumsum(sizes)[:-1]))).astype(dtype), sizes)
    firsts += np.arange(total, dtype=dtype)
    return firsts


def _pair_codes(docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_all: int) -> np.ndarray:
    """Pair codes (a << 32 | b, a < b), one per fingerprint two documents share.

    Groups (documents sharing one fingerprint, sorted) of up to `max_all` give all their pairs;
    larger ones, boilerplate or a story copied very often, only link each document to the next,
    so the work stays linear: a heavily copied story still ends up as one chain of verified pairs.
    """
    big = sizes > max_all
    total = int((sizes * (sizes - 1) // 2)[~big].sum() + (sizes - 1)[big].sum())
    out = np.empty(total, dtype=np.uint64)
    index = np.int32 if len(docs) < 1 << 31 else np.int64
    positions = _ranges(starts, sizes, index)
    ends = np.repeat((starts + sizes).astype(index), sizes)
    in_big = np.repeat(big, sizes)
    filled, offset = 0, 1
    while len(positions):
        keep = (positions + offset < ends) & (~in_big | (offset == 1))
        positions, ends, in_big = positions[keep], ends[keep], in_big[keep]
        for lo in range(0, len(positions), _CHUNK):
            at = positions[lo:lo + _CHUNK]
            step = out[filled:filled + len(at)]
            np.left_shift(docs[at].astype(np.uint64), np.uint64(32), out=step)
            step |= docs[at + offset]
            filled += len(at)
        offset += 1
    return out


def _repeated(codes: np.ndarray, at_least: int) -> tuple[np.ndarray, np.ndarray]:
    """Values occurring at least `at_least` times in `codes` (sorted in place), and their counts."""
    if not len(codes):
        return codes, np.empty(0, dtype=np.int64)
    codes.sort()
    if at_least > 1:
        # most pairs share one fingerprint by chance: keep only members of repeated runs
        equal = codes[1:] == codes[:-1]
        in_run = np.zeros(len(codes), dtype=bool)
        in_run[1:] = equal
        in_run[:-1] |= equal
        del equal
        codes = codes[in_run]
        del in_run
        if not len(codes):
            return codes, np.empty(0, dtype=np.int64)
    boundary = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1], [True])))
    values, counts = codes[boundary[:-1]], np.diff(boundary)
    keep = counts >= at_least
    return values[keep], counts[keep]


def _shared_groups(keys: np.ndarray, doc_bits: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The documents of every fingerprint that two or more documents share, grouped.

    `keys` are packed (fingerprint high bits | document), one per fingerprint; they are sorted in
    place. Returns (docs, starts, sizes): group g is docs[starts[g]:starts[g] + sizes[g]], sorted.
    The rest is done in chunks, so the peak is about twice the keys' own size.
    """
    keys.sort()
    same = np.zeros(len(keys) + 1, dtype=bool)  # same[i]: key i has the fingerprint of key i - 1
    below = np.uint64(1 << doc_bits)  # equal high bits: the two keys differ only in their document bits
    step = 1 << 16  # small steps: the temporaries stay in the CPU caches
    for lo in range(1, len(keys), step):
        hi = min(len(keys), lo + step)
        np.less(keys[lo:hi] ^ keys[lo - 1:hi - 1], below, out=same[lo:hi])
    member = same[:-1] | same[1:]
    shared = keys[member]
    shared &= np.uint64((1 << doc_bits) - 1)
    docs = shared.astype(np.uint32 if n < 1 << 32 else np.int64)
    del shared
    starts = np.flatnonzero(~same[:-1][member])
    group_sizes = np.diff(np.append(starts, len(docs)))
    return docs, starts, group_sizes


TaskMap = Callable[[Callable[[Any, Any], Any], Iterable[Any], Any], Iterable[Any]]  # an engine's ordered map
_BUCKET_HASHES = 1 << 23  # fingerprints per bucket of the candidate search (64 MB of keys)
FILE_BUCKET_BITS = 4  # a fingerprint file holds 16 buckets: enough for a million documents in small tasks


@dataclass(frozen=True)
class FingerprintFile:
    """One part's fingerprints, written by the worker that signed the part, ordered by bucket."""

    path: str
    bounds: tuple[int, ...]  # bucket b is fingerprints bounds[b]:bounds[b + 1]
    base: int = 0  # the signature store's index of the part's first document (the main process knows it)


@dataclass(frozen=True)
class SharedFingerprints:
    """The fingerprint files of every part, in a folder the `workers` processes share: with them,
    the workers run the candidate search."""

    directory: str
    files: list[FingerprintFile]
    workers: int


def write_fingerprints(directory: str, batch: Signatures) -> FingerprintFile:
    """Write a part's fingerprints to a file in `directory`: the hashes by bucket, then their documents."""
    docs = np.repeat(np.arange(len(batch), dtype=np.uint32), batch.sizes)
    buckets = fingerprint_buckets(batch.hashes, FILE_BUCKET_BITS).astype(np.uint8)  # 8 bits: a radix sort
    order = np.argsort(buckets, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(buckets, minlength=1 << FILE_BUCKET_BITS))))
    handle, path = tempfile.mkstemp(suffix=".fingerprints", dir=directory)
    with os.fdopen(handle, "wb") as f:
        f.write(batch.hashes[order].tobytes())
        f.write(docs[order].tobytes())
    return FingerprintFile(path, tuple(bounds.tolist()))


def _read_buckets(file: FingerprintFile, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """(hashes, store indices) of buckets lo..hi-1 of one part's file."""
    start, end, total = file.bounds[lo], file.bounds[hi], file.bounds[-1]
    with open(file.path, "rb") as f:
        f.seek(start * 8)
        hashes = np.fromfile(f, dtype=np.uint64, count=end - start)
        f.seek(total * 8 + start * 4)
        docs = np.fromfile(f, dtype=np.uint32, count=end - start)
    return hashes, docs.astype(np.uint64) + np.uint64(file.base)


@dataclass(frozen=True)
class _Search:
    """One candidate search: fingerprints taken in buckets, pairs filed by the low `bits` bits of their
    first document (one of 2**bits files: about the same share of pairs in each)."""

    included: np.ndarray  # per document: does it take part
    bits: int
    doc_bits: int
    max_all: int
    at_least: int
    directory: str = ""  # with workers: where the filed pairs go
    files: tuple[FingerprintFile, ...] = ()

    def pairs(self, keys: np.ndarray) -> list[np.ndarray]:
        """The pair codes of one bucket's keys, one array per file."""
        docs, starts, group_sizes = _shared_groups(keys, self.doc_bits, len(self.included))
        del keys
        codes = _pair_codes(docs, starts, group_sizes, self.max_all)
        if not self.bits:
            return [codes]
        files = (codes >> np.uint64(32)) & np.uint64((1 << self.bits) - 1)
        return [codes[files == f] for f in range(1 << self.bits)]

    def piece(self, task: int, file: int) -> str:
        """Where a worker leaves the pairs of one task that belong in one file."""
        return os.path.join(self.directory, f"pairs-{task}-{file}.u64")


def _search_task(task: int, search: _Search) -> None:
    """A worker's task: file the pairs of one range of buckets, read from every part's fingerprint file."""
    width = (1 << FILE_BUCKET_BITS) >> search.bits
    keys = []
    for file in search.files:
        hashes, docs = _read_buckets(file, task * width, (task + 1) * width)
        keep = search.included[docs]
        keys.append(packed_keys(hashes[keep], docs[keep], search.doc_bits))
    for f, piece in enumerate(search.pairs(np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64))):
        piece.tofile(search.piece(task, f))


def _count_file(file: int, search: _Search) -> tuple[np.ndarray, np.ndarray]:
    """A worker's task: the pairs of one file that share at least `at_least` fingerprints, and how many."""
    paths = [search.piece(task, file) for task in range(1 << search.bits)]
    codes = np.concatenate([np.fromfile(path, dtype=np.uint64) for path in paths])
    for path in paths:
        os.unlink(path)
    return _repeated(codes, search.at_least)


def _shared_counts(store: SignatureStore, included: np.ndarray, max_all: int, at_least: int,
                   tasks: TaskMap | None = None,
                   shared: SharedFingerprints | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes (a << 32 | b) of documents sharing at least `at_least` fingerprints, and how many.

    The fingerprints are taken in buckets, one bucket at a time, so the search never holds a copy
    of every fingerprint (at a million documents, hundreds of megabytes less). A bucket's pairs are
    filed by their first document, so every shared fingerprint of a pair lands in the same file and
    the counting is exact. With `tasks` (an engine's map) and the `shared` fingerprint
    files, the workers search ranges of buckets, then count the files.
    """
    n = len(store)
    doc_bits = max(1, (n - 1).bit_length())
    total = int(store.column("size")[included].sum())
    bits = min(FILE_BUCKET_BITS, max(0, (total // _BUCKET_HASHES).bit_length()))
    if tasks is not None and shared is not None:
        bits = min(FILE_BUCKET_BITS, max(bits, (shared.workers - 1).bit_length()))  # a task for every worker
        folder = tempfile.mkdtemp(prefix="search-", dir=shared.directory)
        try:
            search = _Search(included, bits, doc_bits, max_all, at_least, folder, tuple(shared.files))
            for _ in tasks(_search_task, range(1 << bits), search):
                pass
            for file in shared.files:  # read once: the disk they take is free again
                os.unlink(file.path)
            found = list(tasks(_count_file, range(1 << bits), search))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        search = _Search(included, bits, doc_bits, max_all, at_least)
        filed: list[list[np.ndarray]] = [[] for _ in range(1 << bits)]
        for bucket in range(1 << bits):
            for f, piece in enumerate(search.pairs(store.bucket_keys(bucket, bits, doc_bits, included))):
                filed[f].append(piece)
        found = []
        for f in range(1 << bits):
            codes = np.concatenate(filed[f]) if filed[f] else np.empty(0, dtype=np.uint64)
            filed[f] = []
            found.append(_repeated(codes, at_least))
    return np.concatenate([values for values, _ in found]), np.concatenate([counts for _, counts in found])


def _columns(signatures: Sequence[Signature]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(words, exact, number of fingerprints) of every signature, as arrays."""
    if isinstance(signatures, SignatureStore):
        return signatures.column("words"), signatures.column("exact"), signatures.column("size")
    n = len(signatures)
    return (np.fromiter((s.words for s in signatures), dtype=np.int64, count=n),
            np.fromiter((s.exact for s in signatures), dtype=np.uint64, count=n),
            np.fromiter((len(s.hashes) for s in signatures), dtype=np.int64, count=n))


def candidate_pairs(signatures: Sequence[Signature], cfg: DedupConfig, tasks: TaskMap | None = None,
                    shared: SharedFingerprints | None = None) -> Iterator[tuple[int, int]]:
    """Pairs (i < j, sorted) worth verifying: see `candidate_codes`."""
    for code in candidate_codes(signatures, cfg, tasks, shared).tolist():
        yield code >> 32, code & 0xFFFFFFFF


def candidate_codes(signatures: Sequence[Signature], cfg: DedupConfig, tasks: TaskMap | None = None,
                    shared: SharedFingerprints | None = None) -> np.ndarray:
    """Pairs worth verifying, as sorted codes i << 32 | j (i < j): the same exact hash, or enough
    shared fingerprints.

    Exact duplicates are linked to the first document of their group (a star, not all pairs);
    only that first one takes part in the fingerprint index. A pair needs `min_shared` shared
    fingerprints that are also `min_estimate` of the smaller signature (or, when the smaller
    signature is not full, at least a few), so a shared boilerplate paragraph alone does not make
    two long texts candidates. Fingerprints in more than `max_doc_freq` documents only link each
    of them to the next, so the work stays linear in the number of documents. With `tasks` and the
    `shared` fingerprint files, workers run the search (see `_shared_counts`).
    """
    n = len(signatures)
    if n < 2:
        return np.empty(0, dtype=np.uint64)
    words, exact, all_sizes = _columns(signatures)
    order = np.lexsort((np.arange(n), exact))
    same = np.concatenate(([False], exact[order][1:] == exact[order][:-1]))
    first_of = np.empty(n, dtype=np.int64)
    first_of[order] = order[np.maximum.accumulate(np.where(same, 0, np.arange(n)))]
    pairs: list[np.ndarray] = []
    dup = (first_of != np.arange(n)) & (words > 0)
    if dup.any():
        pairs.append((first_of[dup].astype(np.uint64) << np.uint64(32)) | np.flatnonzero(dup).astype(np.uint64))
    included = (first_of == np.arange(n)) & (words > 0)
    representatives = np.flatnonzero(included)
    sizes = all_sizes[representatives]
    if sizes.sum():
        store = signatures if isinstance(signatures, SignatureStore) else SignatureStore.of(signatures)
        codes, hits = _shared_counts(store, included, cfg.max_doc_freq, cfg.min_shared, tasks, shared)
        # sampled containment: shared fingerprints over what the smaller signature holds; a
        # smaller signature that is not full may sit in the larger's sparsely kept middle, where
        # a few shared fingerprints are all the evidence there can be
        count_of = np.zeros(n, dtype=np.int64)
        count_of[representatives] = sizes
        smaller = np.minimum(count_of[(codes >> np.uint64(32)).astype(np.int64)],
                             count_of[(codes & np.uint64(0xFFFFFFFF)).astype(np.int64)])
        strong = (hits >= cfg.min_estimate * smaller) | ((hits >= _FEW) & (smaller < cfg.max_hashes))
        pairs.append(codes[strong])
    return np.unique(np.concatenate(pairs)) if pairs else np.empty(0, dtype=np.uint64)


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


def _blocks(left: str, right: str, min_block: int, passes: int = 3) -> list[tuple[int, int, int]]:
    """Shared runs (i, j, size) of at least `min_block` tokens, sorted; later passes find moved passages."""
    if len(left) * len(right) > _MAX_CELLS:
        return _chunked_blocks(left, right, min_block)
    blocks: list[tuple[int, int, int]] = []
    found = [m for m in Indel.opcodes(left, right).as_matching_blocks() if m.size >= min_block]
    blocks.extend((m.a, m.b, m.size) for m in found)
    shared = sum(m.size for m in found)
    if passes < 2 or not found or min(len(left), len(right)) - shared < min_block:
        return blocks
    # moved passages: align what is left over on both sides, then keep only runs that are
    # contiguous in both texts
    left_chars, right_chars = _chars(left), _chars(right)
    used_left = np.zeros(len(left), dtype=bool)
    used_right = np.zeros(len(right), dtype=bool)
    for m in found:
        used_left[m.a:m.a + m.size] = True
        used_right[m.b:m.b + m.size] = True
    index_left, index_right = np.flatnonzero(~used_left), np.flatnonzero(~used_right)
    for _ in range(passes - 1):
        if len(index_left) < min_block or len(index_right) < min_block:
            break
        rest_left = left_chars[index_left].tobytes().decode("utf-32-le")
        rest_right = right_chars[index_right].tobytes().decode("utf-32-le")
        found = [m for m in Indel.opcodes(rest_left, rest_right).as_matching_blocks() if m.size >= min_block]
        if not found:
            break
        keep_left = np.ones(len(index_left), dtype=bool)
        keep_right = np.ones(len(index_right), dtype=bool)
        for m in found:
            keep_left[m.a:m.a + m.size] = False
            keep_right[m.b:m.b + m.size] = False
            at_left, at_right = index_left[m.a:m.a + m.size], index_right[m.b:m.b + m.size]
            cuts = np.flatnonzero((at_left[1:] - at_left[:-1] != 1) | (at_right[1:] - at_right[:-1] != 1)) + 1
            for start, end in zip([0, *cuts.tolist()], [*cuts.tolist(), m.size]):
                if end - start >= min_block:
                    blocks.append((int(at_left[start]), int(at_right[start]), end - start))
        index_left, index_right = index_left[keep_left], index_right[keep_right]
    blocks.sort()
    return blocks


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


def _as_chars(hashes: np.ndarray) -> str:
    """Token hashes as one character each (20 of their bits), as rapidfuzz aligns strings fastest."""
    chars: bytes = ((hashes >> np.uint64(44)) + np.uint64(_FIRST_CHAR)).astype(np.uint32).tobytes()
    return chars.decode("utf-32-le")


def _judge_chars(chars_a: str, chars_b: str, keys: Callable[[], tuple[str, str]],
                 cfg: DedupConfig) -> tuple[str | None, float, float]:
    """The verdict on two texts that are not exact duplicates, from their token characters."""
    if not chars_a or not chars_b:
        return None, 0.0, 0.0
    shared = sum(size for _, _, size in _blocks(chars_a, chars_b, cfg.min_block))
    similarity = 2 * shared / (len(chars_a) + len(chars_b))
    containment = shared / min(len(chars_a), len(chars_b))
    if min(len(chars_a), len(chars_b)) < cfg.short_words:
        # too little text to trust shared passages: only near-exact text (a typo or two) matches
        similarity = Indel.normalized_similarity(*keys())
        return ("near-duplicate" if similarity >= cfg.short_similarity else None), similarity, containment
    if similarity >= cfg.near_threshold:
        return "near-duplicate", similarity, containment
    if containment >= cfg.excerpt_threshold:
        return "excerpt", similarity, containment
    return None, similarity, containment


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
    """(relation or None, similarity, containment) of two clean texts."""
    return judge(match_key(text_a), match_key(text_b), cfg)


def component_roots(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Per node 0..n-1, the smallest node joined to it by the edges a[i]-b[i] (hooking and pointer
    jumping, all nodes at once)."""
    label = np.arange(n)
    while True:
        la, lb = label[a], label[b]
        if np.array_equal(la, lb):
            return label
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)
        np.minimum.at(label, lb, low)
        while not np.array_equal(jumped := label[label], label):
            label = jumped


def _by_component(a: np.ndarray, b: np.ndarray) -> list[tuple[int, int]]:
    """The pairs (a[i], b[i]) ordered by connected component (its smallest document), then by (a, b)."""
    if not len(a):
        return []
    nodes, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    root = nodes[component_roots(ends[:len(a)], ends[len(a):], len(nodes))[ends[:len(a)]]]
    order = np.lexsort((b, a, root))
    return list(zip(a[order].tolist(), b[order].tolist()))


def verify_batch(batch: tuple[Sequence[tuple[int, int]], Mapping[int, str] | Any], cfg: DedupConfig) -> list[Match]:
    """The verified matches among one batch of candidate pairs, given the texts of their documents.

    A top-level function of (item, state), so an engine can run batches in worker processes.
    """
    pairs, texts = batch
    if not isinstance(texts, Mapping):  # where to read them (a worker on the machine that holds them)
        texts = texts.load()
    chars = dict(zip(texts, map(_as_chars, token_hashes_batch(list(texts.values()), cfg.seed))))
    found = []
    for a, b in pairs:
        keys = lambda a=a, b=b: (match_key(texts[a]), match_key(texts[b]))  # noqa: E731
        relation, similarity, containment = _judge_chars(chars[a], chars[b], keys, cfg)
        if relation is not None:
            found.append(Match(a, b, relation, round(similarity, 4), round(containment, 4)))
    return found


def find_matches(
    signatures: Sequence[Signature],
    load_texts: Callable[[Sequence[int]], Mapping[int, str] | Any],
    cfg: DedupConfig,
    map_batches: TaskMap | None = None,
    on_found: Callable[[list[Match]], None] | None = None,
    shared: SharedFingerprints | None = None,
) -> list[Match]:
    """Verified matches among all documents, sorted by (a, b).

    Candidate pairs are verified in batches of `cfg.batch_pairs`; `load_texts` gives the texts of
    one batch at a time, so only those are held (or an object whose `load()` gives them, read
    where the batch is verified). `map_batches(fn, batches, cfg)` (an engine's
    ordered map, e.g. over a process pool) runs the verification; by default it runs here.
    `on_found` is given the matches of each batch as soon as they are verified. With `shared`
    fingerprint files, the candidate search runs on `map_batches` too.
    """
    codes = candidate_codes(signatures, cfg, map_batches, shared)
    a, b = (codes >> np.uint64(32)).astype(np.int64), (codes & np.uint64(0xFFFFFFFF)).astype(np.int64)
    exact = _columns(signatures)[1]
    same = exact[a] == exact[b]
    matches = [Match(i, j, "exact", 1.0, 1.0) for i, j in zip(a[same].tolist(), b[same].tolist())]  # no text needed

    def batches() -> Iterator[tuple[list[tuple[int, int]], Mapping[int, str]]]:
        # pairs of one group of connected candidates go into one batch where they fit, so a
        # text is loaded and tokenised about once rather than once per pair
        for start in range(0, len(pending), cfg.batch_pairs):
            batch = pending[start:start + cfg.batch_pairs]
            yield batch, load_texts(sorted({i for pair in batch for i in pair}))

    pending = _by_component(a[~same], b[~same])

    if on_found is not None:
        on_found(matches)
    run = map_batches or (lambda fn, items, state: (fn(item, state) for item in items))
    for found in run(verify_batch, batches(), cfg):
        matches.extend(found)
        if on_found is not None:
            on_found(found)  # while the workers verify the next batches
    order = np.lexsort((np.fromiter((m.b for m in matches), dtype=np.int64, count=len(matches)),
                        np.fromiter((m.a for m in matches), dtype=np.int64, count=len(matches))))
    return [matches[i] for i in order.tolist()]
