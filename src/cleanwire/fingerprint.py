"""Normalise clean text and turn it into a compact, sampled fingerprint signature (pure functions)."""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import xxhash

from cleanwire.config import DedupConfig

# Anything that is not a letter or digit separates tokens; dropping it unifies quotes, dashes and
# punctuation, so "threats, missile" and "threats missile" give the same key.
_NON_WORD = re.compile(r"[\W_]+")
# Scripts written without spaces: each character is a token of its own, so word-level alignment
# and the word count still mean something for Chinese and Japanese.
_SPACELESS = re.compile(r"([\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
                        r"\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f])")
_MASK64 = (1 << 64) - 1


@dataclass(slots=True, frozen=True)
class Signature:
    """What the matching stage holds per document instead of its text."""

    hashes: np.ndarray  # sorted unique uint64 sampled fingerprints of the squeezed text
    length: int  # characters of the squeezed text (letters and digits only)
    words: int  # tokens of the match key (a character counts as a token in spaceless scripts)
    exact: int  # 64-bit hash of the match key's code points (exact duplicates after normalisation)


# ASCII fast path: letters and digits stay, everything else becomes a space
_ASCII_TABLE = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes([32] * 128)


def _classify(codes: np.ndarray) -> tuple[np.ndarray, bool]:
    """Mask of word characters (letters, digits) and whether any is from a spaceless script."""
    word = np.frombuffer(_ASCII_TABLE, dtype=np.uint8)[np.minimum(codes, 255)] != 32
    high = np.flatnonzero(codes >= 128)
    spaceless = False
    if len(high):
        # few distinct non-ASCII characters per text: classify each once with str methods
        values = codes[high]
        distinct = sorted_unique(values)
        inverse = np.searchsorted(distinct, values)
        chars = [chr(c) for c in distinct.tolist()]
        is_word = np.array([c.isalnum() for c in chars], dtype=bool)
        word[high] = is_word[inverse]
        spaceless = any(_SPACELESS.match(c) is not None for c, w in zip(chars, is_word.tolist()) if w)
    return word, spaceless


def _join_words(codes: np.ndarray, word: np.ndarray) -> np.ndarray:
    """The word characters of `codes` with one space (32) between runs, none at the ends."""
    previous = np.empty_like(word)
    previous[0] = False
    previous[1:] = word[:-1]
    keep = word | previous  # a word character, or the first separator after one
    out = np.where(word, codes, codes.dtype.type(32))[keep]
    if len(out) and out[-1] == 32:
        out = out[:-1]
    return out


def _word_codes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the normalised, casefolded text and the mask of its word characters.

    In scripts written without spaces the text is first rewritten with a space around each
    character, so that every character is a token.
    """
    if text.isascii():
        codes = np.frombuffer(text.lower().encode("ascii"), dtype=np.uint8)
        return codes, np.frombuffer(_ASCII_TABLE, dtype=np.uint8)[codes] != 32
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    folded = text.casefold()
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    word, spaceless = _classify(codes)
    if spaceless:
        key = " ".join(_SPACELESS.sub(r" \1 ", _NON_WORD.sub(" ", folded)).split())
        codes = _key_codes(key)
        word = codes != 32
    return codes, word


def match_key(text: str) -> str:
    """Normalised text for matching: NFKC, casefolded, tokens of letters/digits joined by one space.

    Characters of scripts written without spaces (Chinese, Japanese) are tokens of their own.
    """
    if not text:
        return ""
    codes, word = _word_codes(text)
    joined = _join_words(codes, word)
    return joined.tobytes().decode("ascii") if joined.dtype == np.uint8 else joined.tobytes().decode("utf-32-le")


def token_hashes(text: str, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of the tokens of `match_key(text)`, in order, computed without building it."""
    if not text:
        return np.empty(0, dtype=np.uint64)
    codes, word = _word_codes(text)
    padded = np.zeros(len(word) + 2, dtype=bool)
    padded[1:-1] = word
    edges = np.flatnonzero(padded[1:] != padded[:-1])  # token starts and ends, alternating
    if not len(edges):
        return np.empty(0, dtype=np.uint64)
    lengths = edges[1::2] - edges[0::2]
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))  # token starts among the word characters
    # token hash = sum of c * base**(offset in token): powers only up to the longest token
    offsets = np.arange(int(lengths.sum())) - np.repeat(starts, lengths)
    base = (0x9E3779B97F4A7C15 ^ (seed * 0xBF58476D1CE4E5B9)) & _MASK64 | 1
    with np.errstate(over="ignore"):
        values = (codes[word].astype(np.uint64) + np.uint64(seed & 0xFFFF)) * _powers(base, int(lengths.max()))[offsets]
        return _mix(np.add.reduceat(values, starts))


