"""Cross-document template learning: lines that repeat across the run's articles are junk.

Pass 1 feeds every page to `TemplateModel.add`; each page counts once per distinct line
(lower case, digits folded, hashed to 64 bits). Counts live in sorted numpy arrays, so a
million pages of a hundred lines fit in a few hundred MB; past `max_exact` distinct lines
the model switches to a bitset for lines seen once and exact counts for the rest.

A line seen in `min_docs` pages is a template candidate. Copies of one story also share
lines, so a page's candidates are judged together (`template_flags`): when enough of the
page's own prose is shared at some count K, the page is one of K copies of a story, and
only lines repeated more often than K (menus and footers of the copies' sites) are template.
"""

from __future__ import annotations

import re

import numpy as np
import xxhash

from cleanwire.clean.normalize import normalize_text

_DIGITS = re.compile(r"\d+")
_SEED = 0x5EED_C1EA
_FLUSH_AT = 1 << 20  # pending hashes before they are folded into the sorted table
_PROSE_WORDS = 15  # a line this long is prose, the kind copies of a story share
_SHARED_PROSE_SHARE = 0.2  # share of a page's prose words that makes it a story copy
_SHARED_PROSE_MIN = 40


def line_keys(text: str) -> list[str]:
    """Normalised lines as template keys: lower case, digit runs folded to '0'."""
    return _DIGITS.sub("0", text.lower()).split("\n")


def hash_lines(keys: list[str]) -> np.ndarray:
    """Seeded 64-bit hashes of line keys, the same in every process and Python version."""
    digest = xxhash.xxh3_64_intdigest
    return np.fromiter((digest(k.encode("utf-8", "surrogatepass"), _SEED) for k in keys), dtype=np.uint64, count=len(keys))


