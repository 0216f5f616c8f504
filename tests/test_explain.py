"""Tests for cleanwire.explain: scores, thresholds and aligned passages of a pair."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rich.console import Console

from cleanwire.config import DedupConfig
from cleanwire.explain import explain_pair, render_explain
from cleanwire.verify import verify

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_match import paragraphs, seeds  # noqa: E402

CFG = DedupConfig()


def rendered(result: dict) -> str:
    console = Console(width=160, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(render_explain(result))
    return console.export_text()


def test_seed_excerpt_is_explained_with_its_one_sided_text() -> None:
    excerpt, full, _ = seeds()
    result = explain_pair(excerpt, full, CFG, labels=("000", "001"))
    assert (result["relation"], result["duplicate"]) == ("excerpt", True)
    assert (result["similarity"], result["containment"]) == tuple(round(x, 4) for x in verify(excerpt, full, CFG)[1:])
    assert result["thresholds"]["excerpt_threshold"] == CFG.excerpt_threshold
    assert result["candidate"]["would_be_candidate"]
    kinds = [p["kind"] for p in result["passages"]]
    assert kinds.count("shared") >= 2
    differs = next(p for p in result["passages"] if p["kind"] == "differs")
    assert differs["a"] == "threatsmissile testsfiery" and differs["b"] == "threats, missile tests, fiery"
    assert result["passages"][-1]["kind"] == "only_b"
    assert "but not at any price" in result["passages"][-1]["b"]
    json.dumps(result)  # JSON-ready


def test_every_word_of_both_sides_is_in_exactly_one_passage() -> None:
    body = paragraphs(7)
    a = "\n".join(["A new first line here for the test.", *body[:6]])
    b = "\n".join([body[0], body[4], body[1], body[2], body[3], body[5], body[6], "Read more at the Example Post."])
    result = explain_pair(a, b, CFG)
    for side in ("a", "b"):
        spans = sorted(tuple(p[f"{side}_words"]) for p in result["passages"]
                       if p[f"{side}_words"][1] > p[f"{side}_words"][0])
        assert spans[0][0] == 0
        assert all(x[1] == y[0] for x, y in zip(spans, spans[1:]))
        assert spans[-1][1] == result["words"][side]
    assert any(p["kind"] == "shared" and p["moved"] for p in result["passages"])


def test_unrelated_texts_are_not_duplicates_and_the_view_says_so() -> None:
    _, full, other = seeds()
    result = explain_pair(full, other, CFG, labels=("001", "002"))
    assert result["relation"] is None
    text = rendered(result)
    assert "not a duplicate" in text and "001" in text and "002" in text
    assert ">= 0.8" in text


def test_short_texts_show_the_near_exact_rule() -> None:
    result = explain_pair("The council met on Monday.", "The council met on Tuesday.", CFG)
    assert result["short"] and result["relation"] is None
    assert "near-exact" in rendered(result)


def test_render_abbreviates_long_shared_passages() -> None:
    text = "\n".join(paragraphs(3, count=12))
    result = explain_pair(text, text + "\nOne more closing sentence for this story here.", CFG)
    assert result["relation"] == "near-duplicate"
    out = rendered(result)
    assert "more shared words" in out and "closing sentence" in out


def test_relation_says_which_side_is_contained_and_same_length_copies_are_near_duplicates() -> None:
    excerpt, full, _ = seeds()
    for labels, texts in ((("000", "001"), (excerpt, full)), (("001", "000"), (full, excerpt))):
        result = explain_pair(*texts, CFG, labels=labels)
        assert (result["relation"], result["contained"]) == ("excerpt", "000")
        assert "000 is mostly inside 001" in rendered(result)
    body = paragraphs(11, count=8)
    edited = body[:6] + paragraphs(12, count=2)
    result = explain_pair("\n".join(body), "\n".join(edited), CFG)
    assert result["similarity"] < CFG.near_threshold <= result["containment"] + 0.1
    assert (result["relation"], result["contained"]) == ("near-duplicate", None)