def _key_codes(key: str) -> np.ndarray:
    """Code points of a match key."""
    if key.isascii():
        return np.frombuffer(key.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32)


def _powers(base: int, n: int) -> np.ndarray:
    """base**0 .. base**(n-1) modulo 2**64, by doubling (cumprod is several times slower)."""
    powers = np.empty(max(n, 1), dtype=np.uint64)
    powers[0] = 1
    filled, step = 1, base
    with np.errstate(over="ignore"):
        while filled < n:
            take = min(filled, n - filled)
            np.multiply(powers[:take], np.uint64(step), out=powers[filled:filled + take])
            filled += take
            step = step * step & _MASK64
    return powers[:n]


def _span_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of the spans codes[start:end], all at once (polynomial, then mixed)."""
    n = len(codes)
    base = (0x9E3779B97F4A7C15 ^ (seed * 0xBF58476D1CE4E5B9)) & _MASK64 | 1  # odd: invertible mod 2**64
    powers = _powers(base, n)
    with np.errstate(over="ignore"):
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum((codes.astype(np.uint64) + np.uint64(seed & 0xFFFF)) * powers, out=prefix[1:])
        # span = sum_j c[start+j] * base**j: the prefix difference divided by base**start, and
        # base**-start = base**-(n-1) * base**(n-1-start)
        unpow = powers[n - 1 - starts] * np.uint64(pow(base, -(n - 1), 1 << 64))
        h = (prefix[ends] - prefix[starts]) * unpow
    return _mix(h)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser in place: well-mixed bits, so sampling on the low bits is fair."""
    with np.errstate(over="ignore"):
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def shingle_hashes(codes: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of every k-character window of `codes` (code points), vectorised.

    The window sums sum_j c[i+j] * base**j are built by doubling (windows of 1, 2, 4, ...
    characters) and joined along the bits of k: a few vector operations, no per-window loop.
    """
    n = len(codes)
    if n < k:
        return np.empty(0, dtype=np.uint64)
    base = (0x9E3779B97F4A7C15 ^ (seed * 0xBF58476D1CE4E5B9)) & _MASK64 | 1
    with np.errstate(over="ignore"):
        part = codes.astype(np.uint64) + np.uint64(seed & 0xFFFF)  # windows of `width` characters
        width, part_pow = 1, base  # part_pow = base**width
        total: np.ndarray | None = None  # windows of `total_width` characters
        total_width, total_pow = 0, 1
        remaining = k
        while True:
            if remaining & 1:
                if total is None:
                    total = part[: n - k + 1].copy()
                else:
                    total += part[total_width: total_width + n - k + 1] * np.uint64(total_pow)
                total_width += width
                total_pow = total_pow * part_pow & _MASK64
            remaining >>= 1
            if not remaining:
                break
            part = part[:-width] + part[width:] * np.uint64(part_pow)
            width *= 2
            part_pow = part_pow * part_pow & _MASK64
    assert total is not None
    return _mix(total)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique is several times slower on small arrays)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def signature(text: str, cfg: DedupConfig) -> Signature:
    """The fingerprint signature of one clean text."""
    if not text:
        return Signature(np.empty(0, dtype=np.uint64), 0, 0, xxhash.xxh64_intdigest(b"", seed=cfg.seed))
    codes, word = _word_codes(text)
    key = _join_words(codes, word)  # the match key's code points
    if key.dtype != np.uint8 and (not len(key) or key.max() < 128):
        key = key.astype(np.uint8)  # an ASCII key hashes the same whatever the text held
    squeezed = key[key != 32]  # n-grams run across word boundaries: lost spaces do not matter
    words = len(key) - len(squeezed) + 1 if len(key) else 0
    k, p, lead = cfg.shingle_chars, cfg.sample_mod, cfg.lead_chars
    if 2 * words > len(squeezed):
        # mostly a script without spaces (a character is a word): a character carries more text,
        # so shorter n-grams sampled more densely give the same evidence per sentence
        k, p, lead = max(4, k // 3), max(1, p // 4), lead // 3
    h = shingle_hashes(squeezed, k, cfg.seed)
    if words >= cfg.short_words:
        # mod-p sampling keeps the same n-grams in every document, so shared text keeps
        # shared fingerprints wherever it sits (what containment needs); winnowing would not
        sampled = (h & np.uint64(p - 1) if p & (p - 1) == 0 else h % np.uint64(p)) == 0
        # the lead is kept whole, because a syndicated excerpt is the lead of a story; the rest
        # keeps only its smallest fingerprints: memory stays bounded per document, and the choice
        # is still consistent (a shared passage keeps the fingerprints under both ceilings)
        head = sorted_unique(h[:lead][sampled[:lead]])[: cfg.max_hashes * 3 // 4]
        rest = sorted_unique(h[lead:][sampled[lead:]])
        if len(head) and len(rest):
            at = np.minimum(np.searchsorted(head, rest), len(head) - 1)
            rest = rest[head[at] != rest]  # not already in the lead
        h = np.sort(np.concatenate((head, rest[: cfg.max_hashes - len(head)])))
    else:
        # short texts keep every n-gram (up to max_hashes): they match only near-exact text
        h = sorted_unique(h)[: cfg.max_hashes]
    return Signature(
        hashes=h,
        length=len(squeezed),
        words=words,
        exact=xxhash.xxh64_intdigest(key.tobytes(), seed=cfg.seed),
    )


_CHUNK_HASHES = 1 << 20  # fingerprints per storage chunk (8 MB)


class SignatureStore(Sequence[Signature]):
    """Many signatures in a few flat arrays.

    About 40 bytes per document besides its fingerprints, where a list of Signature objects
    costs some 300: what holding a million documents' signatures in well under 2 GB needs.
    Items come back as Signature objects whose hashes are views into the store.
    """

    def __init__(self) -> None:
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
        size = len(sig.hashes)
        if not self._chunks or self._fill + size > _CHUNK_HASHES:
            self._chunks.append(np.empty(max(_CHUNK_HASHES, size), dtype=np.uint64))
            self._fill = 0
        self._chunks[-1][self._fill:self._fill + size] = sig.hashes
        self._chunk.append(len(self._chunks) - 1)
        self._start.append(self._fill)
        self._size.append(size)
        self._fill += size
        self._length.append(sig.length)
        self._words.append(sig.words)
        self._exact.append(sig.exact)

    def __len__(self) -> int:
        return len(self._exact)

    @overload
    def __getitem__(self, index: int) -> Signature: ...

    @overload
    def __getitem__(self, index: slice) -> list[Signature]: ...

    def __getitem__(self, index: int | slice) -> Signature | list[Signature]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        start = self._start[index]
        hashes = self._chunks[self._chunk[index]][start:start + self._size[index]]
        return Signature(hashes, self._length[index], self._words[index], self._exact[index])

    def column(self, name: str) -> np.ndarray:
        """One field of every document as an array: "words", "exact", "length" or "size"."""
        values = {"words": self._words, "exact": self._exact, "length": self._length, "size": self._size}[name]
        return np.frombuffer(values, dtype=np.uint64 if name == "exact" else np.int64) if len(values) else \
            np.empty(0, dtype=np.uint64 if name == "exact" else np.int64)

    def gather(self, docs: np.ndarray) -> np.ndarray:
        """The fingerprints of `docs` (ascending ordinals), concatenated in that order, in one new array."""
        if not len(docs):
            return np.empty(0, dtype=np.uint64)
        sizes = self.column("size")[docs]
        out = np.empty(int(sizes.sum()), dtype=np.uint64)
        chunk_of = np.frombuffer(self._chunk, dtype=np.int64)[docs]
        starts = np.frombuffer(self._start, dtype=np.int64)[docs]
        filled = 0
        for c, chunk in enumerate(self._chunks):
            mine = chunk_of == c
            if not mine.any():
                continue
            first = starts[mine]
            count = sizes[mine]
            total = int(count.sum())
            index = np.repeat(first - np.concatenate(([0], np.cumsum(count)[:-1])), count) + np.arange(total)
            out[filled:filled + total] = chunk[index]
            filled += total
        return out
