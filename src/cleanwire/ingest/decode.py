"""Bytes -> text: BOMs, UTF-8 with a few bad bytes, declared HTML charsets, legacy encodings; None for binary."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from cleanwire.ingest.sniff import SNIFF_BYTES, bom_codec, wide_without_bom

_DETECT_BYTES = 1024 * 1024
_CONTROL_CHARS = re.compile("[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
# no two adjacent optional runs that can trade characters: that would backtrack quadratically
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s{0,20}=\s{0,20}["']?([A-Za-z0-9_.:-]{1,40})""",
                               re.IGNORECASE)
_WESTERN_CHARS = re.compile("[\u00a0-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
                            "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")
_WESTERN_CODECS = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii"})
_OTHER_LATIN_CODECS = frozenset({"cp1250", "iso8859_2", "cp1257", "iso8859_4", "iso8859_13", "iso8859_10",
                                 "iso8859_14", "iso8859_16", "iso8859_3", "cp1254", "iso8859_9", "cp1258"})
_WESTERN_BYTES = (b"\xe0", b"\xc0", b"\xf1", b"\xd1", b"\xe5", b"\xc5")  # à À ñ Ñ å Å
_CENTRAL_BYTES = (b"\xec", b"\xcc", b"\xb9", b"\xa5", b"\xb3", b"\xa3", b"\xbf", b"\xaf", b"\x9c", b"\x8c",
                  b"\x9f", b"\x8f", b"\xba", b"\xaa", b"\xfe", b"\xde")  # ě Ě ą Ą ł Ł ż Ż ś Ś ź Ź ş Ş ţ Ţ
_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")


def decode_bytes(data: bytes, html: bool = False) -> str | None:
    """Text from bytes in whatever encoding they are in; None when no text encoding is plausible.

    Detection looks at one MiB around the first byte that is not UTF-8 (charset-normalizer and the Western
    check cost time per byte); the whole input is then decoded with the encoding found.
    """
    codec = bom_codec(data) or wide_without_bom(data[:SNIFF_BYTES])
    if codec is not None:
        try:
            return _plausible(data.decode(codec))
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        sample = _sample_around(data, exc.start)
    if mostly_utf8(sample):
        return data.decode("utf-8", errors="replace")
    if html:
        declared = _declared_charset(data)
        if declared is not None:
            try:
                return _plausible(data.decode(declared))
            except UnicodeDecodeError:
                pass
    codec = _legacy_codec(sample)
    return _plausible(data.decode(codec, errors="replace")) if codec else None


def _sample_around(data: bytes, invalid: int) -> bytes:
    """The bytes detection looks at: the first invalid byte may sit far into a long ASCII file."""
    start = max(0, min(invalid - _DETECT_BYTES // 2, len(data) - _DETECT_BYTES))
    return data[start:start + _DETECT_BYTES]


def mostly_utf8(data: bytes) -> bool:
    """Whether `data` is UTF-8 with a few invalid bytes: at least as many valid multi-byte characters."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    valid = non_ascii - invalid
    # valid multi-byte sequences almost never occur by chance in a legacy encoding
    return valid > 0 and valid >= invalid


def _declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag; Latin-1 read as cp1252, as browsers do."""
    declared = _DECLARED_CHARSET.search(data, 0, 8192)
    if declared is None:
        return None
    try:
        name = codecs.lookup(declared.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "cp1252" if name in ("iso8859-1", "latin-1", "ascii") else name


def _legacy_codec(sample: bytes) -> str | None:
    """The legacy encoding of bytes that are not UTF-8: charset-normalizer, corrected towards cp1252.

    charset-normalizer often reads short Western text with curly quotes as a DOS or Mac code page, and
    French as cp1250 (à -> ŕ); cp1252, the most common legacy encoding of web text, wins those cases.
    """
    best = from_bytes(sample).best()
    name: str | None = best.encoding if best is not None else None
    if name in _WESTERN_CODECS:
        return "cp1252" if name == "ascii" else name  # a sample can be ASCII where the rest is not
    if name in _OTHER_LATIN_CODECS:
        western, central = _latin_votes(sample)
        return "cp1252" if western > central and _cp1252_strict(sample) else name
    if _western_text(sample) is not None:  # also short Western text taken for a DOS, Mac or CJK code page
        return "cp1252"
    if name is not None:
        return name
    return "cp1252" if _plausible(sample.decode("cp1252", errors="replace")) is not None else None


def _latin_votes(sample: bytes) -> tuple[int, int]:
    """Bytes whose cp1252 letter is common in Western languages, and bytes whose cp1250 letter is common in
    Central European ones (à ñ å against ě ą ł ż ś ź ş ţ); the bytes both read alike say nothing."""
    western = sum(sample.count(b) for b in _WESTERN_BYTES)
    central = sum(sample.count(b) for b in _CENTRAL_BYTES)
    return western, central


def _cp1252_strict(sample: bytes) -> bool:
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _western_text(sample: bytes) -> str | None:
    """`sample` as cp1252 when that reads as Western European text: accents inside words, Windows punctuation."""
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = in_runs = 0
    for match in _NON_ASCII_RUN.finditer(text):
        run = match.group()
        if _WESTERN_CHARS.fullmatch(run) is None:
            return None
        count = sum(1 for ch in run if ch.isalpha())
        letters += count
        in_runs += count if count > 1 else 0
    # Cyrillic, Greek or CJK bytes read as cp1252 give whole words of accented letters
    return _plausible(text) if in_runs * 2 <= letters else None


def _plausible(text: str) -> str | None:
    """`text`, unless its start is so full of control characters that it is binary data after all."""
    sample = text[:8192]
    if len(_CONTROL_CHARS.findall(sample)) * 20 > len(sample):
        return None
    return text