class TemplateModel:
    """Line counts over the run's pages; after `freeze`, tells template lines apart."""

    def __init__(self, min_docs: int = 3, max_exact: int = 4_000_000, bitset_bits: int = 1 << 30) -> None:
        self.min_docs = min_docs
        self.max_exact = max_exact
        self.bitset_bits = bitset_bits
        self.documents = 0
        self._pending: list[np.ndarray] = []
        self._pending_size = 0
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted, unique
        self._counts = np.zeros(0, dtype=np.uint32)  # pages holding each key
        self._bits: np.ndarray | None = None  # bitset mode: keys seen once live only here
        self._frozen = False

    # -- pass 1 -------------------------------------------------------------------------
    def add(self, text: str) -> None:
        """Count the distinct lines of one page (raw text; normalised here)."""
        if self._frozen:
            raise RuntimeError("TemplateModel.add after freeze")
        norm = normalize_text(text)
        self.documents += 1
        if not norm:
            return
        hashes = np.unique(hash_lines(line_keys(norm)))
        self._pending.append(hashes)
        self._pending_size += len(hashes)
        if self._pending_size >= _FLUSH_AT:
            self._flush()

    def merge(self, other: TemplateModel) -> None:
        """Add the counts of a model built over other pages (e.g. in another worker)."""
        if self._frozen or other._frozen:
            raise RuntimeError("TemplateModel.merge needs two unfrozen models")
        self._flush()
        other._flush()
        self.documents += other.documents
        if self._bits is None and other._bits is None:
            self._keys, self._counts = _sum_counts(
                np.concatenate([self._keys, other._keys]), np.concatenate([self._counts, other._counts])
            )
            if len(self._keys) > self.max_exact:
                self._to_bitset()
            return
        self._to_bitset()
        keys = np.union1d(self._keys, other._keys)
        total = self._total(keys) + other._total(keys)
        if other._bits is not None:
            self._bits |= other._bits
        _set_bits(self._bits, keys)  # every table key has its first sighting in the bitset
        repeated = total >= 2
        self._keys, self._counts = keys[repeated], (total[repeated] - 1).astype(np.uint32)

    def freeze(self) -> TemplateModel:
        """Finish pass 1: keep only lines seen in at least `min_docs` pages."""
        if not self._frozen:
            self._flush()
            if self._bits is not None:
                self._counts = self._counts + np.uint32(1)  # the sighting held in the bitset
                self._bits = None
            keep = self._counts >= self.min_docs
            self._keys, self._counts = self._keys[keep].copy(), self._counts[keep].copy()
            self._frozen = True
        return self

    # -- pass 2 -------------------------------------------------------------------------
    def counts(self, lines: list[str]) -> np.ndarray:
        """Pages of the run holding each normalised line (0 below `min_docs`)."""
        if not self._frozen:
            raise RuntimeError("TemplateModel used before freeze")
        if not lines or not len(self._keys):
            return np.zeros(len(lines), dtype=np.uint32)
        hashes = hash_lines(line_keys("\n".join(lines)))
        idx = np.searchsorted(self._keys, hashes)
        idx[idx >= len(self._keys)] = 0
        found = self._keys[idx] == hashes
        return np.where(found, self._counts[idx], 0).astype(np.uint32)

    def is_template(self, line: str) -> bool:
        """Whether this line, alone, repeats across at least `min_docs` pages of the run."""
        norm = normalize_text(line)
        return bool(norm) and bool(self.counts([norm]).max() >= self.min_docs)

    def template_flags(self, lines: list[str]) -> list[bool]:
        """Per line of one page: template, given what the page's other lines share."""
        counts = self.counts(lines)
        if not counts.any():
            return [False] * len(lines)
        words = [line.count(" ") + 1 for line in lines]
        prose = [(int(c), w) for c, w in zip(counts.tolist(), words) if w >= _PROSE_WORDS]
        prose_words = sum(w for _, w in prose)
        need = max(_SHARED_PROSE_MIN, _SHARED_PROSE_SHARE * prose_words)
        story_level, shared, shared_lines = 0, 0, 0
        for count, w in sorted((p for p in prose if p[0] >= self.min_docs), reverse=True):
            shared += w
            shared_lines += 1
            if shared >= need and shared_lines >= 2:
                story_level = count  # this page is one of `count` copies of a story
                break
        limit = max(story_level, self.min_docs - 1)
        return [c > limit for c in counts.tolist()]

    # -- internals ----------------------------------------------------------------------
    def _flush(self) -> None:
        if not self._pending:
            return
        batch = np.concatenate(self._pending)
        self._pending, self._pending_size = [], 0
        keys, counts = np.unique(batch, return_counts=True)
        counts = counts.astype(np.uint32)
        if self._bits is None:
            self._keys, self._counts = _sum_counts(
                np.concatenate([self._keys, keys]), np.concatenate([self._counts, counts])
            )
            if len(self._keys) > self.max_exact:
                self._to_bitset()
            return
        idx = np.searchsorted(self._keys, keys)
        idx[idx >= len(self._keys)] = 0
        known = (self._keys[idx] == keys) if len(self._keys) else np.zeros(len(keys), dtype=bool)
        if known.any():
            np.add.at(self._counts, idx[known], counts[known])
        new_keys, new_counts = keys[~known], counts[~known]
        seen = _test_bits(self._bits, new_keys)
        repeated = (new_counts + seen) >= 2
        _set_bits(self._bits, new_keys)
        # the bitset holds the first sighting; the table counts the ones after it
        self._keys, self._counts = _sum_counts(
            np.concatenate([self._keys, new_keys[repeated]]),
            np.concatenate([self._counts, (new_counts + seen - 1)[repeated].astype(np.uint32)]),
        )

    def _to_bitset(self) -> None:
        """Switch to bitset mode: keys seen once move to the bitset, the table keeps repeats."""
        if self._bits is not None:
            return
        self._bits = np.zeros(self.bitset_bits // 8, dtype=np.uint8)
        _set_bits(self._bits, self._keys)
        repeated = self._counts >= 2
        self._keys, self._counts = self._keys[repeated], self._counts[repeated] - 1

    def _total(self, keys: np.ndarray) -> np.ndarray:
        """Pages holding each of `keys`: the table count, plus the bitset sighting of table keys."""
        return _total_of(self._keys, self._counts, self._bits, keys)


def _sum_counts(keys: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys with the counts of equal keys summed."""
    if not len(keys):
        return keys.astype(np.uint64), counts.astype(np.uint32)
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq, np.bincount(inverse, weights=counts, minlength=len(uniq)).astype(np.uint32)


def _positions(bits: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = (keys >> np.uint64(7)) % np.uint64(len(bits) * 8)
    return (pos >> np.uint64(3)).astype(np.int64), (pos & np.uint64(7)).astype(np.uint8)


def _set_bits(bits: np.ndarray, keys: np.ndarray) -> None:
    byte, bit = _positions(bits, keys)
    np.bitwise_or.at(bits, byte, (np.uint8(1) << bit).astype(np.uint8))


def _test_bits(bits: np.ndarray, keys: np.ndarray) -> np.ndarray:
    byte, bit = _positions(bits, keys)
    return ((bits[byte] >> bit) & np.uint8(1)).astype(np.uint32)


def _total_of(
    table_keys: np.ndarray, table_counts: np.ndarray, bits: np.ndarray | None, keys: np.ndarray
) -> np.ndarray:
    """Pages holding each of `keys` according to one model."""
    total = np.zeros(len(keys), dtype=np.int64)
    found = np.zeros(len(keys), dtype=bool)
    if len(table_keys):
        idx = np.searchsorted(table_keys, keys)
        idx[idx >= len(table_keys)] = 0
        found = table_keys[idx] == keys
        total[found] = table_counts[idx[found]]
    if bits is not None:
        # a table key's first sighting is in the bitset; a key outside the table was seen
        # at most once, and only the bitset knows whether
        total += _test_bits(bits, keys).astype(np.int64)
    return total
