"""clean_text_dump and clean_lines: the passes end to end, explain, fallbacks, hostile input, linear time."""

from __future__ import annotations

import re
import time

import pytest
from clean_samples import OTHER_PROSE, PARAGRAPHS, page
from hypothesis import given, settings
from hypothesis import strategies as st

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

HOSTILE = [
    "a" * 100_000,
    "A" * 100_000,
    "aA" * 50_000,
    " " * 100_000 + "x",
    "." * 100_000,
    "|" * 100_000,
    "| " * 50_000,
    "- " * 50_000,
    "!?" * 50_000,
    "<" * 100_000,
    "<p" * 50_000,
    "1/" * 50_000,
    "by " * 33_000,
    "Jan 1 " * 16_000,
    "A. " * 33_000,
    "\u00a0" * 100_000,
    "é" * 100_000,
    "中" * 100_000,
]

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


@pytest.mark.parametrize("hostile", HOSTILE, ids=[repr(h[:6]) for h in HOSTILE])
def test_every_rule_is_linear_on_hostile_lines(hostile: str) -> None:
    start = time.perf_counter()
    for pattern in PATTERNS:
        pattern.search(hostile)
        pattern.findall(hostile[:20_000])
    for pattern in WORD_PATTERNS:  # many small patterns: a shorter line still shows a blow-up
        pattern.search(hostile[:10_000])
    line_rules.classify_line(hostile, hostile.lower(), None, False)
    clean_text_dump(hostile)
    clean_text_dump("\n".join([hostile[:5_000]] * 20))
    markup.html_to_text(hostile)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("unit", ["a", "aA", ". ", "| ", "<p", "Jan 1 ", "by Ann "])
def test_cleaning_time_grows_linearly(unit: str) -> None:
    def cost(size: int) -> float:
        line = unit * (size // len(unit))
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            clean_text_dump(line)
            clean_text_dump("\n".join([line[:2_000]] * (size // 2_000)))
            best = min(best, time.process_time() - start)
        return best

    small, large = cost(25_000), cost(200_000)
    assert large < 0.5 or large < 16 * max(small, 1e-3)  # 8x the input: linear is ~8x, quadratic ~64x


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
