"""normalize_text: NFKC, odd spaces, line endings, empty lines."""

from cleanwire.clean import normalize_text


def test_crlf_and_empty_lines() -> None:
    assert normalize_text("a\r\n\r\n  b  \r\n\n\nc\rd") == "a\nb\nc\nd"


def test_nfkc_and_odd_spaces() -> None:
    assert normalize_text("ﬁne\u00a0day\u2009here\u3000now") == "fine day here now"
    assert normalize_text("zero\u200bwidth\ufeff soft\u00adhyphen") == "zero width softhyphen"


def test_runs_of_spaces_and_tabs_collapse() -> None:
    assert normalize_text("a \t  b\t\tc") == "a b c"


def test_unicode_line_separators_split_lines() -> None:
    assert normalize_text("one\u2028two\u2029three") == "one\ntwo\nthree"


def test_blank_input() -> None:
    assert normalize_text("") == ""
    assert normalize_text(" \n\t\r\n \u00a0") == ""
