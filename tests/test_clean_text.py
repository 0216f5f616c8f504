"""clean_text_dump and clean_lines: the passes end to end, explain, fallbacks, hostile input, linear time."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from clean_samples import OTHER_PROSE, PARAGRAPHS, page
from conftest import paragraphs
from hypothesis import given, settings
from hypothesis import strategies as st
from linear import assert_linear

from cleanwire.clean import (
    CleanedText,
    LineDecision,
    clean_text_dump,
    lexicon,
    markup,
    metadata,
    region,
    template,
    text,
    wrapped,
)
from cleanwire.clean import lines as line_rules

# hostile lines: one unit repeated (an "x" closes each)
HOSTILE = ["a", "A", "aA", " ", ".", "|", "| ", "- ", "!?", "<", "<p", "1/", "by ", "Jan 1 ", "A. ",
           "\u00a0", "é", "中"]

PATTERNS = [
    value
    for module in (text, line_rules, region, metadata, wrapped, lexicon, markup, template)
    for value in vars(module).values()
    if isinstance(value, re.Pattern)
]
WORD_PATTERNS = list(lexicon.JUNK_PHRASES_BY_WORD.values())


def test_keeps_article_and_drops_junk_phrases() -> None:
    result = clean_text_dump(
        page(
            "Follow us on social",
            "Loading...",
            "Home",
            "River authority asks valley farmers to draw less water",
            "Photo: A dry riverbed near the dam. Image: Staff photographer.",
            *PARAGRAPHS,
            "READ MORE",
            "Connect with us",
            "Exit mobile version",
        )
    )
    assert isinstance(result, CleanedText)
    assert result.body.split("\n") == PARAGRAPHS
    assert result.title == "River authority asks valley farmers to draw less water"


def test_duplicate_lines_dropped() -> None:
    result = clean_text_dump(page(PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[1], PARAGRAPHS[2]), explain=True)
    assert result.body.split("\n") == PARAGRAPHS
    assert [d.rule for d in result.decisions].count("duplicate-line") == 1


def test_explain_fills_a_decision_per_line() -> None:
    raw = page("Home", "Sign up for our newsletter", *PARAGRAPHS, "Share on Facebook")
    quiet = clean_text_dump(raw)
    assert quiet.decisions == []
    result = clean_text_dump(raw, explain=True)
    assert [d.line for d in result.decisions] == raw.split("\n")
    assert all(isinstance(d, LineDecision) and 0.0 <= d.score <= 1.0 for d in result.decisions)
    by_line = {d.line: d for d in result.decisions}
    assert by_line["Sign up for our newsletter"].rule == "junk-phrase"
    assert not by_line["Share on Facebook"].keep
    assert all(by_line[p].keep and by_line[p].rule == "body" for p in PARAGRAPHS)
    assert result.body == quiet.body


def test_empty_and_blank_input() -> None:
    assert clean_text_dump("").body == ""
    assert clean_text_dump(" \n \r\n\t").body == ""


@pytest.mark.parametrize("unit", HOSTILE, ids=map(repr, HOSTILE))
def test_every_rule_is_linear_on_hostile_lines(unit: str) -> None:
    def run(size: int) -> None:
        line = unit * (size // len(unit)) + "x"
        for pattern in PATTERNS:
            pattern.search(line)
            pattern.findall(line[: size // 5])
        for pattern in WORD_PATTERNS:  # many small patterns: a shorter line still shows a blow-up
            pattern.search(line[: size // 10])
        line_rules.classify_line(line, line.lower(), None, False)
        clean_text_dump(line)
        clean_text_dump("\n".join([line[: size // 20]] * 20))
        markup.html_to_text(line)

    assert_linear(run, 25_000, repr(unit))


def _many_lines(unit: str, seed: int = 3) -> Callable[[int], None]:
    """A page of `size` characters of lines made of `unit`, a made-up prose paragraph between them."""
    prose = paragraphs(seed, count=2_000, words=30)

    def run(size: int) -> None:
        out: list[str] = []
        total = i = 0
        while total < size:
            line = unit.format(i=i) + "\n" + prose[i % len(prose)]
            out.append(line)
            total += len(line) + 1
            i += 1
        clean_text_dump("\n".join(out))

    return run


@pytest.mark.parametrize("unit", [
    "SPEAKER {i}:",  # a transcript: every other line ends in ":" (a line count from the page start each: quadratic)
    "Share this article",
    "Read the full story",
    "Sign up for our newsletter {i}",
    "Advertisement",
    "Tags:",
    "Posted by Ann {i}",
    "{i}",
])
def test_cleaning_is_linear_on_pages_of_many_lines(unit: str) -> None:
    assert_linear(_many_lines(unit), 100_000, unit)


@pytest.mark.parametrize("unit", ["SPEAKER {i}:", "Share this article", "Read more", "©"])
def test_cleaning_is_linear_on_pages_of_only_such_lines(unit: str) -> None:
    def run(size: int) -> None:
        count = size // (len(unit) + 5)
        clean_text_dump("\n".join(unit.format(i=i) + (" x" if i % 3 else "") for i in range(count)))

    assert_linear(run, 100_000, unit)


@pytest.mark.parametrize("unit", ["a", "aA", ". ", "| ", "<p", "Jan 1 ", "by Ann "])
def test_cleaning_time_grows_linearly(unit: str) -> None:
    def run(size: int) -> None:
        line = unit * (size // len(unit))
        clean_text_dump(line)
        clean_text_dump("\n".join([line[:2_000]] * (size // 2_000)))

    assert_linear(run, 50_000, unit)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=30))
def test_never_crashes_and_keeps_only_input_lines(parts: list[str]) -> None:
    from cleanwire.clean import TemplateModel, normalize_text

    raw = "\n".join(parts)
    model = TemplateModel(min_docs=2)
    model.add(raw)
    model.add(raw[::-1])
    model.freeze()
    for result in (clean_text_dump(raw, explain=True), clean_text_dump(raw, model, explain=True)):
        lines = set(normalize_text(raw).split("\n"))
        assert all(d.line in lines for d in result.decisions)
        # every body line is an input line, or input lines joined (hard-wrapped text)
        assert all(line in lines or " " in line for line in result.body.split("\n") if line)


def test_a_lone_excerpt_with_a_read_more_link_is_the_article() -> None:
    # one or two paragraphs above "Read more" are a teaser on a page with an article; alone,
    # or next to less prose, they are the page's article
    excerpt = page("Home", "News", "Valley farmers asked to draw less water", *PARAGRAPHS[:2], "Read more",
                   "About us", "Readers may post their views below each story; we ask that they keep them short.",
                   "Contact", "Privacy policy")
    assert clean_text_dump(excerpt).body.split("\n") == PARAGRAPHS[:2]
    with_article = page("Home", "Library reopens", *OTHER_PROSE, "Advertisement", "Sport", "Weather",
                        "Valley farmers asked to draw less water", PARAGRAPHS[0], "Read more", "Contact")
    assert clean_text_dump(with_article).body.split("\n") == OTHER_PROSE


def test_a_lede_shown_first_as_a_standfirst_is_kept_at_the_head_of_the_body() -> None:
    result = clean_text_dump(
        page("Home", "News", "Valley farmers asked to draw less water", PARAGRAPHS[0], "Posted: Monday 7 January",
             "Text size: A A A", PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[2], "Contact us")
    )
    assert result.body.split("\n") == PARAGRAPHS


@pytest.mark.parametrize("short", [
    "Residents welcomed the decision.",
    "The river flooded the lower town overnight.\nNo one was hurt.",
    "Share\nThe council will meet again on Friday.\nHome",
    "Le conseil a voté le budget hier soir.",
])
def test_a_short_text_that_is_all_there_is_is_kept(short: str) -> None:
    body = clean_text_dump(short).body
    assert body and set(body.split("\n")) <= {line for line in short.split("\n") if line.endswith(".")}


@pytest.mark.parametrize("junk", [
    "Home\nNews\nSport",
    "Home\nNews\nSport\nSign up for our newsletter.\nCookie policy.",
    "Thanks.",
    # not short: a 4-word sentence in a page of 120 words of menus is not "all there is"
    "\n".join(["Residents welcomed the decision."] + [f"Sport Weather Travel Money{i}" for i in range(30)]),
])
def test_a_page_of_junk_stays_empty_and_a_long_page_gets_no_short_text_fallback(junk: str) -> None:
    assert clean_text_dump(junk).body == ""


def test_a_page_with_no_article_run_keeps_its_lines_rather_than_a_scrap() -> None:
    # a list page: short unique lines, and one sentence of site text that would otherwise be "the body"
    items = [f"Walking route {n}: from the {name} bridge along the river to the old mill and back" for n, name in
             enumerate(("north", "south", "east", "west", "iron", "stone", "wooden", "railway", "town", "new"))]
    details = [f"{n + 4} km, about {n + 1} hours, easy paths" for n in range(10)]
    site = ("Thank you for visiting this small site, which a group of walkers from the valley keeps up in "
            "their spare time.")
    listing = [line for pair in zip(items, details) for line in pair]
    result = clean_text_dump(page("Home", "Routes", *listing, site, "Contact us"))
    kept = result.body.split("\n")
    assert all(line in kept for line in listing)
    assert "Contact us" not in kept and "Home" not in kept
