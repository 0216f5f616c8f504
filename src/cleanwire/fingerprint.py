"""Normalise clean text and turn it into a compact, sampled fingerprint signature (pure functions)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

import numpy as np
import xxhash

from cleanwire.config import DedupConfig
from cleanwire.signatures import Signature, Signatures

# Anything that is not a letter or digit separates tokens; dropping it unifies quotes, dashes and
# punctuation, so "threats, missile" and "threats missile" give the same key.
_NON_WORD = re.compile(r"[\W_]+")
# Scripts written without spaces: each character is a token of its own, so word-level alignment
# and the word count still mean something for Chinese and Japanese.
_SPACELESS_CHAR = (r"[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
                   r"\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0002fa1f]")
_SPACELESS = re.compile(f"({_SPACELESS_CHAR})")
# the same tokens where they stand in the (NFKC) text, so an explanation can show the original words
_TOKEN = re.compile(_SPACELESS_CHAR + r"|[^\W_]+")
_MASK64 = (1 << 64) - 1


# ASCII fast path: letters and digits stay, everything else becomes a space
_ASCII_TABLE = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes([32] * 128)


def _classify(codes: np.ndarray) -> tuple[np.ndarray, bool]:
    """Mask of word characters (letters, digits) and whether any is from a spaceless script."""
    word, spaceless = _classify_batch(codes)
    return word, bool(spaceless.any())


def _join_words(codes: np.ndarray, word: np.ndarray) -> np.ndarray:
    """The word characters of `codes` with one space (32) between runs, none at the ends."""
    previous = np.empty_like(word)
    previous[0] = False
    previous[1:] = word[:-1]
    keep = word | previous  # a word character, or the first separator after one
    out: np.ndarray = np.where(word, codes, codes.dtype.type(32))[keep]
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


def token_spans(text: str) -> tuple[str, list[str], list[tuple[int, int]]]:
    """The NFKC text, its casefolded tokens and their character spans in it (for showing passages).

    The tokens are those of `match_key` but for the rare character whose casefolding is not a
    letter or digit (each token is casefolded here, where `match_key` casefolds the whole text).
    """
    text = unicodedata.normalize("NFKC", text)
    found = [(m.group().casefold(), m.span()) for m in _TOKEN.finditer(text)]
    return text, [t for t, _ in found], [s for _, s in found]


def token_starts(text: str) -> np.ndarray:
    """Where each token of `text` (already NFKC) starts, in characters: a run of letters and digits, or a
    character of a script written without spaces, as `match_key` splits it (without casefolding)."""
    if text.isascii():
        codes: np.ndarray = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        word = np.frombuffer(_ASCII_TABLE, dtype=np.uint8)[codes] != 32
        spaceless = None
    else:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        word, spaceless = _classify_batch(codes)
    starts = word.copy()
    starts[1:] &= ~word[:-1]
    if spaceless is not None and spaceless.any():
        starts |= spaceless
        starts[1:] |= word[1:] & spaceless[:-1]
    found: np.ndarray = np.flatnonzero(starts)
    return found


def token_hashes(text: str, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of the tokens of `match_key(text)`, in order, computed without building it."""
    return token_hashes_batch([text], seed)[0]


def token_hashes_batch(texts: Sequence[str], seed: int) -> list[np.ndarray]:
    """`token_hashes` of many texts, computed together (a few vector operations per batch)."""
    out: list[np.ndarray] = []
    for chunk in _chunks(texts):
        folded = [_folded(t) for t in chunk]
        hashes: list[np.ndarray] = [np.empty(0, dtype=np.uint64)] * len(chunk)
        for same_width in _by_width(folded):
            for i, h in zip(same_width, _token_batch([folded[i] for i in same_width], seed)):
                hashes[i] = h
        out.extend(hashes)
    return out


def _chunks(texts: Sequence[str]) -> Iterator[Sequence[str]]:
    """The texts in runs of about _BATCH_CHARS: a run's arrays stay in the CPU caches."""
    start = 0
    while start < len(texts):
        end, size = start, 0
        while (end < len(texts) and (end == start or size + len(texts[end]) <= _BATCH_CHARS)
               and end - start < _BATCH_TEXTS):
            size += len(texts[end])
            end += 1
        yield texts[start:end]
        start = end


