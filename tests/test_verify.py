"""Tests for cleanwire.verify: rapidfuzz alignment of candidate pairs and the verdict."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import cleanwire.verify as verify_module
from cleanwire.config import DedupConfig
from cleanwire.verify import Match, verify

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_match import paragraphs, seeds  # noqa: E402

CFG = DedupConfig()



def test_seed_excerpt_that_lost_spaces_is_an_excerpt_of_the_full_story() -> None:
    excerpt, full, other = seeds()
    assert "threatsmissile testsfiery" in excerpt
    relation, similarity, containment = verify(excerpt, full, CFG)
    assert relation == "excerpt"
    assert containment > 0.95 and similarity < CFG.near_threshold


def test_same_topic_by_another_writer_is_not_a_duplicate() -> None:
    excerpt, full, other = seeds()
    assert verify(full, other, CFG)[0] is None
    assert verify(excerpt, other, CFG)[0] is None


def test_copy_kinds_are_verified() -> None:
    body = paragraphs(1)
    text = "\n".join(body)
    glued = text.replace(", ", "", 6).replace(". ", "", 4)
    edited = "\n".join(["Update: this story has been updated with comments.", *body[:5], *body[6:]])
    edited = edited.replace("council", "committee", 3)
    reordered = "\n".join([body[0], body[5], body[1], body[2], body[7], body[3], body[4], body[6]])
    excerpt = "\n".join(body[:2]) + "\nRead the full story at The Daily Example."
    assert verify(text, text.upper(), CFG)[0] == "exact"
    assert verify(text, glued, CFG)[0] == "near-duplicate"
    assert verify(text, edited, CFG)[0] == "near-duplicate"
    assert verify(text, reordered, CFG)[0] == "near-duplicate"
    assert verify(excerpt, text, CFG)[0] == "excerpt"
    assert verify(text, "\n".join(paragraphs(2)), CFG)[0] is None


def test_short_texts_match_only_near_exact_text() -> None:
    short = "The council approved the new harbour budget on Monday."
    assert verify(short, short.replace(".", "!"), CFG)[0] == "exact"
    assert verify(short, short.replace("approved", "aproved"), CFG)[0] == "near-duplicate"  # a typo
    assert verify(short, short.replace("Monday", "Tuesday"), CFG)[0] is None
    long_text = short + "\n" + "\n".join(paragraphs(5))
    assert verify(short, long_text, CFG)[0] is None  # contained, but too short to call an excerpt


def test_very_long_texts_are_aligned_in_chunks_with_the_same_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    body = paragraphs(31, count=12)
    text = "\n".join(body)
    moved = "\n".join([*body[6:], *body[:6]])
    excerpt = "\n".join(body[:3])
    other = "\n".join(paragraphs(32, count=12))
    expected = [verify(a, b, CFG) for a, b in ((text, moved), (excerpt, text), (text, other))]
    monkeypatch.setattr(verify_module, "_MAX_CELLS", 5000)  # forces the chunked path
    chunked = [verify(a, b, CFG) for a, b in ((text, moved), (excerpt, text), (text, other))]
    assert [v[0] for v in chunked] == [v[0] for v in expected] == ["near-duplicate", "excerpt", None]
    assert chunked[1] == pytest.approx(expected[1], abs=0.02)


def test_matches_survive_pickling_for_the_workers() -> None:
    import pickle

    matches = [Match(1, 2, "excerpt", 0.5, 0.98), Match(3, 9, "near-duplicate", 0.91, 0.93)]
    assert pickle.loads(pickle.dumps(matches, protocol=pickle.HIGHEST_PROTOCOL)) == matches
