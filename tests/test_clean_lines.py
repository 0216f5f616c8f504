"""lines: per-line rules (junk phrases, glued menus, captions, bios, end markers), languages, CJK, announced lists."""

from __future__ import annotations

import pytest
from clean_samples import FIXTURES, PARAGRAPHS, page

from cleanwire.clean import clean_text_dump
from cleanwire.clean.lines import CJK, END, classify_line, has_cjk
from cleanwire.clean.lexicon import STOPWORDS


def test_glued_menus_are_junk_glued_sentences_are_content() -> None:
    result = clean_text_dump((FIXTURES / "glued_page.txt").read_text())
    assert "fanssmoke potsoverhead sprinklers" in result.body
    for junk in ("HomeWorld", "Skip to content", "keep reading", "SubscribeLog"):
        assert junk not in result.body
    assert result.title == "Orchard growers count the cost of a late frost"


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


def test_a_caption_that_says_who_stands_where_is_not_body() -> None:
    caption = ("Ann Lee, second from left, and the members of the valley farmers' group stand at the dry reservoir "
               "on Friday, where they said the water had been falling for weeks.")
    result = clean_text_dump(page("Home", "News", caption, "Valley farmers asked to draw less water", *PARAGRAPHS,
                                  "Contact us"))
    assert result.body.split("\n") == PARAGRAPHS


def test_a_list_announced_with_a_colon_stays_with_the_article() -> None:
    items = ["Anna Berg (Lakeside School)", "Tomas Ruiz (Hill College)", "Mia Okafor (North Academy)"]
    result = clean_text_dump(
        page("Home", *PARAGRAPHS, "The board named these pupils to the new youth council:", *items, "Contact us")
    )
    assert result.body.split("\n")[-3:] == items


def test_a_list_announced_by_a_sentence_joins_the_prose_around_it() -> None:
    items = ["lower bus fares;", "longer library hours;", "and safer crossings."]
    result = clean_text_dump(
        page("Home", "News", "Council sets out its plans", PARAGRAPHS[0], "Mayor Ann Lee listed council priorities:",
             *items, PARAGRAPHS[1], PARAGRAPHS[2], "Contact us", "Latest headlines", "Bridge to close",
             "School wins prize", "Market moves indoors", "Another teaser line", PARAGRAPHS[0][:60] + ".")
    )
    assert result.body.split("\n") == [PARAGRAPHS[0], "Mayor Ann Lee listed council priorities:", *items, *PARAGRAPHS[1:]]


def test_cjk_lead_bytes_find_every_cjk_character() -> None:
    edges = [0x3040, 0x30FF, 0x3400, 0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF]
    points = sorted({c + d for c in edges for d in (-1, 0, 1)} | set(range(0x80, 0x110000, 251)))
    for point in points:
        if 0xD800 <= point <= 0xDFFF:
            continue
        probe = f"plain text {chr(point)} more"
        assert has_cjk(probe) == (CJK.search(probe) is not None), hex(point)
    assert not has_cjk("ascii only") and not has_cjk("café “quoted”")
    assert has_cjk("lone \udc80 surrogate 中")


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
    assert classify_line(line, line.lower(), None)[:2] == (END, "end-marker")


@pytest.mark.parametrize("line", [
    "Lesen Sie auch: Die neue Brücke über den Fluss",
    "Du musst angemeldet sein, um einen Kommentar abzugeben.",
    "Lea también: El puente nuevo sobre el río",
    "À lire aussi",
    "Jede kleine Spende hilft uns, unabhängig zu bleiben.",
    "Wir verwenden Cookies, um Ihnen das beste Erlebnis zu bieten.",
    "Teilen",
    "© 2024 Beispiel Verlag. Alle Rechte vorbehalten.",
    "Todos los derechos reservados",
])
def test_junk_of_other_languages_is_junk(line: str) -> None:
    assert classify_line(line, line.lower(), STOPWORDS["de"])[1] == "junk-phrase"


def test_a_german_sentence_using_a_junk_word_as_a_verb_stays() -> None:
    line = "Die beiden Gemeinden teilen sich die Kosten für den Bau der neuen Brücke."
    assert classify_line(line, line.lower(), STOPWORDS["de"])[1] != "junk-phrase"
