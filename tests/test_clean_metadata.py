"""metadata: title, byline and date above the body."""

from __future__ import annotations

from clean_samples import PARAGRAPHS, page

from cleanwire.clean import clean_text_dump
from cleanwire.clean.lines import GOOD, SHORT, STRONG_JUNK
from cleanwire.clean.metadata import find_metadata


def test_byline_and_date() -> None:
    result = clean_text_dump(page("Valley farmers told to draw less water", "March 3, 2024 by Ana Ruiz", *PARAGRAPHS))
    assert result.author == "Ana Ruiz"
    assert result.date == "March 3, 2024"
    assert result.title == "Valley farmers told to draw less water"


def test_title_skips_credits_and_shouting_lines() -> None:
    result = clean_text_dump(
        page("Home", "Valley farmers told to draw less water", "WEATHER DESK EDITOR", "Staff and agencies", *PARAGRAPHS)
    )
    assert result.title == "Valley farmers told to draw less water"


def test_metadata_from_lower_case_lines_agrees() -> None:
    lines = ["Home", "River authority asks valley farmers to draw less water", "By Jane Doe", "March 3, 2024",
             *PARAGRAPHS]
    classes = [STRONG_JUNK, SHORT, SHORT, SHORT] + [GOOD] * len(PARAGRAPHS)
    expected = ("River authority asks valley farmers to draw less water", "Jane Doe", "March 3, 2024")
    assert find_metadata(lines, classes, 4) == expected
    assert find_metadata(lines, classes, 4, [line.lower() for line in lines]) == expected

