"""markup: telling HTML from a text dump, and a page's naive text dump."""

from __future__ import annotations

from cleanwire.clean.markup import html_to_text


def test_html_to_text_drops_scripts_even_unclosed() -> None:
    page = "<p>one</p><script>var a = '<p>no</p>';</script><p>two</p><style>p{}</style><script>never closed"
    lines = [line.strip() for line in html_to_text(page).split("\n") if line.strip()]
    assert lines == ["one", "two"]
