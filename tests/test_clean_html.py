"""clean_html: trafilatura's extraction as the floor, metadata, known junk lines after it, the empty-page fallback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanwire.clean import clean_html

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "clean"


def test_article_body_and_metadata() -> None:
    result = clean_html((FIXTURES / "article_html.html").read_text(), url="https://example.org/lighthouse")
    paragraphs = result.body.split("\n")
    assert len(paragraphs) == 5  # trafilatura's text: the headline, then the four paragraphs
    assert paragraphs[0] == "Harbour town votes to rebuild its old lighthouse"
    assert paragraphs[1].startswith("The council of the small harbour town of Kelmsby")
    assert paragraphs[-1].endswith("land their catch there.")
    for junk in ("Share on Facebook", "Most read", "All rights reserved", "Home"):
        assert junk not in result.body
    assert result.title is not None and result.title.startswith("Harbour town votes to rebuild its old lighthouse")
    assert result.author == "Mira Holloway"
    assert result.date == "2024-03-14"


RECIPE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Lemon drizzle loaf | Kitchen Notes</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/recipes">Recipes</a></li><li><a href="/about">About</a></li>\
</ul></nav>
<article>
<h1>Lemon drizzle loaf</h1>
<p>This loaf is the one my grandmother baked every Sunday in the small kitchen behind the bakery, and it still \
takes less than an hour from the first egg to the last drop of syrup on the warm crust.</p>
<p>You will need:</p>
<ul><li>225 g soft butter</li><li>225 g caster sugar</li><li>4 large eggs</li><li>2 unwaxed lemons</li></ul>
<table><tr><th>Oven</th><th>Time</th></tr><tr><td>180 C fan</td><td>45 minutes</td></tr></table>
<p>If you keep the recipe in a script, the scaling is one line:</p>
<pre><code>grams = [round(g * servings / 8) for g in base]</code></pre>
<h2>Can I freeze it?</h2>
<p>Yes, for a month.</p>
<h2>Does it work with limes?</h2>
<p>It does, with a little more sugar in the drizzle because limes are sharper than lemons.</p>
<p>Bake it in a lined tin until a skewer comes out clean, then pour the syrup over while the loaf is still hot so \
it soaks into the crumb.</p>
</article>
<footer>Copyright 2024 Kitchen Notes. All rights reserved.</footer>
</body></html>"""

