"""Normalise clean text and turn it into a compact, sampled fingerprint signature (pure functions)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

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
    exact: int  # 64-bit hash of the token sequence of the match key (exact duplicates)


def match_key(text: str) -> str:
    """Normalised text for matching: NFKC, casefolded, tokens of letters/digits joined by one space."""
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    key = _NON_WORD.sub(" ", text.casefold())
    if _SPACELESS.search(key):
        key = _SPACELESS.sub(r" \1 ", key)
    return " ".join(key.split())


_ASCII_WORD = np.array([chr(c).isalnum() for c in range(128)], dtype=bool)


def _is_spaceless(c: int) -> bool:
    """Whether code point `c` belongs to a script written without spaces."""
    return _SPACELESS.match(chr(c)) is not None


def _classify(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of word characters (letters, digits) and of spaceless-script characters."""
    word = _ASCII_WORD[np.minimum(codes, 127)]
    spaceless = np.zeros(len(codes), dtype=bool)
    high = codes >= 128
    if high.any():
        # few distinct non-ASCII characters per text: classify each once with str methods
        where = np.flatnonzero(high)
        distinct, inverse = np.unique(codes[where], return_inverse=True)
        is_word = np.array([chr(c).isalnum() for c in distinct.tolist()], dtype=bool)
        is_spaceless = np.array([_is_spaceless(c) for c in distinct.tolist()], dtype=bool)
        word[where] = is_word[inverse]
        spaceless[where] = is_spaceless[inverse] & is_word[inverse]
    return word, spaceless


def shingle_hashes(codes: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of every k-character window of `codes` (code points), vectorised."""
    n = len(codes)
    if n < k:
        return np.empty(0, dtype=np.uint64)
    base = (0x9E3779B97F4A7C15 ^ (seed * 0xBF58476D1CE4E5B9)) & _MASK64 | 1  # odd: invertible mod 2**64
    inverse = pow(base, -1, 1 << 64)
    codes = codes.astype(np.uint64) + np.uint64(seed & 0xFFFF)
    with np.errstate(over="ignore"):
        powers = np.full(n, base, dtype=np.uint64)
        powers[0] = 1
        np.cumprod(powers, out=powers)
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.cumsum(codes * powers, out=prefix[1:])
        # window i = sum_j c[i+j] * base**j, i.e. the prefix difference divided by base**i
        unpow = np.full(n - k + 1, inverse, dtype=np.uint64)
        unpow[0] = 1
        np.cumprod(unpow, out=unpow)
        h = (prefix[k:] - prefix[:-k]) * unpow
        # finaliser (splitmix64) so that sampling on h % p sees well-mixed bits
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return h


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique is several times slower on small arrays)."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def signature(text: str, cfg: DedupConfig) -> Signature:
    """The fingerprint signature of one clean text (same tokens as `match_key`, computed in numpy)."""
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    codes = np.frombuffer(text.casefold().encode("utf-32-le"), dtype=np.uint32)
    word, spaceless = _classify(codes)
    # a token starts at a word character after a separator, and at every spaceless character
    previous = np.concatenate(([False], word[:-1]))
    after_spaceless = np.concatenate(([False], spaceless[:-1]))
    starts = word & (~previous | spaceless | after_spaceless)
    squeezed = codes[word]
    boundaries = np.flatnonzero(starts[word]).astype(np.uint32)
    h = shingle_hashes(squeezed, cfg.shingle_chars, cfg.seed)
    words = len(boundaries)
    if words >= cfg.short_words:
        # mod-p sampling keeps the same n-grams in every document, so shared text keeps
        # shared fingerprints wherever it sits (what containment needs); winnowing would not
        h = h[h % np.uint64(cfg.sample_mod) == 0]
    # short texts keep every n-gram: they match only near-exact text, and need the evidence
    exact = xxhash.xxh64(squeezed.tobytes(), seed=cfg.seed)
    exact.update(boundaries.tobytes())
    return Signature(hashes=sorted_unique(h), length=len(squeezed), words=words, exact=exact.intdigest())
