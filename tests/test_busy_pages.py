"""Stories inside busy pages (issue 14): an excerpt among comments, forum posts, teasers; pages that share
only a comment thread; the canonical of a story whose longest copy carries a comment thread.

The cases the matcher does not handle yet are marked xfail(strict=True): they document the gap, and
turn into failures (to be unmarked) the day they pass.
"""

from __future__ import annotations

import pytest
from clean_samples import MORE, OTHER_PROSE, PARAGRAPHS

from cleanwire.config import CleanConfig, Config
from cleanwire.document import Document
from cleanwire.emit import cluster_records
from cleanwire.engines.local import LocalEngine
from cleanwire.pipeline import Counters, DocumentSource, dedupe

STORY = PARAGRAPHS + MORE  # six paragraphs
MENU = ["Home", "News", "Sport", "Weather", "Contact us", "Sign in"]
FOOTER = ["About us", "Privacy policy", "Terms of use", "(c) 2024 The Valley Courier"]

_OPINIONS = [
    "I have lived by the river for forty years and I have never seen the banks this dry in March.",
    "The authority should have fixed the leaking pipes along the canal before asking anyone to cut back.",
    "Some of us sold our pumps last year because the council said the new scheme would cover everyone.",
    "My grandfather kept a diary of the dry years, and he wrote that the spring rains always came late.",
    "It is the big estates that take most of the water, not the small growers who are told to pay for it.",
    "If the meters are free I will take one, but I want to know who reads them and what they do with it.",
    "We had a meeting like this in the village hall in 2018 and nothing changed after it at all.",
    "The reservoir was built for half the people who live in the valley now, so of course it runs short.",
    "Watering at night works well enough for beans, but the orchards need more than a night can give.",
    "Does anyone know whether the cuts apply to the allotments on the east side of the bridge?",
    "The school could teach the children how the river works instead of closing the nature trail.",
    "I wrote to the paper about the silt in the channel three times and got no answer from anyone.",
]
_OTHERS = [
    "The ferry will keep its winter timetable until the end of April, the company said in a short note.",
    "Shops on the high street reported a quiet weekend, blaming the cold wind and the roadworks.",
    "The football club has signed a new goalkeeper from the city, who starts training next week.",
]


def _thread(count: int, seed: int = 0) -> list[str]:
    """A reader-comment thread: a name and a date line above each comment of two sentences."""
    lines = [f"Comments ({count})", "Leave a comment"]
    for i in range(count):
        first = _OPINIONS[(i + seed) % len(_OPINIONS)]
        second = _OPINIONS[(3 * i + seed + 5) % len(_OPINIONS)]
        lines += [f"reader{i + seed} wrote on {i % 28 + 1} March 2024, {i % 12 + 1}:{i * 7 % 60:02d}",
                  f"{first} {second} (comment {i + 1})", "Reply | Report"]
    return lines


def _records(*pages: tuple[str, list[str]]) -> dict[str, dict[str, object]]:
    result = dedupe(DocumentSource([Document(id=i, text="\n".join(lines)) for i, lines in pages]), Config(),
                    LocalEngine(1), Counters(), lambda doc: None)
    try:
        return {r["id"]: r.fields() for r in cluster_records(result, include_all=True)}
    finally:
        result.close()


ORIGINAL = ("original", MENU + ["Farmers asked to cut water as river falls", "By Ann Reed, 4 March 2024"]
            + STORY + FOOTER)
OTHER_STORY = ("other", MENU + ["Library to reopen upper floor"] + OTHER_PROSE + _OTHERS + FOOTER)


def test_an_excerpt_above_a_short_comment_thread_is_found() -> None:
    page = MENU + ["Farmers asked to cut water as river falls"] + STORY[:2] + _thread(3) + FOOTER
    records = _records(ORIGINAL, ("excerpt", page), OTHER_STORY)
    assert records["excerpt"]["canonical_id"] == "original"
    assert records["other"]["canonical_id"] is None


def test_an_excerpt_above_a_long_comment_thread_is_found() -> None:
    page = MENU + ["Farmers asked to cut water as river falls"] + STORY[:2] + _thread(30) + FOOTER
    records = _records(ORIGINAL, ("excerpt", page), OTHER_STORY)
    assert records["excerpt"]["canonical_id"] == "original"


def test_an_excerpt_as_the_first_post_of_a_forum_thread_is_found() -> None:
    posts = []
    for i in range(20):
        posts += ["Re: Water cuts on the lower valley",
                  f"Post by valleyfarmer{i} » Tue Mar 05, 2024 {i % 12 + 1}:15 am",
                  f"{_OPINIONS[i % len(_OPINIONS)]} {_OPINIONS[(i + 4) % len(_OPINIONS)]}", "Top"]
    page = (["Valley Forum", "Board index ‹ Local news", "Water cuts on the lower valley",
             "Post by admin » Mon Mar 04, 2024 8:02 pm", "From today's Courier:"] + STORY[:3] + ["Top"] + posts)
    records = _records(ORIGINAL, ("forum", page), OTHER_STORY)
    assert records["forum"]["canonical_id"] == "original"


def test_an_excerpt_after_a_long_teaser_list_is_found() -> None:
    teasers = []
    for i, line in enumerate(_OTHERS * 4):
        teasers += [f"Headline number {i + 1} of the day", line, "Read more"]
    page = MENU + ["Latest stories"] + teasers + ["Farmers asked to cut water as river falls"] + STORY[:3] + FOOTER
    records = _records(ORIGINAL, ("teased", page), OTHER_STORY)
    assert records["teased"]["canonical_id"] == "original"


def test_two_pages_sharing_only_a_comment_thread_do_not_match() -> None:
    thread = _thread(12)
    first = MENU + ["Farmers asked to cut water as river falls"] + STORY + thread + FOOTER
    second = MENU + ["Library to reopen upper floor"] + OTHER_PROSE + _OTHERS + thread + FOOTER
    records = _records(("first", first), ("second", second))
    assert records["first"]["canonical_id"] is None and records["second"]["canonical_id"] is None


@pytest.mark.xfail(strict=True, reason="issue 14 req 2: a clean body that kept a long comment thread is the "
                                       "longest and holds the clean original, so it is canonical")
def test_a_junk_laden_longer_copy_loses_canonical_to_the_clean_complete_one() -> None:
    # clean bodies as the cleaner left them on a real page (it kept the comments after the story): the
    # choice of the canonical is judged alone, without cleaning
    laden = STORY + [f"{_OPINIONS[i % 12]} {_OPINIONS[(i + 5) % 12]} {_OPINIONS[(i + 7) % 12]}" for i in range(40)]
    config = Config(clean=CleanConfig(enabled=False))
    result = dedupe(DocumentSource([Document(id="laden", text="\n".join(laden)),
                                    Document(id="original", text="\n".join(STORY))]),
                    config, LocalEngine(1), Counters(), lambda doc: None)
    try:
        records = {r["id"]: r.fields() for r in cluster_records(result, include_all=True)}
    finally:
        result.close()
    assert records["original"]["canonical_id"] is None and records["laden"]["canonical_id"] == "original"
