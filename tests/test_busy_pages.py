"""Stories inside busy pages (issue 14): an excerpt among comments, forum posts, teasers; pages that share
only a comment thread; the canonical of a story whose longest copy carries a comment thread."""

from __future__ import annotations

from clean_samples import MORE, OTHER_PROSE, PARAGRAPHS

from cleanwire.clean import clean_text_dump
from cleanwire.config import Config, DedupConfig
from cleanwire.document import Document
from cleanwire.emit import cluster_records
from cleanwire.engines.local import LocalEngine
from cleanwire.explain import explain_pair
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


_NAMES = ["Stephen B", "puddin and pie", "Lina", "Ralph", "Bruce", "Frank @ Toronto", "J-F (Ottawa)", "Doug"]


def _closed_thread(count: int) -> list[str]:
    """Comments under a closing marker: a name, then a comment of three sentences (each comment its own)."""
    lines = ["Comments are now closed for this story"]
    for i in range(count):
        step = i // len(_OPINIONS) + 1
        lines += [_NAMES[i % len(_NAMES)], " ".join(_OPINIONS[(i + k * step) % len(_OPINIONS)] for k in (0, 1, 5))]
    return lines


LADEN = ("laden", MENU + ["Farmers asked to cut water as river falls", "By Ann Reed, 4 March 2024"] + STORY
         + _closed_thread(40) + FOOTER)


def test_a_junk_laden_longer_copy_loses_canonical_to_the_clean_complete_one() -> None:
    # the comments outweigh the story, so the cleaner keeps them (its region runs on across the closing
    # marker) but marks them as likely not story: the clean original holds the laden copy's story
    records = _records(LADEN, ORIGINAL, OTHER_STORY)
    assert len(records["laden"]["text"]) > 5 * len(records["original"]["text"])  # the comments were kept
    assert records["original"]["canonical_id"] is None and records["laden"]["canonical_id"] == "original"
    assert "comments" in records["original"]["canonical_because"]
    assert records["other"]["canonical_id"] is None


def test_a_laden_copy_stays_canonical_over_a_real_excerpt() -> None:
    # the clean copy is only the first two paragraphs: it does not hold the laden copy's story
    excerpt = ("excerpt", MENU + ["Farmers asked to cut water as river falls"] + STORY[:2] + FOOTER)
    records = _records(LADEN, excerpt)
    assert records["laden"]["canonical_id"] is None and records["excerpt"]["canonical_id"] == "laden"


def test_without_comments_the_longest_complete_copy_stays_canonical() -> None:
    # an update that adds a paragraph is longer and holds the original: today's rule, unchanged
    updated = ("updated", MENU + ["Farmers asked to cut water as river falls"] + STORY
               + ["The authority said on Tuesday that the meters would be fitted from May, starting downstream."]
               + FOOTER)
    records = _records(ORIGINAL, updated)
    assert records["updated"]["canonical_id"] is None and records["original"]["canonical_id"] == "updated"


def test_explain_names_the_clean_copy_canonical_and_says_why() -> None:
    laden, original = clean_text_dump("\n".join(LADEN[1])), clean_text_dump("\n".join(ORIGINAL[1]))
    assert laden.beyond_story > 0 and original.beyond_story == 0
    result = explain_pair(laden.body, original.body, DedupConfig(), labels=("laden", "original"),
                          beyond_story=(laden.beyond_story, original.beyond_story))
    assert result["canonical"]["id"] == "original" and "comments" in result["canonical"]["because"]
    # without the cleaner's mark, the longer copy that holds the other stays canonical
    assert explain_pair(laden.body, original.body, DedupConfig(), labels=("laden", "original"))["canonical"] == {
        "id": "laden", "because": "it holds the other, which lies inside it"}
