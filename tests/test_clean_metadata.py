"""metadata: title, byline and date above the body."""

from __future__ import annotations

import pytest
from clean_samples import PARAGRAPHS, page

from cleanwire.clean import clean_text_dump
from cleanwire.clean.lines import GOOD, SHORT, STRONG_JUNK
from cleanwire.clean.metadata import find_metadata, iso_date
from cleanwire.config import Config
from cleanwire.document import Document
from cleanwire.engines.local import LocalEngine
from cleanwire.pipeline import Counters, DocumentSource, clean_stream
from cleanwire.stages import StageState, clean_document


def test_byline_and_date() -> None:
    result = clean_text_dump(page("Valley farmers told to draw less water", "March 3, 2024 by Ana Ruiz", *PARAGRAPHS))
    assert result.author == "Ana Ruiz"
    assert result.date == "2024-03-03"
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
    expected = ("River authority asks valley farmers to draw less water", "Jane Doe", "2024-03-03")
    assert find_metadata(lines, classes, 4) == expected
    assert find_metadata(lines, classes, 4, [line.lower() for line in lines]) == expected



@pytest.mark.parametrize(("raw", "iso"), [
    ("March 3, 2024", "2024-03-03"),
    ("Jan. 8, 2008", "2008-01-08"),
    ("9th January 2008", "2008-01-09"),
    ("06 January, 2008", "2008-01-06"),
    ("Jan 09 2008", "2008-01-09"),
    ("2008-01-12", "2008-01-12"),
    ("01/14/08", "2008-01-14"),
    ("1/7/2008", "2008-01-07"),  # both parts could be the month: read as US month/day
    ("14/01/2008", "2008-01-14"),  # the first part cannot be a month: day/month
    ("December 2007", "2007-12"),
    ("February 30, 2008", None),
    ("13/14/2008", None),
])
def test_dates_are_iso_8601(raw: str, iso: str | None) -> None:
    assert iso_date(raw) == iso
    result = clean_text_dump(page("Valley farmers told to draw less water", f"Updated {raw}", *PARAGRAPHS))
    assert result.date == iso


@pytest.mark.parametrize("junk", [
    "ELAINE THOMPSON Associated Press",
    "Save Email Print",
    "Save This Page",
    "Send this article: Print Email",
    "Create your own RSS",
    "Click photo to enlarge",
    "Submit comment: Submit comment",
    "You Tell Us",
    "Staff and agencies",
    "The Associated Press",
    "Robert Fife, CTV Ottawa Bureau Chief",
    "Fri Dec 28, 7:05 AM ET",
    "Topics: tj nba ford raptors",
    "Article from: Agence France-Presse",
    "HomeNewsSportWeatherTravel",
    "Email a Friend",
    "Printer friendly version",
    "Go to Google News",
    "AP Golf Writer",
    "Roland Parry, Washington",
    "Andrew Hendry, Computerworld Australia",
])
def test_a_junk_line_is_never_the_title(junk: str) -> None:
    assert clean_text_dump(page(junk, *PARAGRAPHS)).title is None
    headed = clean_text_dump(page("Valley farmers told to draw less water", junk, *PARAGRAPHS))
    assert headed.title == "Valley farmers told to draw less water"


@pytest.mark.parametrize(("line", "author"), [
    ("Share by Email", None),
    ("Statement by NATO", None),
    ("Sarkozy Hit by French Criticism", None),
    ("By Email", None),
    ("By NATO", None),
    ("By Ana Ruiz", "Ana Ruiz"),
    ("By ANA RUIZ", "ANA RUIZ"),
    ("Story by Ana Ruiz", "Ana Ruiz"),
    ("Posted by Ana Ruiz January 14, 2008", "Ana Ruiz"),
    ("March 3, 2024 | By Ana Ruiz", "Ana Ruiz"),
    ("16th Jan 2008, 09:28am by Ana Ruiz .", "Ana Ruiz"),
    ("Posted in Farming , Water by Ana Ruiz on January 7th, 2008", "Ana Ruiz"),
    ("Email | Print | Text size – + By Ana Ruiz", "Ana Ruiz"),
    ("(Photo by Ana Ruiz)", None),  # a photographer
    ("We will stand by De Villiers - Erasmus", None),
    ("By Staff", None),
    ("By Ana Ruiz Thursday;", "Ana Ruiz"),
])
def test_an_author_is_a_name_or_null(line: str, author: str | None) -> None:
    result = clean_text_dump(page("Valley farmers told to draw less water", line, *PARAGRAPHS))
    assert result.author == author


def test_the_title_is_the_same_alone_and_in_a_run_of_a_thousand() -> None:
    # the site's share bar sits between each headline and its story: a run learns it is the template,
    # a page cleaned alone must not take it for the headline
    docs = []
    for i in range(1_000):
        body = [f"{p} Report {i} of the series." for p in PARAGRAPHS]
        docs.append(Document(id=f"d{i}", text="\n".join(
            ["Home", "News", f"Council votes on budget plan number {i}", "Save Email Print", *body])))
    config = Config()
    alone = [clean_document(Document(id=d.id, text=d.text), StageState(config)).title for d in docs[:3]]
    run = {d.id: d.title for d in clean_stream(
        DocumentSource([Document(id=d.id, text=d.text) for d in docs]), config, LocalEngine(1), Counters())}
    assert alone == [run["d0"], run["d1"], run["d2"]] == [f"Council votes on budget plan number {i}" for i in range(3)]
