"""Tests for cleanwire.narrative: shared quotations are no copy, shared narrative is."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import paragraphs
from test_explain import rendered

from cleanwire.config import DedupConfig
from cleanwire.explain import explain_pair
from cleanwire.fingerprint import match_key
from cleanwire.narrative import _QUOTED, narrative, quoted_mask, unquoted
from cleanwire.verify import verify

CFG = DedupConfig()
MARKS = [('"', '"'), ("\u201c", "\u201d"), ("\u201e", "\u201c"), ("\u00ab", "\u00bb"), ("\u300c", "\u300d"),
         ("'", "'")]


def quoted(body: list[str], marks: tuple[str, str] = ("\u201c", "\u201d"), who: str = "the minister") -> list[str]:
    """Paragraphs as one person's quoted statement, attributed as news style does."""
    start, end = marks
    return [f"{start}{p[:-1]},{end} said {who}." for p in body]


def test_quotation_marks_of_many_scripts_are_found() -> None:
    for start, end in MARKS:
        text = f"The council met on Monday. {start}We will build the bridge now,{end} the mayor said."
        mask = quoted_mask(text, len(match_key(text).split()))
        assert mask is not None
        words = match_key(text).split()
        assert [w for w, q in zip(words, mask) if q] == ["we", "will", "build", "the", "bridge", "now"], start


def test_apostrophes_are_not_quotation_marks() -> None:
    text = "The players' union didn't agree, and Jones' lawyer said it's over."
    mask = quoted_mask(text)
    assert mask is not None and not mask.any()


def test_an_unclosed_quotation_ends_with_its_paragraph() -> None:
    text = "\u201cWe will appeal the ruling, and we will win\nThe court adjourned until Friday."
    mask = quoted_mask(text)
    assert mask is not None
    assert mask[:9].all() and not mask[9:].any()


@pytest.mark.parametrize("marks", MARKS)
def test_two_articles_sharing_only_a_long_statement_are_not_duplicates(marks: tuple[str, str]) -> None:
    statement = quoted(paragraphs(7, count=6), marks)  # longer than either article's own text
    first = "\n".join([*paragraphs(1, count=2), *statement])
    second = "\n".join([*paragraphs(2, count=2), *statement[:5]])
    assert verify(first, second, CFG)[0] is None
    unquoted = "\n".join([*paragraphs(1, count=2), *paragraphs(7, count=6)])
    assert verify(unquoted, "\n".join([*paragraphs(2, count=2), *paragraphs(7, count=5)]), CFG)[0] is not None


def test_wire_copies_that_quote_the_same_people_stay_duplicates() -> None:
    own = paragraphs(3, count=5)
    story = [own[0], *quoted(paragraphs(8, count=2)), *own[1:], *quoted(paragraphs(9, count=1), who="a witness")]
    full = "\n".join(story)
    assert verify(full, "\n".join(story[:4]), CFG)[0] == "excerpt"  # its first paragraphs
    edited = "\n".join(["Updated with the minister's comments.", *story[:5], *story[6:]])
    assert verify(full, edited, CFG)[0] == "near-duplicate"
    statement_only = "\n".join(quoted(paragraphs(8, count=2)) + quoted(paragraphs(9, count=1)))
    assert verify(statement_only, statement_only.replace("minister", "premier"), CFG)[0] is not None  # all quotes


def test_one_shared_quote_and_background_paragraph_is_not_a_copy() -> None:
    background, statement = paragraphs(5, count=1), quoted(paragraphs(6, count=2))
    # the background is a quarter of each article's own text (the issue saw 9% to 28%)
    first = "\n".join([*paragraphs(1, count=2), *statement, *background, *paragraphs(11, count=1)])
    second = "\n".join([*paragraphs(2, count=1), *statement, *background, *paragraphs(4, count=2)])
    assert verify(first, second, CFG)[0] is None


