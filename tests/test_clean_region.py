"""region: the body region, closing markers, comment threads, teasers, excerpts and ledes."""

from __future__ import annotations

import pytest
from clean_samples import MORE, OTHER_PROSE, PARAGRAPHS, page

from cleanwire.clean import clean_text_dump
from cleanwire.clean.lexicon import COMMENT_STAMP
from cleanwire.clean.region import _may_be_stamp


def test_teasers_after_the_end_marker_are_not_body() -> None:
    teaser = (
        "The school board has approved a new timetable for the spring term, which moves the start of "
        "lessons half an hour later so that pupils who travel in from the villages can catch the first bus."
    )
    result = clean_text_dump(
        page(*PARAGRAPHS, "Related stories", "Schools move lessons later", teaser, "Read more", "Share this")
    )
    assert result.body.split("\n") == PARAGRAPHS


def test_comment_thread_after_the_article_is_not_body() -> None:
    comments = []
    for n in range(12):
        comments += [
            f"I have lived by the river for {n + 10} years and I have never seen the water this low, so the "
            "authority is right to ask for cuts, even if the farmers will not like it at all this summer.",
            f"Posted by reader{n} on March {n + 1}, 2024",
            "Report this comment",
        ]
    result = clean_text_dump(page("Home", *PARAGRAPHS, "Comments (12)", *comments))
    assert result.body.split("\n") == PARAGRAPHS


def test_inline_related_box_does_not_cut_the_article() -> None:
    more = [
        "The authority will decide next month whether the cuts become compulsory, after it has heard from "
        "the farmers' union and from the towns further down the valley that take their water from the river.",
        "A spokesman for the union said its members would rather agree to a voluntary limit than have one "
        "imposed on them, and that they would meet the authority again before the end of the month.",
        "Until then the authority has asked every household along the river to save water where it can.",
    ]
    result = clean_text_dump(page("Home", *PARAGRAPHS[:2], "Related stories", "Dry winter empties reservoirs", *more))
    assert result.body.split("\n") == [*PARAGRAPHS[:2], *more]


def test_an_excerpt_ends_where_it_says_the_full_story_is_elsewhere() -> None:
    # the host page's own prose follows the closing line: it is not part of the excerpt
    result = clean_text_dump(
        page("Home", "News", "Valley farmers asked to draw less water", *PARAGRAPHS[:2],
             "Read the full story at the Valley Courier", "Library news", *OTHER_PROSE, "Privacy policy")
    )
    assert result.body.split("\n") == PARAGRAPHS[:2]


def test_a_bare_full_story_link_closes_an_excerpt_and_legal_footers_are_junk() -> None:
    result = clean_text_dump(
        page("Home", "Markets", "Valley farmers asked to draw less water", *PARAGRAPHS[:2], "Full story: Valley Courier",
             "Members get live prices all day, five days a week, and a weekly letter from our analysts on the markets.",
             "Site map",
             "Opinions expressed on this site are those of the writers and do not necessarily represent those of the "
             "owners or of their advertisers in any of the markets they cover.",
             "Risk disclosure: trading on margin carries a high level of risk and may not be suitable for all of the "
             "readers of this site, who should take advice before they trade.")
    )
    assert result.body.split("\n") == PARAGRAPHS[:2]


def test_a_lede_parted_from_the_body_by_an_image_box_is_kept() -> None:
    result = clean_text_dump(
        page("Home", "News", "Valley farmers asked to draw less water", PARAGRAPHS[0], PARAGRAPHS[1],
             "View larger image", "Ann Lee, left, and Tom Ray at the dry reservoir.", "Jane Doe, Staff",
             "Email to a friend", "Printer friendly", "Font:", "Share", PARAGRAPHS[2], *MORE, "Contact us")
    )
    assert result.body.split("\n") == [*PARAGRAPHS, *MORE]


