"""Character rules every ingest stage shares: what counts as blank, and lone surrogates made writable."""

from __future__ import annotations

import re

BLANK = " \t\n\r\f\v\u00a0\u200b\ufeff\u3000"  # an input holding only these is an "empty input"

_SURROGATES = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """JSON may hold lone surrogates, which no UTF-8 writer accepts; replace them."""
    return _SURROGATES.sub("\ufffd", text) if _SURROGATES.search(text) else text
