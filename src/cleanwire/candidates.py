"""Candidate pairs: documents sharing enough fingerprints (or the same exact hash), found bucket by bucket."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from cleanwire.config import DedupConfig
from cleanwire.signatures import (
    Signature,
    Signatures,
    SignatureStore,
    fingerprint_buckets,
    packed_keys,
    signature_columns,
)

TaskMap = Callable[[Callable[[Any, Any], Any], Iterable[Any], Any], Iterable[Any]]  # an engine's ordered map
_PAIR_SHIFT = np.uint64(32)


class PairCodes:
    """Pairs (a, b) of document ordinals, each packed in one uint64 as a << 32 | b, so sorting the codes sorts
    the pairs by (a, b) and a set of pairs is one flat array. Only this class knows the packing."""

    @staticmethod
    def pack(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The codes of the pairs (a[i], b[i])."""
        codes: np.ndarray = (a.astype(np.uint64) << _PAIR_SHIFT) | b.astype(np.uint64)
        return codes

    @staticmethod
    def pack_into(out: np.ndarray, a: np.ndarray, b: np.ndarray) -> None:
        """Write the codes of the pairs (a[i], b[i]) into `out` (uint64) with no temporary array of codes."""
        np.left_shift(a.astype(np.uint64), _PAIR_SHIFT, out=out)
        out |= b

    @staticmethod
    def firsts(codes: np.ndarray) -> np.ndarray:
        """The first ordinal (a) of each pair, as uint64."""
        firsts: np.ndarray = codes >> _PAIR_SHIFT
        return firsts

    @staticmethod
    def unpack(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(a, b) of every pair, as int64 arrays."""
        return (codes >> _PAIR_SHIFT).astype(np.int64), (codes & np.uint64(0xFFFFFFFF)).astype(np.int64)


_CHUNK = 1 << 22  # elements per step over large arrays: bounds the temporary arrays
_FEW = 3  # shared fingerprints that make a pair worth verifying whatever its share
_ANCHORS = 4  # first documents of a too-big fingerprint group that every other member is linked to


def _ranges(starts: np.ndarray, sizes: np.ndarray, dtype: type = np.int64) -> np.ndarray:
    """Concatenation of arange(start, start + size) for every group, vectorised."""
    total = int(sizes.sum())
    firsts: np.ndarray = np.repeat((starts - np.concatenate(([0], np.cumsum(sizes)[:-1]))).astype(dtype), sizes)
    firsts += np.arange(total, dtype=dtype)
    return firsts


def _pair_codes(docs: np.ndarray, starts: np.ndarray, sizes: np.ndarray, max_all: int) -> np.ndarray:
    """Pair codes (a < b), one per fingerprint two documents share.

    Groups (documents sharing one fingerprint, sorted) of up to `max_all` give all their pairs;
    larger ones, boilerplate or a story copied very often, link each document to the next and to
    the group's first `_ANCHORS` documents, so the work stays linear. The anchors are what makes a
    heavily copied story one cluster: the next document differs from one fingerprint to the next
    (each edited copy lacks some), so a chain pair rarely gathers `min_shared` fingerprints, while the
    first copies of a story head most of its fingerprints' groups and gather them all.
    """
    big = sizes > max_all
    big_starts, big_sizes = starts[big], sizes[big]
    anchored = [np.maximum(big_sizes - j - 2, 0) for j in range(_ANCHORS)]  # per anchor j: docs after j + 1
    total = int((sizes * (sizes - 1) // 2)[~big].sum() + (big_sizes - 1).sum() + sum(int(a.sum()) for a in anchored))
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
            PairCodes.pack_into(step, docs[at], docs[at + offset])
            filled += len(at)
        offset += 1
    for j, counts in enumerate(anchored):  # anchor j with every document after j + 1 (j + 1 is its chain link)
        later = _ranges(big_starts + j + 2, counts, index)
        anchors = np.repeat((big_starts + j).astype(index), counts)
        for lo in range(0, len(later), _CHUNK):
            step = out[filled:filled + len(later[lo:lo + _CHUNK])]
            PairCodes.pack_into(step, docs[anchors[lo:lo + _CHUNK]], docs[later[lo:lo + _CHUNK]])
            filled += len(step)
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


_BUCKET_HASHES = 1 << 23  # fingerprints per bucket of the candidate search (64 MB of keys)
_FILE_BUCKET_BITS = 4  # a fingerprint file holds 16 buckets: enough for a million documents in small tasks


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
    buckets = fingerprint_buckets(batch.hashes, _FILE_BUCKET_BITS).astype(np.uint8)  # 8 bits: a radix sort
    order = np.argsort(buckets, kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(buckets, minlength=1 << _FILE_BUCKET_BITS))))
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

    def bucket_pairs(self, keys: np.ndarray) -> list[np.ndarray]:
        """The step of both strategies: the pair codes of one bucket's keys, one array per file."""
        docs, starts, group_sizes = _shared_groups(keys, self.doc_bits, len(self.included))
        del keys
        codes = _pair_codes(docs, starts, group_sizes, self.max_all)
        if not self.bits:
            return [codes]
        files = PairCodes.firsts(codes) & np.uint64((1 << self.bits) - 1)
        return [codes[files == f] for f in range(1 << self.bits)]

    def piece(self, task: int, file: int) -> str:
        """Where a worker leaves the pairs of one task that belong in one file."""
        return os.path.join(self.directory, f"pairs-{task}-{file}.u64")


def _shared_counts(store: SignatureStore, included: np.ndarray, max_all: int, at_least: int,
                   tasks: TaskMap | None = None,
                   shared: SharedFingerprints | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes of documents sharing at least `at_least` fingerprints, and how many.

    The fingerprints are taken in buckets, one bucket at a time, so the search never holds a copy
    of every fingerprint (at a million documents, hundreds of megabytes less). A bucket's pairs are
    filed by their first document, so every shared fingerprint of a pair lands in the same file and
    the counting is exact. With `tasks` (an engine's map) and the `shared` fingerprint
    files, the workers search ranges of buckets, then count the files.
    """
    n = len(store)
    doc_bits = max(1, (n - 1).bit_length())
    total = int(store.column("size")[included].sum())
    bits = min(_FILE_BUCKET_BITS, max(0, (total // _BUCKET_HASHES).bit_length()))
    if tasks is not None and shared is not None:
        bits = min(_FILE_BUCKET_BITS, max(bits, (shared.workers - 1).bit_length()))  # a task for every worker
        found = _search_in_workers(_Search(included, bits, doc_bits, max_all, at_least), tasks, shared)
    else:
        found = _search_in_memory(_Search(included, bits, doc_bits, max_all, at_least), store)
    return np.concatenate([values for values, _ in found]), np.concatenate([counts for _, counts in found])


def _search_in_memory(search: _Search, store: SignatureStore) -> list[tuple[np.ndarray, np.ndarray]]:
    """Every bucket's keys from the store, its pairs filed in memory; then each file counted."""
    filed: list[list[np.ndarray]] = [[] for _ in range(1 << search.bits)]
    for bucket in range(1 << search.bits):
        keys = store.bucket_keys(bucket, search.bits, search.doc_bits, search.included)
        for f, piece in enumerate(search.bucket_pairs(keys)):
            filed[f].append(piece)
    found = []
    for f in range(1 << search.bits):
        codes = np.concatenate(filed[f]) if filed[f] else np.empty(0, dtype=np.uint64)
        filed[f] = []
        found.append(_repeated(codes, search.at_least))
    return found


def _search_in_workers(search: _Search, tasks: TaskMap, shared: SharedFingerprints) -> list[tuple[np.ndarray,
                                                                                                   np.ndarray]]:
    """The workers take ranges of buckets from the fingerprint files, their pairs filed on disk; then they
    count the files."""
    folder = tempfile.mkdtemp(prefix="search-", dir=shared.directory)
    try:
        search = replace(search, directory=folder, files=tuple(shared.files))
        for _ in tasks(_search_task, range(1 << search.bits), search):
            pass
        for file in shared.files:  # read once: the disk they take is free again
            os.unlink(file.path)
        return list(tasks(_count_file, range(1 << search.bits), search))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _search_task(task: int, search: _Search) -> None:
    """A worker's task: file the pairs of one range of buckets, read from every part's fingerprint file."""
    width = (1 << _FILE_BUCKET_BITS) >> search.bits
    keys = []
    for file in search.files:
        hashes, docs = _read_buckets(file, task * width, (task + 1) * width)
        keep = search.included[docs]
        keys.append(packed_keys(hashes[keep], docs[keep], search.doc_bits))
    for f, piece in enumerate(search.bucket_pairs(np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64))):
        piece.tofile(search.piece(task, f))


def _count_file(file: int, search: _Search) -> tuple[np.ndarray, np.ndarray]:
    """A worker's task: the pairs of one file that share at least `at_least` fingerprints, and how many."""
    paths = [search.piece(task, file) for task in range(1 << search.bits)]
    codes = np.concatenate([np.fromfile(path, dtype=np.uint64) for path in paths])
    for path in paths:
        os.unlink(path)
    return _repeated(codes, search.at_least)


def candidate_codes(signatures: Sequence[Signature], cfg: DedupConfig, tasks: TaskMap | None = None,
                    shared: SharedFingerprints | None = None) -> np.ndarray:
    """Pairs worth verifying, as sorted `PairCodes` (a < b): the same exact hash, or enough shared
    fingerprints.

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
    words, exact, all_sizes = signature_columns(signatures)
    first_of = _first_of_same(exact)
    pairs: list[np.ndarray] = []
    dup = (first_of != np.arange(n)) & (words > 0)
    if dup.any():
        pairs.append(PairCodes.pack(first_of[dup], np.flatnonzero(dup)))
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
        a, b = PairCodes.unpack(codes)
        smaller = np.minimum(count_of[a], count_of[b])
        strong = (hits >= cfg.min_estimate * smaller) | ((hits >= _FEW) & (smaller < cfg.max_hashes))
        # a short text keeps every window, a long one only its anchors: a teaser copied from a long text
        # shares just the few anchors of that stretch, which min_shared of them must be enough for
        strong |= np.minimum(words[a], words[b]) < cfg.short_words
        pairs.append(codes[strong])
    return np.unique(np.concatenate(pairs)) if pairs else np.empty(0, dtype=np.uint64)


def _first_of_same(exact: np.ndarray) -> np.ndarray:
    """Per document, the first document with its exact hash (itself when none comes before)."""
    n = len(exact)
    order = np.lexsort((np.arange(n), exact))
    same = np.concatenate(([False], exact[order][1:] == exact[order][:-1]))
    first_of = np.empty(n, dtype=np.int64)
    first_of[order] = order[np.maximum.accumulate(np.where(same, 0, np.arange(n)))]
    return first_of