GERMAN_ARTICLE = [
    "Der Gemeinderat hat am Dienstag beschlossen, die alte Brücke über den Fluss nicht abzureißen, sondern "
    "sie in den kommenden zwei Jahren für Fußgänger und Radfahrer zu erneuern.",
    "Die Kosten von rund vier Millionen Euro sollen zur Hälfte vom Land getragen werden, wie der Bürgermeister "
    "nach der Sitzung sagte, die bis spät in den Abend dauerte.",
    "Gegen den Abriss hatten sich in den letzten Monaten mehr als dreitausend Bürger mit ihrer Unterschrift "
    "ausgesprochen, weil die Brücke zum Bild der Stadt gehört.",
]


def test_a_longer_comment_thread_in_german_does_not_take_the_article_s_place() -> None:
    # no "Kommentare" heading: the thread shows only as dated headers, each above a comment
    comments = []
    for n in range(10):
        comments += [
            f"Leser{n} am {n + 3}. März 2024 um 10:{n + 10}",
            "Ich wohne seit vielen Jahren an der Brücke und finde es gut, dass sie bleibt, aber die Stadt hätte "
            f"das schon vor {n + 5} Jahren entscheiden können, dann wäre es billiger gewesen und wir hätten "
            "weniger Ärger mit dem Verkehr gehabt.",
            "Antworten",
        ]
    result = clean_text_dump(page("Startseite", "Lokales", *GERMAN_ARTICLE, *comments, "Impressum"))
    assert result.body.split("\n") == GERMAN_ARTICLE


def test_dated_items_as_long_as_articles_are_not_a_comment_thread() -> None:
    # a digest: each story under its source and date; the first one is not cut away as "the article"
    items = []
    for n in range(4):
        items += [f"Valley Courier, March {n + 1}, 2024", *(f"Item {n}: {line}" for line in [*PARAGRAPHS, *MORE])]
    result = clean_text_dump(page("Home", "Digest", *items, "Privacy policy"))
    assert len(result.body.split("\n")) > len(PARAGRAPHS) + len(MORE)


def test_an_article_under_its_dated_byline_is_not_the_first_comment() -> None:
    comments = []
    for n in range(6):
        comments += [f"reader{n} on March {n + 2}, 2024 at 9:{n + 10} am", OTHER_PROSE[n % len(OTHER_PROSE)]]
    result = clean_text_dump(page("Home", "Written on March 1, 2024 by Jane Doe", *PARAGRAPHS, *MORE, *comments))
    assert result.body.split("\n")[: len(PARAGRAPHS)] == PARAGRAPHS


def test_a_consent_notice_is_not_chosen_over_a_short_article() -> None:
    consent = [
        "Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren, Werbung anzupassen und "
        "die Nutzung unserer Website zu analysieren, wofür wir Ihre Einwilligung brauchen.",
        "Weitere Informationen finden Sie in unserer Datenschutzerklärung, wo Sie Ihre Einwilligung jederzeit "
        "widerrufen können, auch für die Partner, denen wir Daten weitergeben.",
        "Alle akzeptieren",
    ]
    result = clean_text_dump(page("Startseite", *GERMAN_ARTICLE[:2], "Impressum", *consent))
    assert result.body.split("\n") == GERMAN_ARTICLE[:2]


@pytest.mark.parametrize("line", [
    "Jane said:", "BOB WROTE...", "Ana dijo", "Marie a dit :", "July 7, 2012 at 12:27 am", "12.03.2021",
    "posted 2019-04-01", "Maria napisała", "Luis escribió:", "Share this", "Tags: wire, news", "Said the mayor",
    "word", "The 4 sisters", "Jan 5, 2020", "ſaid", "Kommentierte",
])
def test_the_stamp_prefilter_passes_every_line_the_stamp_regex_finds_something_in(line: str) -> None:
    before = any(c.isdigit() or c in "sw" for c in line) and COMMENT_STAMP.search(line) is not None
    assert (_may_be_stamp(line) and COMMENT_STAMP.search(line) is not None) == before
