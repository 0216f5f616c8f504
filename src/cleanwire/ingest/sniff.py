"""What a file holds, from its name and first bytes: its format, a binary signature, a BOM or BOM-less UTF-16."""

from __future__ import annotations

import json
import os
import re

from cleanwire.config import IngestConfig
from cleanwire.ingest.text import BLANK

SNIFF_BYTES = 64 * 1024  # the head of a file that the checks here look at

_EXTENSION_FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonlines": "jsonl",
    ".parquet": "parquet",
    ".warc": "warc", ".wet": "warc",  # `.warc.gz`, `.warc.wet.gz`: named by what is inside the compression
}
WARC_SIGNATURE = b"WARC/1."  # WARC/1.0, WARC/1.1: the first line of every WARC record
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "zip archive"),
    (b"\x1f\x8b", "gzip data; decompress it first"), (b"\xfd7zXZ\x00", "xz data; decompress it first"),
    (b"\x28\xb5\x2f\xfd", "zstd data; decompress it first"), (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"), (b"SQLite format 3\x00", "SQLite database"),
    (b"\xfe\xed\xfa\xce", "executable"), (b"\xfe\xed\xfa\xcf", "executable"),  # Mach-O
    (b"\xce\xfa\xed\xfe", "executable"), (b"\xcf\xfa\xed\xfe", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),  # a universal Mach-O binary or a Java class
    (b"\x00asm", "WebAssembly"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Office document"),
    (b"Rar!\x1a\x07", "RAR archive"), (b"II*\x00", "TIFF image"), (b"MM\x00*", "TIFF image"),
    (b"OggS\x00", "Ogg media"), (b"\x04\x22\x4d\x18", "lz4 data; decompress it first"),
)  # no plain-ASCII 4-byte signatures (fLaC, PAR1...): a text could start with one; the share of control bytes tells
_BOMS = (  # UTF-32 first: its little-endian BOM starts with UTF-16's
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
)
_MAGIC_PREFIXES = tuple(magic for magic, _ in _MAGIC)
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)
_WIDE_BOM_PREFIXES = _BOM_PREFIXES[1:]  # every BOM but UTF-8's
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b") + b"\x7f"
_HTML_TAG = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|span|article|section|table|script|style|a|br|h[1-6])"
    r"[\s/>]", re.IGNORECASE,
)


def known_format(path: str, cfg: IngestConfig) -> str | None:
    """The format the configuration forces or the file extension names, else None (sniff the content)."""
    return cfg.input_format or _EXTENSION_FORMATS.get(os.path.splitext(path)[1].lower())


def detect_format(path: str, head: bytes) -> str:
    """ "text", "html", "jsonl" (or "json-array"), "parquet" or "warc": by extension, else by sniffing the first
    bytes."""
    ext = os.path.splitext(path)[1].lower()
    if ext in _EXTENSION_FORMATS:
        return _EXTENSION_FORMATS[ext]
    if is_parquet(head):
        return "parquet"
    if head.startswith(WARC_SIGNATURE):
        return "warc"
    codec = bom_codec(head) or wide_without_bom(head) or "utf-8"
    text = head.decode(codec, errors="replace").lstrip(BLANK)
    if text.startswith("<") and _HTML_TAG.search(text, 0, 8192):
        return "html"
    if text.startswith("{") and _looks_like_jsonl(text, truncated=len(head) == SNIFF_BYTES):
        return "jsonl"
    if ext == ".json" and text.startswith("["):
        return "json-array"
    return "text"


def is_parquet(head: bytes) -> bool:
    """PAR1 and then a page header (a control byte), not a text that starts with the word PAR1."""
    return head.startswith(b"PAR1") and len(head) > 4 and head[4] < 0x20 and head[4] not in b"\t\n\r"


def _looks_like_jsonl(text: str, truncated: bool) -> bool:
    """The first complete non-blank line is a JSON object, or most of the first five are (a broken line
    then is one error, not the whole file read as a text dump); a first line too long to see counts."""
    lines = text.split("\n")
    if truncated:
        lines = lines[:-1]
    verdicts = [_is_json_object(line) for line in lines if line.strip()][:5]
    if not verdicts:
        return truncated
    return verdicts[0] or sum(verdicts) * 2 > len(verdicts)


