"""wrapped: hard-wrapped pages are judged paragraph by paragraph."""

from __future__ import annotations

from clean_samples import page

from cleanwire.clean import clean_text_dump


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
