"""What cleaning one page will take in memory, estimated before it is cleaned, from counts made in C.

The text-dump cleaner holds Python objects per line and per word (the lines in two cases, each line's
words, parallel lists of verdicts) and a few copies of the page, so its peak memory follows the page's
line breaks and spaces more than its bytes: a page of short lines takes about 130 times its size, long
prose lines about 20 times. lxml and trafilatura hold objects per element. Peak RSS of `clean` on one
page, less the ~45 MB of a started process, against this estimate (MB):

    4 / 16 MB of 1-2 word lines (0.9M / 3.7M lines)        515 / 2058   estimate 524 / 2097
    22 MB of 2-30 word lines (0.5M lines, 7.5M spaces)     902          estimate 969
    32 MB of 160-byte lines (0.2M lines, 11M spaces)       1089         estimate 1148
    16 MB of prose paragraphs (41k lines, 2.7M spaces)     312          estimate 320
    1 / 4.4 MB of small HTML elements (155k / 645k tags)   142 / 555    estimate 149 / 619
"""

from __future__ import annotations

PER_CHAR = 5  # the page, normalised, lower-cased, split into lines, each case
PER_SPACE = 80  # a word: its string in the line's word list
PER_LINE = 500  # a line: two strings, a word list, an entry in each verdict list
PER_TAG = 800  # an HTML element in lxml's tree and trafilatura's copies


def cleaning_memory(text: str, kind: str) -> int:
    """About how many bytes cleaning `text` (a page dump, or HTML when kind is "html") takes at its peak."""
    tags = text.count("<") if kind == "html" else 0
    return PER_CHAR * len(text) + PER_SPACE * text.count(" ") + PER_LINE * text.count("\n") + PER_TAG * tags