def jsonl_refusal(head: bytes) -> str | None:
    """Why a file that should hold JSON lines and starts with `head` is one error rather than one per line.

    UTF-16/32 (every line would fail), or text: no JSON object, nor a line that starts like one, among the
    first five non-blank lines (a text dump named `.jsonl` is one mistake, not thousands).
    """
    if has_wide_bom(head) or wide_without_bom(head) is not None:
        return "JSON lines in UTF-16/32; convert to UTF-8 (iconv)"
    lines = head.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    if len(head) == SNIFF_BYTES:
        lines = lines[:-1]  # cut short: a line too long to see may still be a record
    first = [line.strip() for line in lines if line.strip()][:5]
    if first and not any(line.startswith(b"{") for line in first):
        return "not JSON lines: no JSON object on its first lines"
    return None


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def binary_kind(head: bytes) -> str | None:
    """What binary data `head` (the first bytes of a file) looks like, or None for text.

    Binary by a signature, or by the share of control bytes: real pages can hold a few NUL bytes (a broken
    scraper, an <img> attribute) and are text; data that is a tenth control bytes is not.
    """
    magic = magic_kind(head)
    if magic is not None:
        return magic
    if head.startswith(_BOM_PREFIXES) or wide_without_bom(head) is not None:
        return None  # UTF-16/32 text is full of NUL and control bytes; its decoded text is checked instead
    sample = head[:8192]
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    if controls * 10 <= len(sample):
        return None
    return "NUL bytes" if sample.count(0) * 2 >= controls else "control bytes"


def magic_kind(head: bytes) -> str | None:
    """The kind of file a known binary signature at the start of `head` announces (images, archives...)."""
    if head.startswith(_MAGIC_PREFIXES):
        return next(name for magic, name in _MAGIC if head.startswith(magic))
    if head.startswith(b"RIFF") and head[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return "RIFF media"
    if head.startswith(b"BZh") and head[4:10] == b"1AY&SY":
        return "bzip2 data; decompress it first"
    if head.startswith(b"MZ") and b"\x00" in head[2:64]:  # a DOS or Windows program: a header of small numbers
        return "executable"
    if head[257:263] in (b"ustar\x00", b"ustar "):
        return "tar archive"
    if head[4:8] == b"ftyp" and head[8:12].isalnum():
        return "MP4 media"
    if head.startswith(b"ID3") and head[3:4] in (b"\x02", b"\x03", b"\x04") and head[4:5] == b"\x00":
        return "MP3 audio"
    return None


def has_wide_bom(head: bytes) -> bool:
    """Does `head` start with a UTF-16 or UTF-32 byte order mark?"""
    return head.startswith(_WIDE_BOM_PREFIXES)


def bom_codec(data: bytes) -> str | None:
    """The codec a byte order mark at the start of `data` names, or None."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    return None


def wide_without_bom(head: bytes) -> str | None:
    """UTF-16 or UTF-32 without a BOM, from the NUL bytes that mostly-ASCII text leaves; else None."""
    return utf32_without_bom(head) or utf16_without_bom(head)


def utf32_without_bom(head: bytes) -> str | None:
    """UTF-32 without a BOM: below U+10000 the two high bytes of every character are NUL, and ASCII one more."""
    quarter = len(head) // 4
    if quarter < 16 or b"\x00" not in head:
        return None
    zeros = [head[phase::4].count(0) for phase in range(4)]
    if zeros[3] * 20 >= quarter * 19 and zeros[2] * 10 >= quarter * 9 and zeros[0] * 20 < quarter:
        return "utf-32-le"
    if zeros[0] * 20 >= quarter * 19 and zeros[1] * 10 >= quarter * 9 and zeros[3] * 20 < quarter:
        return "utf-32-be"
    return None


def utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 without a BOM: mostly-ASCII text leaves a NUL in every other byte."""
    half = len(head) // 2
    if half < 16:  # too short to tell from binary
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd * 10 >= half * 4 and even * 20 < half:
        return "utf-16-le"
    if even * 10 >= half * 4 and odd * 20 < half:
        return "utf-16-be"
    return None
