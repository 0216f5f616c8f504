"""TemplateModel: site templates learned across a run; shared story text survives."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from cleanwire.clean import TemplateModel, clean_text_dump
from cleanwire.clean import template as template_module

HEADER = ["Valley Courier", "News", "Sport", "Weather", "Subscribe today"]
PROMO = (
    "The Valley Courier is an independent newspaper that has served the towns of the lower valley since "
    "it was founded, and it is paid for by the readers who buy a copy of it every week."
)
FOOTER = ["Contact the newsroom", "Privacy"]

TOPICS = ["bridge", "school", "market", "library", "harbour", "orchard", "railway", "museum"]


def story(topic: str, paragraphs: int = 4) -> list[str]:
    """Made-up prose about one topic, distinct for every topic and paragraph."""
    return [
        f"Paragraph {p} of the {topic} story: the council said on Monday that the work on the {topic} "
        f"would take longer than planned, and that residents who use the {topic} every week should expect "
        f"delays of about {p + 2} weeks while the contractors finish the part they started in the spring."
        for p in range(paragraphs)
    ]


def site_page(lines: list[str], header: list[str] = HEADER) -> str:
    return "\n".join([*header, *lines, PROMO, *FOOTER])


def other_site(lines: list[str], name: str) -> str:
    return "\n".join([f"{name} Home", f"{name} World", *lines, f"About {name}"])


def build(texts: list[str], **kwargs: int) -> TemplateModel:
    model = TemplateModel(**kwargs)
    for text in texts:
        model.add(text)
    return model.freeze()


def test_lines_repeating_across_articles_are_template() -> None:
    pages = [site_page(story(topic)) for topic in TOPICS[:5]]
    model = build(pages)
    assert model.is_template(PROMO)
    assert model.is_template("Subscribe today")
    assert not model.is_template(story("bridge")[0])
    alone = clean_text_dump(pages[0])
    learned = clean_text_dump(pages[0], model, explain=True)
    assert "Valley Courier is an independent" in alone.body  # prose next to the article, kept alone
    assert "Valley Courier is an independent" not in learned.body
    assert learned.body.split("\n") == story("bridge")
    rules = {d.line: d.rule for d in learned.decisions}
    assert rules[PROMO] == "template"


def test_copies_of_one_story_keep_their_shared_text() -> None:
    shared = story("bridge")
    pages = [other_site(shared, name) for name in ("Northern Post", "Daily Lantern", "Evening Star", "Hill Times")]
    pages += [site_page(story(topic)) for topic in TOPICS[1:5]]
    model = build(pages)
    for page in pages[:4]:
        assert clean_text_dump(page, model).body.split("\n") == shared
    for topic, page in zip(TOPICS[1:5], pages[4:]):
        assert clean_text_dump(page, model).body.split("\n") == story(topic)


def test_excerpts_do_not_strip_the_full_story() -> None:
    full = story("harbour", paragraphs=10)
    excerpts = [other_site(full[:3] + ["You can read the rest at the Courier."], name) for name in "ABCD"]
    pages = [site_page(full), *[site_page(story(t)) for t in TOPICS[:4]], *excerpts]
    model = build(pages)
    assert clean_text_dump(pages[0], model).body.split("\n") == full
    assert clean_text_dump(excerpts[0], model).body.split("\n") == full[:3]


def test_pickle_merge_and_bitset_mode_agree() -> None:
    pages = [site_page(story(topic)) for topic in TOPICS]
    whole = build(pages)
    left, right = TemplateModel(), TemplateModel()
    for i, page in enumerate(pages):
        (left if i % 2 else right).add(page)
    left.merge(right)
    merged = left.freeze()
    small = build(pages, max_exact=10, bitset_bits=1 << 20)
    halves = [TemplateModel(max_exact=10, bitset_bits=1 << 20) for _ in range(2)]
    for i, page in enumerate(pages):
        halves[i % 2].add(page)
    halves[0].merge(halves[1])
    small_merged = halves[0].freeze()
    restored = pickle.loads(pickle.dumps(whole))
    lines = site_page(story("bridge")).split("\n")
    expected = whole.counts(lines)
    assert expected.max() == len(TOPICS)
    for model in (merged, small, small_merged, restored):
        assert np.array_equal(model.counts(lines), expected)
        assert model.template_flags(lines) == whole.template_flags(lines)


def test_deterministic_and_order_free() -> None:
    pages = [site_page(story(topic)) for topic in TOPICS]
    a, b = build(pages), build(list(reversed(pages)))
    assert np.array_equal(a._keys, b._keys) and np.array_equal(a._counts, b._counts)
    assert pickle.dumps(a) == pickle.dumps(b)


def test_few_pages_learn_nothing() -> None:
    pages = [site_page(story(topic)) for topic in TOPICS[:2]]
    model = build(pages)
    assert not model.is_template(PROMO)
    assert not any(model.template_flags(pages[0].split("\n")))


WORDS = ["alder", "birch", "cedar", "damson", "elder", "fir", "gorse", "hazel", "ivy", "juniper", "larch", "maple"]


def long_story(topic: str, paragraphs: int) -> list[str]:
    """Made-up paragraphs that differ in their words, not only in their digits (which lines fold)."""
    return [
        f"The {topic} survey found {WORDS[p % 12]} and {WORDS[(p * 5 + 1) % 12]} along the {WORDS[(p * 7 + 3) % 12]} "
        f"path, and the {topic} wardens said the {WORDS[(p + 6) % 12]} stands near the old wall would be counted "
        f"again when the weather turned, as they are every {WORDS[p // 12]} year before the spring tides."
        for p in range(paragraphs)
    ]


def test_a_lead_shared_by_excerpts_survives_in_the_long_original() -> None:
    # the lead is a small share of the original's prose, and its lines sit in as many pages
    # as the site's menus; but they come without short lines, so they are a story's text
    headline = "Harbour works to run into the summer"
    full = long_story("harbour", paragraphs=20)
    original = site_page([headline, *full])
    excerpts = [
        other_site([headline, *full[:2], "You can read the rest at the Courier."], "Northern Post"),
        other_site([headline, *full[:3], "Read the full story at the Courier."], "Daily Lantern"),
    ]
    pages = [original, *[site_page(story(t)) for t in TOPICS[:4]], *excerpts]
    model = build(pages)
    assert model.is_template(full[0])  # alone it looks like template: in 3 pages
    cleaned = clean_text_dump(original, model)
    assert cleaned.body.split("\n") == full
    assert cleaned.title == headline
    assert clean_text_dump(excerpts[0], model).body.split("\n") == full[:2]
    assert clean_text_dump(excerpts[1], model).body.split("\n") == full[:3]


def test_site_prose_that_comes_with_menus_is_template() -> None:
    # the promo paragraph and the menus sit in the same pages: one group, mostly short lines
    pages = [site_page(story(topic, paragraphs=12)) for topic in TOPICS[:3]]
    model = build(pages)
    lines = pages[0].split("\n")
    flags = dict(zip(lines, model.template_flags(lines)))
    assert flags[PROMO] and flags["Subscribe today"]
    assert not any(flags[line] for line in story(TOPICS[0], paragraphs=12))


def test_a_shared_lead_with_a_short_list_is_still_story_text() -> None:
    # sentence pieces (list items ending in ";" or ".") are not menu labels
    headline = "Harbour works to run into the summer"
    full = long_story("harbour", paragraphs=20)
    lead = [full[0], "The wardens listed their plans:", "new gates;", "a wider slipway;", "and a café.", full[1]]
    original = site_page([headline, *lead, *full[2:]])
    copies = [other_site([headline, *lead, "Read the full story at the Courier."], name) for name in ("A Post", "B Star")]
    pages = [original, *[site_page(story(t)) for t in TOPICS[:4]], *copies]
    model = build(pages)
    lines = original.split("\n")
    flags = dict(zip(lines, model.template_flags(lines)))
    assert not any(flags[line] for line in lead)
    assert flags["Subscribe today"] and flags[PROMO]


def test_flushes_while_adding_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    pages = [site_page(story(topic)) for topic in TOPICS]
    whole = build(pages)
    monkeypatch.setattr(template_module, "_FLUSH_AT", 7)  # flush every page or two
    flushed = build(pages)
    assert np.array_equal(flushed._keys, whole._keys)
    assert np.array_equal(flushed._counts, whole._counts) and np.array_equal(flushed._sums, whole._sums)


def test_flags_from_the_page_already_lowered_agree() -> None:
    pages = [site_page(story(topic)) for topic in TOPICS[:5]]
    model = build(pages)
    lines = pages[0].split("\n")
    assert model.template_flags(lines, "\n".join(lines).lower()) == model.template_flags(lines)
    assert model.template_flags([]) == []


def test_a_min_docs_raised_after_freeze_still_holds() -> None:
    pages = [site_page(story(topic)) for topic in TOPICS[:3]] + [site_page(story(topic), HEADER[:2]) for topic in TOPICS[3:6]]
    model = build(pages)
    lines = pages[0].split("\n")
    flags = dict(zip(lines, model.template_flags(lines)))
    assert flags["Valley Courier"] and flags["Subscribe today"]  # in 6 and 3 pages
    model.min_docs = 4
    flags = dict(zip(lines, model.template_flags(lines)))
    assert flags["Valley Courier"] and not flags["Subscribe today"]


def test_a_wire_story_thirty_sites_republished_is_article_text_not_template() -> None:
    wire = [f"Wire paragraph {p}: the regional water authority announced on Tuesday that a new pipeline would "
            f"bring water from the northern reservoir to {p + 3} towns, after a dry summer left wells low and "
            f"farmers asking for help from the government in the capital." for p in range(8)]
    pages, copies = [], []
    for k in range(30):
        name = f"Site{k} Gazette"
        header = [f"{name}", f"{name} Local", f"{name} Sport", f"Subscribe to {name}"]
        promo = (f"The {name} has been the voice of its town for a hundred years, and it is paid for by the "
                 f"readers of the {name} who buy a copy of it every single week of the year.")
        footer = [f"Contact {name}", f"{name} privacy policy"]
        for topic in TOPICS[k % 5:k % 5 + 3]:  # the site's own articles teach its template
            pages.append("\n".join([*header, *story(f"{topic} {k}"), promo, *footer]))
        body = wire if k % 3 else wire[:5]  # a third of the sites cut the story to its first paragraphs
        copies.append((len(pages), body))
        pages.append("\n".join([*header, *body, promo, *footer]))
    model = build(pages)
    for at, body in copies:
        assert clean_text_dump(pages[at], model).body.split("\n") == body
    assert "hundred years" not in clean_text_dump(pages[0], model).body  # the sites' own template still goes


def test_one_wire_paragraph_in_thirty_different_articles_is_kept() -> None:
    background = ("The pipeline, first proposed in 2019, was approved by parliament last year after a long "
                  "dispute over who would pay for the part that crosses the national park.")
    pages, bodies = [], []
    for k in range(30):
        name = f"Site{k} Herald"
        own = story(f"{TOPICS[k % len(TOPICS)]} {k}", paragraphs=3)
        body = [own[0], background, *own[1:]]
        bodies.append(body)
        pages.append("\n".join([name, f"{name} News", *body, f"Contact {name}"]))
    model = build(pages)
    for page, body in zip(pages, bodies):
        assert clean_text_dump(page, model).body.split("\n") == body
