"""clean_text_dump: line rules, main region, metadata, languages, explain, linear time."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanwire.clean import CleanedText, LineDecision, clean_text_dump
from cleanwire.clean import lexicon, markup, template, text

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "clean"

PARAGRAPHS = [
    "The river authority said on Monday that water levels had fallen for the third week in a row, "
    "and that it would ask farmers along the lower valley to cut the water they draw for their fields.",
    "Officials at the authority told a meeting in the town hall that the reservoirs were now at less "
    "than half of their usual level for the time of year, after a dry winter and an early spring.",
    "Several of the farmers who came to the meeting said they had already planted crops that need "
    "steady watering, and that the cuts would cost them much of the harvest if they went ahead.",
]


def page(*lines: str) -> str:
    return "\n".join(lines)


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


def test_glued_menus_are_junk_glued_sentences_are_content() -> None:
    result = clean_text_dump((FIXTURES / "glued_page.txt").read_text())
    assert "fanssmoke potsoverhead sprinklers" in result.body
    for junk in ("HomeWorld", "Skip to content", "keep reading", "SubscribeLog"):
        assert junk not in result.body
    assert result.title == "Orchard growers count the cost of a late frost"


def test_duplicate_lines_dropped() -> None:
    result = clean_text_dump(page(PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[1], PARAGRAPHS[2]), explain=True)
    assert result.body.split("\n") == PARAGRAPHS
    assert [d.rule for d in result.decisions].count("duplicate-line") == 1


def test_byline_and_date() -> None:
    result = clean_text_dump(page("Valley farmers told to draw less water", "March 3, 2024 by Ana Ruiz", *PARAGRAPHS))
    assert result.author == "Ana Ruiz"
    assert result.date == "March 3, 2024"
    assert result.title == "Valley farmers told to draw less water"


def test_teasers_after_the_end_marker_are_not_body() -> None:
    teaser = (
        "The school board has approved a new timetable for the spring term, which moves the start of "
        "lessons half an hour later so that pupils who travel in from the villages can catch the first bus."
    )
    result = clean_text_dump(
        page(*PARAGRAPHS, "Related stories", "Schools move lessons later", teaser, "Read more", "Share this")
    )
    assert result.body.split("\n") == PARAGRAPHS


def test_bio_after_the_article_is_dropped() -> None:
    bio = (
        "Jonas Meyer is a senior correspondent for the Valley Courier and has covered farming and water "
        "policy in the region for more than fifteen years, after earlier work at several regional papers."
    )
    result = clean_text_dump(page(*PARAGRAPHS, "Written by", bio))
    assert "Jonas Meyer" not in result.body


@pytest.mark.parametrize(
    "lines",
    [
        (FIXTURES / "german_page.txt").read_text().split("\n"),
        [
            "Accueil",
            "Actualités",
            "Le conseil municipal a voté mardi soir la rénovation complète de la vieille halle du marché, "
            "qui était fermée au public depuis que le toit avait été endommagé par la tempête de l'hiver dernier.",
            "Les commerçants du centre-ville attendent la réouverture avec impatience, car la halle attirait "
            "chaque samedi des visiteurs venus de toute la région.",
            "Mentions légales",
        ],
        [
            "Inicio",
            "El ayuntamiento de la ciudad anunció el lunes que la nueva línea de autobuses empezará a "
            "funcionar en verano, después de dos años de obras en las calles del centro histórico.",
            "Según el alcalde, el servicio unirá los barrios del norte con la estación de tren y tendrá "
            "una frecuencia de diez minutos durante las horas de mayor tráfico.",
        ],
        [
            "Главная",
            "Городские власти сообщили в понедельник, что ремонт старого моста через реку будет закончен "
            "до конца лета, и движение по нему откроют уже в сентябре.",
            "По словам мэра, работы идут по плану, и жители смогут снова ездить в центр без долгого объезда.",
        ],
        [
            "首页",
            "新闻",
            "市政府星期一宣布，横跨河流的新大桥将于今年夏天完工，届时市民前往市中心的时间将缩短近半个小时。",
            "市长表示，工程目前进展顺利，费用也控制在预算之内，附近居民对大桥的开通充满期待。",
            "联系我们",
        ],
    ],
    ids=["german", "french", "spanish", "russian", "chinese"],
)
def test_non_english_pages_are_not_empty(lines: list[str]) -> None:
    result = clean_text_dump("\n".join(lines))
    assert len(result.body) > 60
    assert lines[0] not in result.body.split("\n")


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
    for module in (text, lexicon, markup, template)
    for value in vars(module).values()
    if isinstance(value, re.Pattern)
]
WORD_PATTERNS = list(lexicon.JUNK_PHRASES_BY_WORD.values())


@pytest.mark.parametrize("hostile", HOSTILE, ids=[repr(h[:6]) for h in HOSTILE])
def test_every_rule_is_linear_on_hostile_lines(hostile: str) -> None:
    start = time.perf_counter()
    for pattern in PATTERNS:
        pattern.search(hostile)
        pattern.findall(hostile[:20_000])
    for pattern in WORD_PATTERNS:  # many small patterns: a shorter line still shows a blow-up
        pattern.search(hostile[:10_000])
    text.classify_line(hostile, hostile.lower(), None, False)
    clean_text_dump(hostile)
    clean_text_dump("\n".join([hostile[:5_000]] * 20))
    markup.html_to_text(hostile)
    assert time.perf_counter() - start < 2.0


def test_hard_wrapped_text_is_read_as_paragraphs() -> None:
    text = (
        "The harbour board said on Tuesday that it would rebuild the old north pier\n"
        "before the summer, after engineers found that the storms of the winter had\n"
        "washed away much of the stone at its base and left the walkway unsafe for\n"
        "the fishermen and visitors who use it every day of the week.\n"
        "The work will cost a little under two million and will be paid for by the\n"
        "board, the town council and a grant from the regional fund, which agreed\n"
        "last month to cover a third of the bill for repairs of this kind.\n"
    )
    raw = page("Home", "News", "Harbour board to rebuild north pier", *text.strip().split("\n"), "Contact us")
    result = clean_text_dump(raw, explain=True)
    assert result.body.split("\n") == [
        " ".join(text.strip().split("\n")[:4]),
        " ".join(text.strip().split("\n")[4:]),
    ]
    assert [d.line for d in result.decisions] == raw.split("\n")  # decisions stay per input line


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


def test_a_list_announced_with_a_colon_stays_with_the_article() -> None:
    items = ["Anna Berg (Lakeside School)", "Tomas Ruiz (Hill College)", "Mia Okafor (North Academy)"]
    result = clean_text_dump(
        page("Home", *PARAGRAPHS, "The board named these pupils to the new youth council:", *items, "Contact us")
    )
    assert result.body.split("\n")[-3:] == items


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


def test_title_skips_credits_and_shouting_lines() -> None:
    result = clean_text_dump(
        page("Home", "Valley farmers told to draw less water", "WEATHER DESK EDITOR", "Staff and agencies", *PARAGRAPHS)
    )
    assert result.title == "Valley farmers told to draw less water"


OTHER_PROSE = [
    "Readers who left their names at the front desk were told that the library would reopen its upper floor "
    "next month, once the builders had finished the new stairs and the lift that was promised last year.",
    "The librarian said the reading room had been busier than ever during the works, and she thanked the "
    "volunteers who had carried the boxes of old newspapers down to the basement by hand.",
    "A second meeting about the opening hours will be held in the spring, when the council has agreed its "
    "budget for the year and the staff know how many evenings they can keep the doors open.",
]


def test_an_excerpt_ends_where_it_says_the_full_story_is_elsewhere() -> None:
    # the host page's own prose follows the closing line: it is not part of the excerpt
    result = clean_text_dump(
        page("Home", "News", "Valley farmers asked to draw less water", *PARAGRAPHS[:2],
             "Read the full story at the Valley Courier", "Library news", *OTHER_PROSE, "Privacy policy")
    )
    assert result.body.split("\n") == PARAGRAPHS[:2]


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


def test_an_advert_label_inside_the_article_does_not_cut_it() -> None:
    lede = "The harbour master said the new pier would open in May, two months later than planned."
    rest = ("Work stopped in the winter storms, and the builders lost three weeks while the cranes were "
            "tied down and the barges stayed in the river mouth.")
    for label in ("Advertisement", "Article continues below"):
        result = clean_text_dump(page("Home", "News", "Pier opening delayed", lede, label, rest, "Contact us"))
        assert result.body.split("\n") == [lede, rest]


def test_a_long_sentence_of_names_is_prose() -> None:
    # few stopwords (a tenth of the words), but a long line that ends a sentence
    line = ("LISBON (Reuters) - Benfica striker Nuno Gomes scored twice as Benfica beat Sporting Lisbon 3-1 in "
            "Sunday's derby, Portuguese league leaders Porto drawing 1-1 with Braga.")
    result = clean_text_dump(page("Home", "Sport", "Benfica win derby", PARAGRAPHS[0], line, "Contact us"))
    assert line in result.body.split("\n")


def test_a_lede_shown_first_as_a_standfirst_is_kept_at_the_head_of_the_body() -> None:
    result = clean_text_dump(
        page("Home", "News", "Valley farmers asked to draw less water", PARAGRAPHS[0], "Posted: Monday 7 January",
             "Text size: A A A", PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[2], "Contact us")
    )
    assert result.body.split("\n") == PARAGRAPHS


def test_a_list_announced_by_a_sentence_joins_the_prose_around_it() -> None:
    items = ["lower bus fares;", "longer library hours;", "and safer crossings."]
    result = clean_text_dump(
        page("Home", "News", "Council sets out its plans", PARAGRAPHS[0], "Mayor Ann Lee listed council priorities:",
             *items, PARAGRAPHS[1], PARAGRAPHS[2], "Contact us", "Latest headlines", "Bridge to close",
             "School wins prize", "Market moves indoors", "Another teaser line", PARAGRAPHS[0][:60] + ".")
    )
    assert result.body.split("\n") == [PARAGRAPHS[0], "Mayor Ann Lee listed council priorities:", *items, *PARAGRAPHS[1:]]


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


def test_a_caption_that_says_who_stands_where_is_not_body() -> None:
    caption = ("Ann Lee, second from left, and the members of the valley farmers' group stand at the dry reservoir "
               "on Friday, where they said the water had been falling for weeks.")
    result = clean_text_dump(page("Home", "News", caption, "Valley farmers asked to draw less water", *PARAGRAPHS,
                                  "Contact us"))
    assert result.body.split("\n") == PARAGRAPHS


MORE = [
    "The authority will meet the farmers again next month, when it expects to know how much rain the spring "
    "has brought and whether the cuts can be eased before the summer comes.",
    "Until then, the farmers said, they would water at night and share the pumps along the lower valley, as "
    "their parents had done in the dry years when the river last ran this low.",
    "The council has offered to pay for new meters on every farm, so that the authority can see how much each "
    "one draws, and it has asked the government for help with the cost of the work.",
]


def test_a_lede_parted_from_the_body_by_an_image_box_is_kept() -> None:
    result = clean_text_dump(
        page("Home", "News", "Valley farmers asked to draw less water", PARAGRAPHS[0], PARAGRAPHS[1],
             "View larger image", "Ann Lee, left, and Tom Ray at the dry reservoir.", "Jane Doe, Staff",
             "Email to a friend", "Printer friendly", "Font:", "Share", PARAGRAPHS[2], *MORE, "Contact us")
    )
    assert result.body.split("\n") == [*PARAGRAPHS, *MORE]


def test_cjk_lead_bytes_find_every_cjk_character() -> None:
    edges = [0x3040, 0x30FF, 0x3400, 0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF]
    points = sorted({c + d for c in edges for d in (-1, 0, 1)} | set(range(0x80, 0x110000, 251)))
    for point in points:
        if 0xD800 <= point <= 0xDFFF:
            continue
        probe = f"plain text {chr(point)} more"
        assert text._has_cjk(probe) == (text.CJK.search(probe) is not None), hex(point)
    assert not text._has_cjk("ascii only") and not text._has_cjk("café “quoted”")
    assert text._has_cjk("lone \udc80 surrogate 中")


@pytest.mark.parametrize(
    "line",
    [
        "Written by Jane Doe", "About the author", "You can read the rest here", "Read the rest", "Keep reading",
        "Related stories", "More from the desk", "Tags: water, farms", "Tag: water", "Comments (3)",
        "Leave a reply", "Share this", "Recommended", "You may also like", "Reader comments", "Readers' views",
        "Your views", "Add your comment", "Have your say", "Join the discussion",
    ],
)
def test_every_end_marker_passes_the_head_filter(line: str) -> None:
    assert text.classify_line(line, line.lower(), None)[:2] == (text.END, "end-marker")


def test_metadata_from_lower_case_lines_agrees() -> None:
    lines = ["Home", "River authority asks valley farmers to draw less water", "By Jane Doe", "March 3, 2024",
             *PARAGRAPHS]
    classes = [text.STRONG_JUNK, text.SHORT, text.SHORT, text.SHORT] + [text.GOOD] * len(PARAGRAPHS)
    expected = ("River authority asks valley farmers to draw less water", "Jane Doe", "March 3, 2024")
    assert text.find_metadata(lines, classes, 4) == expected
    assert text.find_metadata(lines, classes, 4, [line.lower() for line in lines]) == expected
