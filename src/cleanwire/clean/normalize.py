"""Unicode and whitespace normalisation shared by every cleaning path."""

from __future__ import annotations

import re
import unicodedata

# Characters NFKC leaves alone that still act as spaces or as nothing at all.
_SPACE_LIKE = dict.fromkeys(map(ord, "\t\v\f\u1680\u180e\u200b\u2060\u3000\u202f\u205f\u00a0"), " ")
_SPACE_LIKE.update(dict.fromkeys(map(ord, "\u200c\u200d\ufeff\u00ad"), None))  # zero width, soft hyphen
_SPACE_LIKE.update({ord("\r"): "\n", 0x2028: "\n", 0x2029: "\n", 0x85: "\n"})
_SPACES = re.compile(r"[ ]{2,}")


def normalize_text(text: str) -> str:
    """NFKC, odd spaces to ' ', one space between words, stripped lines, no empty lines."""
    text = text.replace("\r\n", "\n")
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.translate(_SPACE_LIKE)
    text = _SPACES.sub(" ", text)
    return "\n".join(line for line in map(str.strip, text.split("\n")) if line)