# a short article; a long consent notice in a dialog and teaser links around it
CONSENT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Bridge reopens after repairs | Valley Post</title></head><body>
<dialog open><p>We and our partners use cookies and similar technologies on this website to store and access \
information on your device, to personalise the content and the advertising you see, to measure how the content and \
the advertising perform, to develop and improve our products and to understand our audience. By clicking accept you \
agree to this processing of your data by us and by our partners, as described in our privacy policy and cookie \
policy. You can change your choice at any time in the settings at the bottom of every page, and you can refuse the \
processing that is based on consent, though some processing is based on our legitimate interest. Partners may combine \
this data with other data they hold about you.</p><button>Accept</button><button>Settings</button></dialog>
<article>
<h1>Bridge reopens after repairs</h1>
<p>The old stone bridge over the river Wend reopened to traffic on Monday morning after six weeks of repairs to its \
central arch.</p>
<p>The council said buses will return to their usual route from Wednesday.</p>
</article>
<aside class="teasers"><ul><li><a href="/x">Flood warning lifted for the lower valley as the river falls</a></li>
<li><a href="/y">School fair raises money for a new library roof and books</a></li></ul></aside>
</body></html>"""

# German: a sign-up call, then a "read also" heading and two teaser headlines after the article
JUNK_AFTER = """<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><title>Neue Fähre für die Insel | Küstenbote</title></head><body>
<article>
<h1>Neue Fähre für die Insel</h1>
<p>Die Gemeinde hat am Dienstag eine neue Fähre für die Verbindung zur Insel bestellt, die ab dem kommenden \
Frühjahr zweimal am Tag fahren soll und auch Fahrräder mitnehmen kann.</p>
<p>Der Bürgermeister sagte, die alte Fähre sei über vierzig Jahre alt und ihre Reparaturen kosteten inzwischen mehr \
als der Betrieb, weshalb der Rat dem Kauf mit großer Mehrheit zugestimmt habe.</p>
<p>Jetzt anmelden und keine Nachricht verpassen</p>
<p>Lesen Sie auch:</p>
<p>Hafenfest zieht Tausende an</p>
<p>Neuer Radweg am Deich eröffnet</p>
</article>
</body></html>"""


def test_lists_tables_code_and_questions_in_the_article_stay() -> None:
    body = clean_html(RECIPE).body
    for kept in ("You will need:", "225 g soft butter", "4 large eggs", "2 unwaxed lemons", "180 C fan", "45 minutes",
                 "grams = [round(g * servings / 8) for g in base]", "Can I freeze it?", "Yes, for a month.",
                 "Does it work with limes?", "Bake it in a lined tin"):
        assert kept in body, kept
    assert "---" not in body  # trafilatura's markdown rule under a table header is no text
    assert "All rights reserved" not in body and "Recipes" not in body


def test_a_short_article_is_not_replaced_by_a_consent_notice() -> None:
    result = clean_html(CONSENT)
    assert result.body.split("\n") == [
        "Bridge reopens after repairs",
        "The old stone bridge over the river Wend reopened to traffic on Monday morning after six weeks of repairs "
        "to its central arch.",
        "The council said buses will return to their usual route from Wednesday.",
    ]
    assert result.title is not None and result.title.startswith("Bridge reopens after repairs")


def test_known_junk_after_the_article_goes_and_explain_says_why() -> None:
    result = clean_html(JUNK_AFTER, explain=True)
    assert result.body.split("\n") == [
        "Neue Fähre für die Insel",
        "Die Gemeinde hat am Dienstag eine neue Fähre für die Verbindung zur Insel bestellt, die ab dem kommenden "
        "Frühjahr zweimal am Tag fahren soll und auch Fahrräder mitnehmen kann.",
        "Der Bürgermeister sagte, die alte Fähre sei über vierzig Jahre alt und ihre Reparaturen kosteten inzwischen "
        "mehr als der Betrieb, weshalb der Rat dem Kauf mit großer Mehrheit zugestimmt habe.",
    ]
    dropped = {d.line: d.rule for d in result.decisions if not d.keep}
    assert dropped == {
        "Jetzt anmelden und keine Nachricht verpassen": "junk-phrase",
        "Lesen Sie auch:": "junk-phrase",
        "Hafenfest zieht Tausende an": "after-end-marker",
        "Neuer Radweg am Deich eröffnet": "after-end-marker",
    }
    assert all(d.rule == "extracted" for d in result.decisions if d.keep)


def test_a_template_line_inside_the_extraction_goes() -> None:
    from cleanwire.clean import TemplateModel

    notice = "Support independent local journalism"  # a line on every page of the run: the site's
    towns = ("Kelmsby", "Arnholt", "Penrith Bay", "Dunmere")
    pages = [
        "<html><head><title>Notes</title></head><body><nav><a href='/'>Home</a> <a href='/n'>News</a></nav><article>"
        f"<p>The council of {town} met on a wet Tuesday in {month} and agreed after a long debate to repair the sea "
        f"wall before the winter storms, at a cost of {cost} thousand that the harbour board will share.</p>"
        f"<p>{notice}</p>"
        f"<p>Fishermen in {town} said the work on the wall was overdue by at least {cost // 10} years, and asked that "
        "the slipway be mended at the same time so that boats can land in any weather.</p>"
        "</article><footer>Contact the newsroom</footer></body></html>"
        for town, month, cost in zip(towns, ("March", "April", "May", "June"), (120, 340, 560, 780))
    ]
    model = TemplateModel()
    for page in pages:
        model.add(page)
    model.freeze()
    result = clean_html(pages[0], model, explain=True)
    assert notice not in result.body
    assert result.body.startswith("The council of Kelmsby met") and "Fishermen in Kelmsby" in result.body
    assert [d.rule for d in result.decisions if d.line == notice] == ["template"]


def test_explain_on_html() -> None:
    result = clean_html((FIXTURES / "article_html.html").read_text(), explain=True)
    assert result.decisions and all(d.rule for d in result.decisions)
    assert [d.line for d in result.decisions if d.keep] == result.body.split("\n")


def test_table_rows_lose_their_bars() -> None:
    sentences = (
        "The ferry to the island will run twice a day from next week, the operator said, after the "
        "repairs to the landing stage were finished sooner than expected by the harbour crews."
    )
    html = f"<html><body><table><tr><td>{sentences}</td></tr><tr><td>Home</td></tr></table></body></html>"
    assert clean_html(html).body == sentences


def test_empty_extraction_falls_back_to_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    sentences = (
        "The ferry to the island will run twice a day from next week, the operator said, after the "
        "repairs to the landing stage were finished sooner than expected by the harbour crews."
    )
    html = f"<html><body><div>Home</div><div>News</div><p>{sentences}</p><div>Contact us</div></body></html>"
    result = clean_html(html)
    assert result.body == sentences


def test_not_html_at_all() -> None:
    assert clean_html("").body == ""
    assert clean_html("just a few words").body in ("", "just a few words")


def test_template_model_reads_html_pages_as_text() -> None:
    from cleanwire.clean import TemplateModel

    page = (FIXTURES / "article_html.html").read_text()
    model = TemplateModel()
    for i in range(4):
        model.add(page.replace("Kelmsby", f"Kelmsby{i}"))
    model.freeze()
    assert model.is_template("Most read")
    assert not model.is_template("<footer>")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(list("<>/ap bodyhtml=\"'x!-\n&;") + ["<p>", "</p>", "<script>", "<div>"]), max_size=120))
def test_html_path_never_crashes(pieces: list[str]) -> None:
    result = clean_html("<html><body>" + "".join(pieces))
    assert isinstance(result.body, str)
