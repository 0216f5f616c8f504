"""Cross-document template learning: lines that repeat across the run's articles are junk.

Pass 1 feeds every page to `TemplateModel.add`; each page counts once per distinct line
(lower case, digits folded, hashed to 64 bits). Counts live in sorted numpy arrays, so a
million pages of a hundred lines fit in a few hundred MB; past `max_exact` distinct lines
the model switches to a bitset for lines seen once and exact counts for the rest.

A line seen in `min_docs` pages is a template candidate. Copies of one story also share
lines, so a page's candidates are judged together (`template_flags`). Besides its count,
each line keeps the wrapping sum of the hashes of the pages holding it: lines held by
exactly the same pages have equal sums. A site's shared lines come as a group with its
menus and footers: many short lines. A group of paragraphs with at most a headline among
them, or one that carries a good part of the page's prose, is a story's text that copies
share (an excerpt's lead, in the original too): content. Other groups are template.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import repeat

import numpy as np
import xxhash

from cleanwire.clean.markup import html_to_text, looks_like_html
from cleanwire.clean.normalize import normalize_text

_FOLD_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_SEED = 0x5EED_C1EA
_FLUSH_AT = 1 << 20  # pending hashes before they are folded into the sorted table
_PROSE_WORDS = 15  # a line this long is prose, the kind copies of a story share
_SHARED_PROSE_SHARE = 0.15  # share of a page's prose words that makes it a story copy
_SHARED_PROSE_MIN = 40
_SENTENCE_WORDS = 8  # a shorter line ending a sentence is not a paragraph
_STORY_SHORT = 2  # a group with one short line (a headline), or one per this many paragraphs, is a story


def hash_lines(text: str) -> np.ndarray:
    """Seeded 64-bit hashes of a normalised text's lines (lower case, every digit read as 0).

    The same in every process and Python version. Bytes, not str: bytes.translate and
    bytes.split are table-driven C loops, many times faster than a regex over str.
    """
    return _hash_lowered_lines(text.lower())


def _hash_lowered_lines(low: str) -> np.ndarray:
    """`hash_lines` of a text already in lower case."""
    return np.fromiter(_line_hashes(low), dtype=np.uint64, count=low.count("\n") + 1)


def _line_hashes(low: str) -> Iterator[int]:
    """The line hashes of a text already in lower case, as Python ints."""
    keys = low.encode("utf-8", "surrogatepass").translate(_FOLD_DIGITS).split(b"\n")
    # map over repeat(seed): the hashing loop runs in C, no Python frame per line. XXH64, not
    # XXH3: XXH3 hashes inputs over 240 bytes (paragraphs) with AVX-512 where it can, and the
    # core's clock drop after it slowed the rest of cleaning by several percent (measured)
    return map(xxhash.xxh64_intdigest, keys, repeat(_SEED))


class TemplateModel:
    """Line counts over the run's pages; after `freeze`, tells template lines apart."""

    def __init__(self, min_docs: int = 3, max_exact: int = 4_000_000, bitset_bits: int = 1 << 30) -> None:
        self.min_docs = min_docs
        self.max_exact = max_exact
        self.bitset_bits = bitset_bits
        self.documents = 0
        # pages added since the last flush, in flat C arrays (no numpy call per page: each costs
        # more than hashing a page's few dozen lines): their distinct line hashes, one after the
        # other, and per page its hash and how many lines it has
        self._pending_keys = array("Q")
        self._pending_pages = array("Q")
        self._pending_sizes = array("Q")
        self._keys = np.zeros(0, dtype=np.uint64)  # sorted, unique line hashes
        self._counts = np.zeros(0, dtype=np.uint32)  # pages holding each line
        self._sums = np.zeros(0, dtype=np.uint64)  # wrapping sum of those pages' hashes
        self._bits: np.ndarray | None = None  # bitset mode: lines seen once live only here
        self._frozen = False

    # -- pass 1 -------------------------------------------------------------------------
    def add(self, text: str) -> None:
        """Count the distinct lines of one page (a raw text dump or HTML; normalised here)."""
        if self._frozen:
            raise RuntimeError("TemplateModel.add after freeze")
        if looks_like_html(text):
            text = html_to_text(text)
        norm = normalize_text(text)
        self.documents += 1
        if not norm:
            return
        distinct = set(_line_hashes(norm.lower()))
        page_hash = xxhash.xxh64_intdigest(norm.encode("utf-8", "surrogatepass"), _SEED + 1)
        self._pending_keys.extend(distinct)
        self._pending_pages.append(page_hash)
        self._pending_sizes.append(len(distinct))
        if len(self._pending_keys) >= _FLUSH_AT:
            self._flush()

    def merge(self, other: TemplateModel) -> None:
        """Add the counts of a model built over other pages (e.g. in another worker)."""
        if self._frozen or other._frozen:
            raise RuntimeError("TemplateModel.merge needs two unfrozen models")
        self._flush()
        other._flush()
        self.documents += other.documents
        if self._bits is None and other._bits is None:
            self._set_table(
                *_group(
                    np.concatenate([self._keys, other._keys]),
                    np.concatenate([self._counts, other._counts]),
                    np.concatenate([self._sums, other._sums]),
                )
            )
            return
        self._to_bitset()
        bits = self._bits
        assert bits is not None
        keys = np.union1d(self._keys, other._keys)
        count_a, sum_a = self._lookup(keys)
        count_b, sum_b = other._lookup(keys)
        if other._bits is not None:
            bits |= other._bits
        _set_bits(bits, keys)
        total = count_a.astype(np.int64) + count_b
        repeated = total >= 2  # lines seen once on each side are lost: the price of the bitset
        self._keys, self._counts = keys[repeated], total[repeated].astype(np.uint32)
        self._sums = (sum_a + sum_b)[repeated]

    def freeze(self) -> TemplateModel:
        """Finish pass 1: keep only lines seen in at least `min_docs` pages."""
        if not self._frozen:
            self._flush()
            self._bits = None
            keep = self._counts >= self.min_docs
            self._keys, self._counts, self._sums = self._keys[keep], self._counts[keep], self._sums[keep]
            self._frozen = True
        return self

    # -- pass 2 -------------------------------------------------------------------------
    def counts(self, lines: list[str]) -> np.ndarray:
        """Pages of the run holding each normalised line (0 below `min_docs`)."""
        if not self._frozen:
            raise RuntimeError("TemplateModel used before freeze")
        if not lines or not len(self._keys):
            return np.zeros(len(lines), dtype=np.uint32)
        return self._lookup(hash_lines("\n".join(lines)))[0]

    def is_template(self, line: str) -> bool:
        """Whether this line, alone, repeats across at least `min_docs` pages of the run."""
        norm = normalize_text(line)
        return bool(norm) and bool(self.counts([norm]).max() >= self.min_docs)

    def template_flags(self, lines: list[str], lowered: str | None = None) -> list[bool]:
        """Per line of one page: template, given what the page's other lines share.

        `lowered`: the page in lower case ("\\n".join(lines).lower()), when the caller has it.
        """
        flags = [False] * len(lines)
        candidates, keys, seen_in = self._candidates(lines, lowered)
        if not candidates:
            return flags
        # per group of lines held by the same pages: short lines, paragraphs, prose lines, prose
        # words; a paragraph is a long line or a sentence (news ledes can be short)
        groups: dict[int, list[int]] = {}
        seen: set[str] = set()
        for i, key in zip(candidates, keys):
            line = lines[i]
            if line in seen:  # a line repeated in the page (a headline above and in the body) counts once
                continue
            seen.add(line)
            group = groups.get(key)
            if group is None:
                group = groups[key] = [0, 0, 0, 0]
            n = line.count(" ") + 1
            if n >= _PROSE_WORDS:
                group[1] += 1
                group[2] += 1
                group[3] += n
                continue
            last = line.rstrip("\"'”’)")[-1:]
            if n >= _SENTENCE_WORDS and last in ".!?":
                group[1] += 1
            elif last not in ".!?;" and (last != ":" or n < _SENTENCE_WORDS // 2):
                group[0] += 1  # a label or a link; a piece of a sentence (a list and its items) is neither
        # a story's text shared with its copies: paragraphs with hardly a short line among them
        # (a headline), where a site's shared lines come with its menus and footers; or a good
        # part of this page's prose
        stories = {key for key, (short, paras, _, _) in groups.items() if paras and short * _STORY_SHORT <= paras + 1}
        if any(g[2] >= 2 for key, g in groups.items() if key not in stories):
            page_prose = sum(n for n in (line.count(" ") + 1 for line in lines) if n >= _PROSE_WORDS)
            need = max(_SHARED_PROSE_MIN, _SHARED_PROSE_SHARE * page_prose)
            stories.update(key for key, g in groups.items() if g[2] >= 2 and g[3] >= need)
        if not stories:  # the common case: every candidate is template
            for i in candidates:
                flags[i] = True
            return flags
        story_level = max(c for c, key in zip(seen_in, keys) if key in stories)
        for i, key, c in zip(candidates, keys, seen_in):
            # a prose line in fewer pages than the story's copies is an edited copy's paragraph
            flags[i] = key not in stories and (lines[i].count(" ") + 1 < _PROSE_WORDS or c >= story_level)
        return flags

    # -- internals ----------------------------------------------------------------------
    def _candidates(self, lines: list[str], lowered: str | None) -> tuple[list[int], list[int], list[int]]:
        """The page's lines held by at least `min_docs` pages: places, page-hash sums, counts."""
        if not self._frozen:
            raise RuntimeError("TemplateModel used before freeze")
        keys = self._keys
        if not lines or not len(keys):
            return [], [], []
        hashes = _hash_lowered_lines("\n".join(lines).lower() if lowered is None else lowered)
        # a page has a few dozen lines, so each numpy call's overhead is the cost: as few as can be
        idx = keys.searchsorted(hashes)
        np.minimum(idx, len(keys) - 1, out=idx)  # past the end: the last key, which is smaller
        at = np.flatnonzero(keys[idx] == hashes)
        if not len(at):
            return [], [], []
        rows = idx[at]
        candidates, sums, counts = at.tolist(), self._sums[rows].tolist(), self._counts[rows].tolist()
        if min(counts) < self.min_docs:  # frozen tables hold only such lines, unless min_docs rose since
            keep = [k for k, c in enumerate(counts) if c >= self.min_docs]
            candidates, sums, counts = [candidates[k] for k in keep], [sums[k] for k in keep], [counts[k] for k in keep]
        return candidates, sums, counts

    def _lookup(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Count and page-hash sum of each hash (a line only in the bitset counts 1, sum 0)."""
        keys = self._keys
        if len(keys):
            idx = keys.searchsorted(hashes)
            np.minimum(idx, len(keys) - 1, out=idx)  # past the end: the last key, which is smaller
            found = keys[idx] == hashes
            # few numpy calls: a page has a few dozen lines, so each call's overhead is the cost
            counts = self._counts[idx] * found
            sums = self._sums[idx] * found
        else:
            found = np.zeros(len(hashes), dtype=bool)
            counts = np.zeros(len(hashes), dtype=np.uint32)
            sums = np.zeros(len(hashes), dtype=np.uint64)
        if self._bits is not None:
            counts[~found] = _test_bits(self._bits, hashes[~found])
        return counts, sums

    def _set_table(self, keys: np.ndarray, counts: np.ndarray, sums: np.ndarray) -> None:
        self._keys, self._counts, self._sums = keys, counts, sums
        if len(self._keys) > self.max_exact:
            self._to_bitset()

    def _flush(self) -> None:
        if not self._pending_keys:
            return
        keys = np.array(self._pending_keys, dtype=np.uint64)
        pages = np.repeat(np.array(self._pending_pages, dtype=np.uint64), np.array(self._pending_sizes, dtype=np.int64))
        self._pending_keys, self._pending_pages, self._pending_sizes = array("Q"), array("Q"), array("Q")
        keys, counts, sums = _group(keys, np.ones(len(keys), dtype=np.uint32), pages)
        if self._bits is None:
            self._set_table(
                *_group(
                    np.concatenate([self._keys, keys]),
                    np.concatenate([self._counts, counts]),
                    np.concatenate([self._sums, sums]),
                )
            )
            return
        if len(self._keys):
            idx = np.searchsorted(self._keys, keys)
            idx[idx >= len(self._keys)] = 0
            known = self._keys[idx] == keys
            self._counts[idx[known]] += counts[known]
            self._sums[idx[known]] += sums[known]
        else:
            known = np.zeros(len(keys), dtype=bool)
        new_keys, new_counts, new_sums = keys[~known], counts[~known], sums[~known]
        total = new_counts + _test_bits(self._bits, new_keys)
        _set_bits(self._bits, new_keys)
        repeated = total >= 2  # a first sighting only in the bitset leaves its page out of the sum
        self._keys, self._counts, self._sums = _group(
            np.concatenate([self._keys, new_keys[repeated]]),
            np.concatenate([self._counts, total[repeated]]),
            np.concatenate([self._sums, new_sums[repeated]]),
        )

    def _to_bitset(self) -> None:
        """Switch to bitset mode: lines seen once move to the bitset, the table keeps repeats."""
        if self._bits is not None:
            return
        self._bits = np.zeros(self.bitset_bits // 8, dtype=np.uint8)
        _set_bits(self._bits, self._keys)
        repeated = self._counts >= 2
        self._keys, self._counts, self._sums = self._keys[repeated], self._counts[repeated], self._sums[repeated]


def _group(keys: np.ndarray, counts: np.ndarray, sums: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted unique keys; counts summed and page-hash sums added (wrapping) per key."""
    if not len(keys):
        return keys.astype(np.uint64), counts.astype(np.uint32), sums.astype(np.uint64)
    order = np.argsort(keys, kind="stable")
    keys, counts, sums = keys[order], counts[order], sums[order]
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    with np.errstate(over="ignore"):
        return keys[starts], np.add.reduceat(counts, starts).astype(np.uint32), np.add.reduceat(sums, starts)


def _positions(bits: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = (keys >> np.uint64(7)) % np.uint64(len(bits) * 8)
    return (pos >> np.uint64(3)).astype(np.int64), (pos & np.uint64(7)).astype(np.uint8)


def _set_bits(bits: np.ndarray, keys: np.ndarray) -> None:
    byte, bit = _positions(bits, keys)
    np.bitwise_or.at(bits, byte, (np.uint8(1) << bit).astype(np.uint8))


def _test_bits(bits: np.ndarray, keys: np.ndarray) -> np.ndarray:
    byte, bit = _positions(bits, keys)
    found: np.ndarray = ((bits[byte] >> bit) & np.uint8(1)).astype(np.uint32)
    return found