def test_explain_says_a_quote_only_pair_is_rejected() -> None:
    statement = quoted(paragraphs(7, count=6))
    first = "\n".join([*paragraphs(1, count=2), *statement])
    second = "\n".join([*paragraphs(2, count=2), *statement])
    result = explain_pair(first, second, CFG)
    assert result["relation"] is None and result["narrative"]["rejected_as_quotes"]
    assert result["narrative"]["quoted_shared"] > 300 and result["narrative"]["containment"] < 0.25
    assert any(p["kind"] == "shared" and p["quoted"] >= 0.8 for p in result["passages"])
    text = rendered(result)
    assert "mostly quotations" in text and "(quoted)" in text and "narrative" in text
    json.dumps(result)
    copy = explain_pair(first, first.replace("minister", "premier"), CFG)
    assert copy["duplicate"] and not copy["narrative"]["rejected_as_quotes"]
    assert copy["narrative"]["containment"] > 0.8


@pytest.mark.parametrize("text", [
    "The mayor said “we will build it” on Monday.",
    "Straße und Übergänge: „Wir bauen“, sagte er.",
    "東京で「新しい橋」を建てる abc中文 def 中abc",
    "It's the players' union, 'Tis the season 'we won,' he said.",
])
def test_the_quote_mask_has_one_entry_per_match_key_token(text: str) -> None:
    mask = quoted_mask(text, len(match_key(text).split()))
    assert mask is not None and len(mask) == len(match_key(text).split())
    assert mask.any()
def _reference_mask(text: str) -> np.ndarray:
    """quoted_mask the plain way: match_key's tokens counted per stretch between quotation edges."""
    edges = [0, *[e for m in _QUOTED.finditer(text) for e in m.span()], len(text)]
    counts = [len(match_key(text[start:end]).split()) for start, end in zip(edges[:-1], edges[1:])]
    return np.repeat(np.arange(len(counts)) % 2 == 1, counts)


@pytest.mark.parametrize("text", [
    "", "'", "'Tis 'we won,' he said. \"Yes\"now 'x'",
    "\u201cSo\u201dsaid \u00abVoil\u00e0\u00bb caf\u00e9 \u2018ok\u2019s",
    "na\u00efve \u201cr\u00e9sum\u00e9 \u2460\u00b2 x_y\u201d",
    "\u4e2d\u6587ab \u300c\u4e2d\u6587\u300d a\u4e2d\u30fbb",
    "'abc' 'd'e \"open\nnext\" line", "it's the players' 'union' rule",
])
def test_the_quote_mask_counts_the_tokens_match_key_finds(text: str) -> None:
    assert np.array_equal(quoted_mask(text), _reference_mask(text))
    # a straight quote opens a quotation only where no word character stands before it
    old_form = re.compile(r"(?<!\w)'(?=\w)[^'\n]*?(?<=[\w.,!?])'(?!\w)")
    assert ([m.span() for m in _QUOTED.finditer(text) if text[m.start()] == "'"]
            == [m.span() for m in old_form.finditer(text)])


def test_narrative_from_runs_is_narrative_from_masks() -> None:
    quoted_a = np.array([0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0] * 3, dtype=bool)
    quoted_b = np.array([0] * 30 + [1] * 10, dtype=bool)
    blocks = [(0, 0, 9), (9, 9, 3), (20, 15, 12), (40, 30, 8)]
    covered = np.zeros(len(quoted_a), dtype=bool)
    for i, _, size in blocks:
        covered[i:i + size] = True
    shared = covered & ~quoted_a
    runs = np.diff(np.flatnonzero(np.diff(np.concatenate(([0], shared.astype(np.int8), [0])))))[::2]
    expected = narrative(blocks, quoted_a, quoted_b)
    assert expected == narrative(blocks, unquoted(quoted_a), unquoted(quoted_b))
    assert expected.words_a == int((~quoted_a).sum())
    assert expected.shared_a == int(runs[runs >= 8].sum())
    assert expected.quoted_shared == int((covered & quoted_a).sum())