def _by_width(folded: Sequence[str]) -> list[list[int]]:
    """Positions of the ASCII texts, then of the others (each group is handled as bytes or as code points)."""
    narrow = [i for i, t in enumerate(folded) if t.isascii()]
    if len(narrow) == len(folded):
        return [narrow]
    return [group for group in (narrow, [i for i, t in enumerate(folded) if not t.isascii()]) if group]


def _encoded(folded: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """Texts all ASCII or all not, already `_folded`, joined: (codes, word-character mask, mask of characters
    of scripts written without spaces or None when there are none, where each text starts and ends)."""
    joined = " ".join(folded) + " "  # a separator after every text: no token spans two texts
    bounds = np.zeros(len(folded) + 1, dtype=np.int64)
    np.cumsum([len(t) + 1 for t in folded], out=bounds[1:])
    if joined.isascii():
        codes = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        word = ((codes - np.uint8(97)) < 26) | ((codes - np.uint8(48)) < 10)  # lower-cased already: a-z, 0-9
        return codes, word, None, bounds
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    word, spaceless = _classify_batch(codes)
    return codes, word, (spaceless if spaceless.any() else None), bounds


def _token_batch(folded: Sequence[str], seed: int) -> list[np.ndarray]:
    """Token hashes of texts all ASCII or all not, already `_folded`."""
    codes, word, spaceless, bounds = _encoded(folded)
    edges = np.zeros(len(word) + 2, dtype=bool)  # word, with a non-word position before and after
    edges[1:-1] = word
    starts = edges[1:-1] & ~edges[:-2]
    ends = edges[1:-1] & ~edges[2:]  # the last character of each token
    if spaceless is not None:
        # a character of a script written without spaces is a token of its own
        starts |= spaceless
        starts[1:] |= word[1:] & spaceless[:-1]
        ends |= spaceless
        ends[:-1] |= word[:-1] & spaceless[1:]
    first, last = np.flatnonzero(starts), np.flatnonzero(ends)
    sizes = last + 1 - first  # characters per token
    positions = np.flatnonzero(word)
    data, _ = _utf8(codes[positions], np.zeros(1, dtype=np.int64))
    char_starts = np.cumsum(sizes) - sizes  # token starts among the word characters
    if len(data) == len(positions):
        byte_starts, byte_sizes = char_starts, sizes
    else:
        widths = _utf8_sizes(codes[positions])
        ends_at = np.zeros(len(widths) + 1, dtype=np.int64)
        np.cumsum(widths, out=ends_at[1:])
        byte_starts = ends_at[char_starts]
        byte_sizes = ends_at[char_starts + sizes] - byte_starts
    hashes = _bytes_hashes(data, byte_starts, byte_sizes, seed)
    counts = _per_text(first, bounds)
    return np.split(hashes, np.cumsum(counts)[:-1])


_LOW_BYTES = np.array([(1 << 8 * i) - 1 for i in range(8)] + [_MASK64], dtype=np.uint64)


def _bytes_hashes(data: np.ndarray, starts: np.ndarray, sizes: np.ndarray, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of the byte strings data[start:start + size], 8 bytes at a time."""
    buffer = np.zeros(len(data) + 8, dtype=np.uint8)
    buffer[:len(data)] = data
    grams = np.ndarray((len(data) + 1,), dtype="<u8", buffer=buffer, strides=(1,))
    h = sizes.astype(np.uint64) * _odd(seed, 4)
    h ^= grams[starts] & _LOW_BYTES[np.minimum(sizes, 8)]
    _mix(h)
    where = np.flatnonzero(sizes > 8)  # the few strings longer than 8 bytes take more rounds
    at, left = starts[where] + 8, sizes[where] - 8
    while len(where):
        h[where] = _mix(h[where] ^ (grams[at] & _LOW_BYTES[np.minimum(left, 8)]))
        more = left > 8
        at, left, where = at[more] + 8, left[more] - 8, where[more]
    return h


def _key_codes(key: str) -> np.ndarray:
    """Code points of a match key."""
    if key.isascii():
        return np.frombuffer(key.encode("ascii"), dtype=np.uint8)
    return np.frombuffer(key.encode("utf-32-le"), dtype=np.uint32)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser in place: well-mixed bits, so sampling on the low bits is fair."""
    with np.errstate(over="ignore"):
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
    """The fingerprint signature of one clean text."""
    return signatures([text], cfg)[0]


def _folded(text: str) -> str:
    """The text as `_word_codes` reads it: lower-cased ASCII, or NFKC and casefolded."""
    if text.isascii():
        return text.lower()
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def signatures(texts: Sequence[str], cfg: DedupConfig) -> Signatures:
    """The fingerprint signatures of many clean texts, computed together.

    The texts are joined and fingerprinted with a few vector operations over the whole batch,
    so the per-text cost is a few array slices rather than some fifty small numpy calls. ASCII
    texts (most, once casefolded) go as bytes, the others as code points, in two sub-batches.
    """
    out = [_split_by_width(chunk, cfg) for chunk in _chunks(texts)]
    if not out:
        return Signatures.empty()
    return out[0] if len(out) == 1 else Signatures.concatenate(out)


_BATCH_CHARS = 1 << 18
_BATCH_TEXTS = 4096  # texts per batch at most: well within what `_sort_keys` can number


def _split_by_width(texts: Sequence[str], cfg: DedupConfig) -> Signatures:
    folded = [_folded(t) for t in texts]
    groups = _by_width(folded)
    if len(groups) == 1:
        return _batch(folded, texts, cfg)
    narrow, wide = groups
    first = _batch([folded[i] for i in narrow], [texts[i] for i in narrow], cfg)
    second = _batch([folded[i] for i in wide], [texts[i] for i in wide], cfg)
    return Signatures.interleave(first, second, np.array(narrow), np.array(wide))


def _batch(folded: Sequence[str], texts: Sequence[str], cfg: DedupConfig) -> Signatures:
    """The signatures of `texts`, given them as `_folded` has them."""
    codes, word, spaceless_chars, bounds = _encoded(folded)
    spaceless = np.zeros(len(texts), dtype=bool)
    if spaceless_chars is not None:
        spaceless = _per_text(np.flatnonzero(spaceless_chars), bounds) > 0
    positions = np.flatnonzero(word)  # the word characters' positions in `codes`
    lengths = _per_text(positions, bounds)  # word characters per text
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)  # where each text's word characters start
    np.cumsum(lengths, out=offsets[1:])
    edges = np.zeros(len(word) + 1, dtype=bool)
    edges[1:] = word
    token_starts = np.flatnonzero(edges[1:] > edges[:-1])  # in `codes`
    token_lengths = (np.flatnonzero(edges[1:-1] > word[1:]) + 1 - token_starts).astype(np.uint32)
    runs = _per_text(token_starts, bounds)  # tokens per text, as runs of word characters
    words = runs.copy()
    for i in np.flatnonzero(spaceless).tolist():
        words[i] = len(match_key(texts[i]).split())  # each character of those scripts is a word
    data, byte_offsets = _utf8(codes[positions], offsets)
    exact = _exact_hashes(data, byte_offsets, token_lengths, _tokens_before(runs), cfg.seed)
    hashes, sizes = _sampled(data, byte_offsets, words, 2 * words > lengths, cfg)
    return Signatures(hashes, sizes, lengths, words, exact)


def classify_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the word characters (str.isalnum) of code points, and of those of scripts written without spaces."""
    return _classify_batch(codes)


def _classify_batch(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mask of word characters of `codes`, and mask of characters of scripts written without spaces."""
    word = np.frombuffer(_ASCII_TABLE, dtype=np.uint8)[np.minimum(codes, 255)] != 32
    spaceless = np.zeros(len(codes), dtype=bool)
    high = np.flatnonzero(codes >= 128)
    if len(high):
        # few distinct non-ASCII characters per batch: classify each once with str methods
        values = codes[high]
        distinct = sorted_unique(values)
        inverse = np.searchsorted(distinct, values)
        chars = [chr(c) for c in distinct.tolist()]
        is_word = np.array([c.isalnum() for c in chars], dtype=bool)
        is_spaceless = np.array([w and _SPACELESS.match(c) is not None for c, w in zip(chars, is_word.tolist())],
                                dtype=bool)
        word[high] = is_word[inverse]
        spaceless[high] = is_spaceless[inverse]
    return word, spaceless


def _per_text(at: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """How many of the sorted positions `at` fall within each text's bounds."""
    return np.diff(np.searchsorted(at, bounds))


def _tokens_before(words: np.ndarray) -> np.ndarray:
    """Where each text's tokens start in the batch's list of tokens."""
    out = np.zeros(len(words) + 1, dtype=np.int64)
    np.cumsum(words, out=out[1:])
    return out


def _exact_hashes(data: np.ndarray, byte_offsets: np.ndarray, token_lengths: np.ndarray, token_offsets: np.ndarray,
                  seed: int) -> np.ndarray:
    """Per text, a hash of its word characters and its token lengths: equal exactly when the match keys are."""
    n = len(byte_offsets) - 1
    bytes_at, tokens_at = byte_offsets.tolist(), token_offsets.tolist()
    exact = np.empty(n, dtype=np.uint64)
    digest = xxhash.xxh64_intdigest
    for i in range(n):
        exact[i] = digest(data[bytes_at[i]:bytes_at[i + 1]].tobytes()
                          + token_lengths[tokens_at[i]:tokens_at[i + 1]].tobytes(), seed=seed)
    return exact


def _utf8(squeezed: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The word characters as UTF-8 bytes, and where each text starts among them."""
    if squeezed.dtype == np.uint8:
        return squeezed, offsets
    if not len(squeezed) or squeezed.max() < 128:
        return squeezed.astype(np.uint8), offsets
    sizes = _utf8_sizes(squeezed)
    ends = np.zeros(len(squeezed) + 1, dtype=np.int64)
    np.cumsum(sizes, out=ends[1:])
    data = squeezed.tobytes().decode("utf-32-le", "surrogatepass").encode("utf-8", "surrogatepass")
    return np.frombuffer(data, dtype=np.uint8), ends[offsets]


def _utf8_sizes(chars: np.ndarray) -> np.ndarray:
    """Bytes of each code point in UTF-8."""
    return 1 + (chars >= 0x80).astype(np.int64) + (chars >= 0x800) + (chars >= 0x10000)


def _odd(seed: int, salt: int) -> np.uint64:
    """A seeded odd 64-bit multiplier."""
    mixed = int(_mix(np.array([(seed * 0x100000001B3 + salt) & _MASK64], dtype=np.uint64))[0])
    odd: np.uint64 = np.uint64(mixed | 1)
    return odd


def _sampled(data: np.ndarray, offsets: np.ndarray, words: np.ndarray, dense: np.ndarray,
             cfg: DedupConfig) -> tuple[np.ndarray, np.ndarray]:
    """(fingerprints, count per text): hashes of the k-byte windows of each text's word characters.

    A long text keeps the windows that start at an anchor: a position whose next 8 bytes hash
    under 1/sample_mod of the range. Anchors depend only on the text at hand, so a passage two
    texts share gives both the same fingerprints wherever it sits (what containment needs), and
    only the anchored windows are hashed in full. The lead is kept whole (a syndicated excerpt
    is the lead of a story), the rest only its smallest fingerprints, up to max_hashes. A short
    text keeps every window: it matches only near-exact text. Texts mostly of one-character
    words (scripts written without spaces) are `dense`: more anchors, as each byte carries more.
    """
    n = len(offsets) - 1
    k, lead, most = cfg.shingle_chars, cfg.lead_chars, cfg.max_hashes
    sizes = np.diff(offsets)
    long_text = words >= cfg.short_words
    buffer = np.zeros(len(data) + 8, dtype=np.uint8)
    buffer[:len(data)] = data
    # every position's next 8 bytes as one little-endian integer (an unaligned strided view)
    grams = np.ndarray((len(data),), dtype="<u8", buffer=buffer, strides=(1,))
    context = min(k, 8)
    limit = (1 << 64) // cfg.sample_mod
    dense_limit = (1 << 64) // max(1, cfg.sample_mod // 4)
    top = dense_limit if (dense & long_text).any() else limit
    scored = grams if context == 8 else grams & np.uint64((1 << 8 * context) - 1)
    scored = scored * _odd(cfg.seed, 1)
    at = np.flatnonzero(scored < np.uint64(top - 1))
    doc = np.searchsorted(offsets, at, side="right") - 1
    ceiling = np.where(dense, dense_limit, limit)
    keep = long_text[doc] & (at - offsets[doc] <= sizes[doc] - k) & (scored[at] < ceiling[doc] - 1)
    at, doc = at[keep], doc[keep]
    short_text = ~long_text & (sizes >= k)
    if short_text.any():
        shorts = np.flatnonzero(short_text)
        counts = sizes[shorts] - k + 1
        at = np.concatenate((at, np.repeat(offsets[shorts] - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
                             + np.arange(int(counts.sum()))))
        doc = np.concatenate((doc, np.repeat(shorts, counts)))
    h = _window_hashes(grams, at, k, cfg.seed)
    rest = long_text[doc] & (at - offsets[doc] >= lead)
    # a short text's windows that a long text would anchor too: kept before its others, so a teaser shares
    # every anchor of the stretch of a long text it copies (its other windows only match other short texts)
    anchor = ~long_text[doc] & (scored[at] < ceiling[doc] - 1)
    key = _sort_keys(doc, h, rest, n)  # one sort by (text, fingerprint, lead before rest)
    order = np.argsort(key)
    key, doc, h, rest, anchor = key[order], doc[order], h[order], rest[order], anchor[order]
    first = np.ones(len(h), dtype=bool)  # one of each fingerprint per text, from the lead if it is there
    first[1:] = (key[1:] >> np.uint64(1)) != (key[:-1] >> np.uint64(1))
    doc, h, rest, anchor = doc[first], h[first], rest[first], anchor[first]
    # rank of each fingerprint among its text's lead (or rest) fingerprints, in fingerprint order
    text_start = np.searchsorted(doc, np.arange(n))[doc]
    in_rest = np.cumsum(rest) - rest
    rest_rank = in_rest - in_rest[text_start]
    lead_rank = np.arange(len(h)) - text_start - rest_rank
    cap = np.where(long_text, most * 3 // 4, most)
    if anchor.any():  # a short text's anchors rank first among its windows
        anchors_of = np.bincount(doc[anchor], minlength=n)
        in_anchor = np.cumsum(anchor) - anchor
        anchor_rank = in_anchor - in_anchor[text_start]
        lead_rank = np.where(anchor, anchor_rank, anchors_of[doc] + lead_rank - anchor_rank)
    heads = np.minimum(np.bincount(doc[~rest], minlength=n), cap)
    keep = np.where(rest, rest_rank < most - heads[doc], lead_rank < cap[doc])
    return h[keep], np.bincount(doc[keep], minlength=n).astype(np.int64)


_KEY_TEXT_BITS = 16  # a sort key's top bits: the text's ordinal in its batch


def _sort_keys(doc: np.ndarray, h: np.ndarray, rest: np.ndarray, texts: int) -> np.ndarray:
    """Keys that sort fingerprints by (text, fingerprint, lead before rest): per fingerprint, its text's
    ordinal in the top 16 bits, the top 47 bits of the fingerprint, then whether it is from the rest.

    Two different fingerprints of a text agreeing in their top 47 bits: about one text in ten billion.
    """
    if texts > 1 << _KEY_TEXT_BITS:
        raise ValueError(f"{texts} texts in one batch: a sort key numbers at most {1 << _KEY_TEXT_BITS}")
    keys: np.ndarray = (doc.astype(np.uint64) << np.uint64(64 - _KEY_TEXT_BITS)) \
        | ((h >> np.uint64(_KEY_TEXT_BITS + 1)) << np.uint64(1)) | rest
    return keys


def _window_hashes(grams: np.ndarray, at: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Seeded 64-bit hashes of the k-byte windows starting at `at` (`grams`: 8 bytes from each position)."""
    h = np.full(len(at), _odd(seed, 2), dtype=np.uint64)
    if k < 8:
        return _mix(h ^ (grams[at] & np.uint64((1 << 8 * k) - 1)))
    steps = list(range(0, k - 7, 8))
    if k % 8:
        steps.append(k - 8)  # the last 8 bytes, overlapping the word before
    for step in steps:
        h ^= grams[at + step]
        _mix(h)
    return h
