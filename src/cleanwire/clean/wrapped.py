"""Hard-wrapped text (plain-text press releases): input lines grouped back into paragraphs."""

from __future__ import annotations

import re

from cleanwire.clean.lines import ends_sentence

_LOWER_CONTINUATION = re.compile(r"\n[a-zß-ÿ]")
_WRAP_MIN, _WRAP_MAX = 30, 100  # line lengths of hard-wrapped text
_WRAPPED_PAGE_LINES = 5  # distinct mid-sentence breaks that make a page hard-wrapped
_WRAP_SHARE = 0.7  # ... of which this share fills the wrap width
_WRAP_FILL = 0.8  # a line this close to the wrap width was broken by the wrap
_WRAP_WIDTH_MIN = 60  # narrower "wraps" are short lines of comments and verse, not a layout


def wrapped_paragraphs(text: str, lines: list[str]) -> list[list[int]] | None:
    """The places of the lines of each paragraph of a hard-wrapped page, or None if it is not wrapped.

    `text`: the normalised page, `lines` its lines. A wrapped line breaks mid-sentence: it is
    30 to 100 characters long, does not end a sentence, and the next line goes on in lower
    case or the line is nearly as long as the longest such line (the wrap width).
    """
    # hard wrapping shows as many lines that go on in lower case; a C-level scan rules it out
    if len(_LOWER_CONTINUATION.findall(text)) < _WRAPPED_PAGE_LINES:
        return None
    pairs = [
        i for i in range(len(lines) - 1)
        if _WRAP_MIN <= len(lines[i]) <= _WRAP_MAX
        and lines[i + 1][:1].islower()
        and lines[i + 1].count(" ") >= 2
        and lines[i].count(" ") >= 4
        and not ends_sentence(lines[i])
    ]
    if len(set(lines[i] for i in pairs)) < _WRAPPED_PAGE_LINES:
        return None
    # a wrap has a width: most broken lines come close to the longest one
    width = max(len(lines[i]) for i in pairs)
    if width < _WRAP_WIDTH_MIN or sum(len(lines[i]) >= _WRAP_FILL * width for i in pairs) < _WRAP_SHARE * len(pairs):
        return None
    groups: list[list[int]] = [[0]]
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        wrapped = (
            _WRAP_MIN <= len(prev) <= _WRAP_MAX
            and not ends_sentence(prev)
            and (lines[i][:1].islower() or len(prev) >= _WRAP_FILL * width)
        )
        if wrapped:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups
