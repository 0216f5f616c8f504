"""Unicode and whitespace normalisation shared by every cleaning path."""

from __future__ import annotations

import re
import unicodedata

# Characters NFKC leaves alone that still act as spaces, or as nothing at all. Regex
# passes, not str.translate: translate with a mapping is slow on non-ASCII text.
_SPACE_CHARS = "\t\v\f\u00a0\u1680\u180e\u2000-\u200b\u202f\u205f\u2060\u3000"  # a character class body
_SPACE_RUNS = re.compile(f"[{_SPACE_CHARS}][ {_SPACE_CHARS}]*| [ {_SPACE_CHARS}]+")
_INVISIBLE = re.compile("[\u200c\u200d\ufeff\u00ad]+")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")


_ODD_SPACES = "\t\v\f\u1680\u180e\u200b\u2060"  # the space-like characters NFKC keeps
_INVISIBLES = "\u200c\u200d\ufeff\u00ad"
_BREAKS = "\r\u2028\u2029\x85"


def normalize_text(text: str) -> str:
    """NFKC, odd spaces to ' ', one space between words, stripped lines, no empty lines."""
    # each pass runs only when its characters occur: `in` scans far faster than a regex
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)  # also maps NBSP and the U+2000 spaces to ' '
        if any(c in text for c in _INVISIBLES):
            text = _INVISIBLE.sub("", text)
    if any(c in text for c in _BREAKS):
        text = _LINE_BREAKS.sub("\n", text)
    if "  " in text or any(c in text for c in _ODD_SPACES):
        text = _SPACE_RUNS.sub(" ", text)
    # filter(None, ...): the empty lines go in C, no Python frame per line
    return "\n".join(filter(None, map(str.strip, text.split("\n"))))
