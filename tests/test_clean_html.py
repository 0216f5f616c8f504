"""clean_html: trafilatura extraction, metadata, junk rules after it, and the text fallback."""

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
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The council of the small harbour town of Kelmsby")
    assert paragraphs[-1].endswith("land their catch there.")
    for junk in ("Share on Facebook", "Most read", "All rights reserved", "Home"):
        assert junk not in result.body
    assert result.title is not None and result.title.startswith("Harbour town votes to rebuild its old lighthouse")
    assert result.author == "Mira Holloway"
    assert result.date == "2024-03-14"


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
