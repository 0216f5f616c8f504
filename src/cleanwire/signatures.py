"""Fingerprint signatures: one document's, a batch's in flat arrays, and a store of many, with its bucket layout."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

_MASK64 = (1 << 64) - 1


@dataclass(slots=True, frozen=True)
class Signature:
    """What the matching stage holds per document instead of its text."""

    hashes: np.ndarray  # sorted unique uint64 sampled fingerprints of the squeezed text
    length: int  # characters of the squeezed text (letters and digits only)
    words: int  # tokens of the match key (a character counts as a token in spaceless scripts)
    exact: int  # 64-bit hash of the match key's code points (exact duplicates after normalisation)



@dataclass(slots=True)
class Signatures:
    """The signatures of a batch of texts in flat arrays: what a worker sends back for a part."""

    hashes: np.ndarray  # uint64: every text's fingerprints, one text after the other
    sizes: np.ndarray  # int64 per text: how many of `hashes` are its
    lengths: np.ndarray  # int64 per text: Signature.length
    words: np.ndarray  # int64 per text: Signature.words
    exact: np.ndarray  # uint64 per text: Signature.exact

    def __len__(self) -> int:
        return len(self.sizes)

    def __getitem__(self, index: int) -> Signature:
        ends = np.cumsum(self.sizes)
        end = int(ends[index])
        return Signature(self.hashes[end - int(self.sizes[index]):end], int(self.lengths[index]),
                         int(self.words[index]), int(self.exact[index]))

    def __iter__(self) -> Iterator[Signature]:
        ends = np.cumsum(self.sizes).tolist()
        for i, end in enumerate(ends):
            yield Signature(self.hashes[end - int(self.sizes[i]):end], int(self.lengths[i]),
                            int(self.words[i]), int(self.exact[i]))


    @classmethod
    def empty(cls) -> Signatures:
        """A batch of no texts."""
        empty = np.empty(0, dtype=np.int64)
        return cls(np.empty(0, dtype=np.uint64), empty, empty, empty, np.empty(0, dtype=np.uint64))

    @classmethod
    def concatenate(cls, parts: Sequence[Signatures]) -> Signatures:
        """Batches one after the other, as one."""
        return cls(*(np.concatenate([getattr(p, name) for p in parts])
                     for name in ("hashes", "sizes", "lengths", "words", "exact")))

    @classmethod
    def interleave(cls, first: Signatures, second: Signatures, at_first: np.ndarray,
                   at_second: np.ndarray) -> Signatures:
        """Two batches as one, their texts at positions `at_first` and `at_second`."""
        n = len(first) + len(second)
        sizes = np.empty(n, dtype=np.int64)
        sizes[at_first], sizes[at_second] = first.sizes, second.sizes
        starts = np.empty(n, dtype=np.int64)
        starts[at_first] = np.cumsum(first.sizes) - first.sizes
        starts[at_second] = np.cumsum(second.sizes) - second.sizes + len(first.hashes)
        pool = np.concatenate((first.hashes, second.hashes))
        index = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes) + np.arange(int(sizes.sum()))
        columns = []
        for name in ("lengths", "words", "exact"):
            column = np.empty(n, dtype=getattr(first, name).dtype)
            column[at_first], column[at_second] = getattr(first, name), getattr(second, name)
            columns.append(column)
        return cls(pool[index], sizes, *columns)


_CHUNK_HASHES = 1 << 20  # fingerprints per storage chunk (8 MB)
_BUCKET_SHIFT = np.uint64(32)  # bucket bits start here: above any document's bits (fewer than 2**32 documents)


def fingerprint_buckets(hashes: np.ndarray, bits: int) -> np.ndarray:
    """The bucket (of 2**bits) of each fingerprint in the candidate search.

    Not the top bits: a capped signature keeps its smallest fingerprints, whose top bits are mostly zero.
    """
    buckets: np.ndarray = (hashes >> _BUCKET_SHIFT) & np.uint64((1 << bits) - 1)
    return buckets


def packed_keys(hashes: np.ndarray, docs: np.ndarray, doc_bits: int) -> np.ndarray:
    """Fingerprints with their low `doc_bits` bits replaced by their documents' ordinals (uint64): one
    sort of these groups equal fingerprints, each group in document order."""
    keys: np.ndarray = hashes & np.uint64(~((1 << doc_bits) - 1) & _MASK64)
    keys |= docs
    return keys


class SignatureStore(Sequence[Signature]):
    """Many signatures in a few flat arrays.

    About 40 bytes per document besides its fingerprints, where a list of Signature objects
    costs some 300: what holding a million documents' signatures in well under 2 GB needs.
    Items come back as Signature objects whose hashes are views into the store.

    With `fingerprints` False it keeps every column but the fingerprints themselves (their number
    stays): the store of a run whose workers wrote the fingerprints to files and search them there,
    so the main process never holds the whole corpus's. Asking it for a document's fingerprints is
    then an error, never an empty answer.
    """

    def __init__(self, fingerprints: bool = True) -> None:
        self.fingerprints = fingerprints
        self._chunks: list[np.ndarray] = []
        self._fill = _CHUNK_HASHES  # used part of the last chunk; full: the next append opens one
        self._chunk = array("q")  # per document: its chunk, and where its fingerprints start there
        self._start = array("q")
        self._size = array("q")
        self._length = array("q")
        self._words = array("q")
        self._exact = array("Q")

    def append(self, sig: Signature) -> None:
        """Add one document's signature."""
        self.extend(Signatures(sig.hashes, np.array([len(sig.hashes)]), np.array([sig.length]),
                               np.array([sig.words]), np.array([sig.exact], dtype=np.uint64)))

    def extend(self, batch: Signatures) -> None:
        """Add a batch of signatures (without its fingerprints when the store keeps none)."""
        if not self.fingerprints:  # where they would be (chunk, start) is not kept either
            self._size.extend(batch.sizes.tolist())
            self._length.extend(batch.lengths.tolist())
            self._words.extend(batch.words.tolist())
            self._exact.extend(batch.exact.tolist())
            return
        total = len(batch.hashes)
        if not self._chunks or self._fill + total > _CHUNK_HASHES:
            self._chunks.append(np.empty(max(_CHUNK_HASHES, total), dtype=np.uint64))
            self._fill = 0
        self._chunks[-1][self._fill:self._fill + total] = batch.hashes
        starts = np.cumsum(batch.sizes) - batch.sizes + self._fill
        self._chunk.extend([len(self._chunks) - 1] * len(batch))
        self._start.extend(starts.tolist())
        self._size.extend(batch.sizes.tolist())
        self._fill += total
        self._length.extend(batch.lengths.tolist())
        self._words.extend(batch.words.tolist())
        self._exact.extend(batch.exact.tolist())

    @classmethod
    def of(cls, items: Iterable[Signature]) -> SignatureStore:
        """A store holding `items`."""
        store = cls()
        for sig in items:
            store.append(sig)
        return store

    def __len__(self) -> int:
        return len(self._exact)

    def bucket_keys(self, bucket: int, bits: int, doc_bits: int, included: np.ndarray) -> np.ndarray:
        """Packed keys (fingerprint with its low `doc_bits` bits replaced by the document's ordinal) of the
        fingerprints in `bucket` (see `fingerprint_buckets`), of the documents where `included` is set."""
        self._need_fingerprints()
        chunk_of = self.column("chunk")
        starts, sizes = self.column("start"), self.column("size")
        out = []
        for c, chunk in enumerate(self._chunks):
            lo, hi = np.searchsorted(chunk_of, [c, c + 1])  # a chunk holds a run of documents
            if lo == hi:
                continue
            hashes = chunk[:int(starts[hi - 1] + sizes[hi - 1])]
            # each fingerprint's document: the chunk holds documents lo..hi-1 one after the other
            doc = np.repeat(np.arange(lo, hi, dtype=np.uint64), sizes[lo:hi])
            keep = included[lo:hi].repeat(sizes[lo:hi])
            if bits:
                keep &= fingerprint_buckets(hashes, bits) == bucket
            out.append(packed_keys(hashes[keep], doc[keep], doc_bits))
        return np.concatenate(out) if out else np.empty(0, dtype=np.uint64)

    @overload
    def __getitem__(self, index: int) -> Signature: ...

    @overload
    def __getitem__(self, index: slice) -> list[Signature]: ...

    def __getitem__(self, index: int | slice) -> Signature | list[Signature]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        self._need_fingerprints()
        start = self._start[index]
        hashes = self._chunks[self._chunk[index]][start:start + self._size[index]]
        return Signature(hashes, self._length[index], self._words[index], self._exact[index])

    def _need_fingerprints(self) -> None:
        if not self.fingerprints:
            raise LookupError("this signature store keeps no fingerprints: the workers' files hold them")

    def column(self, name: str) -> np.ndarray:
        """One field of every document as an array: "words", "exact", "length", "size", "chunk" or "start"."""
        if name in ("chunk", "start"):
            self._need_fingerprints()
        values = {"words": self._words, "exact": self._exact, "length": self._length, "size": self._size,
                  "chunk": self._chunk, "start": self._start}[name]
        return np.frombuffer(values, dtype=np.uint64 if name == "exact" else np.int64) if len(values) else \
            np.empty(0, dtype=np.uint64 if name == "exact" else np.int64)


def signature_columns(signatures: Sequence[Signature]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(words, exact, number of fingerprints) of every signature, as arrays."""
    if isinstance(signatures, SignatureStore):
        return signatures.column("words"), signatures.column("exact"), signatures.column("size")
    n = len(signatures)
    return (np.fromiter((s.words for s in signatures), dtype=np.int64, count=n),
            np.fromiter((s.exact for s in signatures), dtype=np.uint64, count=n),
            np.fromiter((len(s.hashes) for s in signatures), dtype=np.int64, count=n))
