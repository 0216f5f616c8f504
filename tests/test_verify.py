"""Tests for cleanwire.verify: rapidfuzz alignment of candidate pairs and the verdict."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz.distance import Indel

import cleanwire.verify as verify_module
from cleanwire.config import DedupConfig
from cleanwire.verify import Match, verify

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clean_samples import MORE, OTHER_PROSE, PARAGRAPHS  # noqa: E402
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


def _long_story(words: int, seed: int) -> str:
    """A long generated text: common words mixed with rarer ones, as in prose."""
    rng = random.Random(seed)
    common = [f"w{k}" for k in range(300)]
    rare = [f"r{k}x" for k in range(400_000)]
    return " ".join(rng.choice(common) if rng.random() < 0.6 else rng.choice(rare) for _ in range(words))


def _light_edit(text: str, seed: int) -> str:
    """A copy with about one word in 400 replaced, dropped or doubled, and one paragraph moved to the end."""
    rng = random.Random(seed)
    words = text.split()
    out = []
    for word in words:
        roll = rng.random()
        if roll < 0.001:
            out.append("edited")
        elif roll < 0.002:
            continue
        elif roll < 0.0025:
            out.extend([word, word])
        else:
            out.append(word)
    start = len(out) // 3
    moved = out[start:start + 200]
    return " ".join(out[:start] + out[start + 200:] + moved)


class _CountingIndel:
    """rapidfuzz's Indel, counting the alignment cells (len(a) * len(b)) passed to opcodes."""

    def __init__(self) -> None:
        self.cells = 0

    def opcodes(self, a: str, b: str) -> object:
        self.cells += len(a) * len(b)
        return Indel.opcodes(a, b)

    def normalized_similarity(self, a: str, b: str) -> float:
        return float(Indel.normalized_similarity(a, b))


def test_long_near_identical_texts_cost_about_linear_alignment_work(monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _CountingIndel()
    monkeypatch.setattr(verify_module, "Indel", counter)
    work = []
    for words in (25_000, 50_000):
        counter.cells = 0
        story = _long_story(words, seed=words)
        relation, similarity, _ = verify(story, _light_edit(story, seed=1), CFG)
        assert relation == "near-duplicate" and similarity > 0.98
        work.append(counter.cells)
    assert work[1] < 3 * work[0], work  # quadratic would be 4x


@pytest.mark.parametrize("kind", ["light edit", "excerpt", "half shared"])
def test_long_texts_aligned_between_anchors_keep_the_full_alignment_verdict(
        monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    story = _long_story(36_000 if kind == "excerpt" else 30_000, seed=7)
    words = story.split()
    if kind == "light edit":
        other = _light_edit(story, seed=2)
    elif kind == "excerpt":
        other = _light_edit(" ".join(words[5_000:26_000]), seed=3)  # 21,000 of 36,000 words
    else:
        other = " ".join(words[:16_000]) + " " + _long_story(16_000, seed=8)
    anchored = verify(story, other, CFG)
    monkeypatch.setattr(verify_module, "_ANCHORED_TOKENS", 10**9)  # the full alignment
    full = verify(story, other, CFG)
    assert anchored[0] == full[0] == {"light edit": "near-duplicate", "excerpt": "excerpt", "half shared": None}[kind]
    assert anchored[1] == pytest.approx(full[1], abs=0.01) and anchored[2] == pytest.approx(full[2], abs=0.01)


def test_long_texts_without_enough_anchors_are_aligned_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    story = " ".join(rng.choice([f"w{k}" for k in range(50)]) for _ in range(22_000))  # no word occurs once
    other = _light_edit(story, seed=4)
    chars = [verify_module.token_chars(text, CFG) for text in (story, other)]
    assert verify_module._anchored_matches(*chars) is None
    fallback = verify(story, other, CFG)
    monkeypatch.setattr(verify_module, "_ANCHORED_TOKENS", 10**9)
    assert fallback == verify(story, other, CFG)
    assert fallback[0] == "near-duplicate"


def _reference_blocks(left: str, right: str, min_block: int, passes: int = 3) -> list[tuple[int, int, int]]:
    """Shared runs the plain way: each pass aligns the tokens no run has taken yet, as index arrays."""
    blocks: list[tuple[int, int, int]] = []
    index_left, index_right = np.arange(len(left)), np.arange(len(right))
    for _ in range(passes):
        if len(index_left) < min_block or len(index_right) < min_block:
            break
        found = verify_module._in_order_blocks("".join(left[i] for i in index_left),
                                               "".join(right[j] for j in index_right), min_block)
        if not found:
            break
        keep_left, keep_right = np.ones(len(index_left), dtype=bool), np.ones(len(index_right), dtype=bool)
        for a, b, size in found:
            keep_left[a:a + size] = keep_right[b:b + size] = False
            at_left, at_right = index_left[a:a + size], index_right[b:b + size]
            cuts = np.flatnonzero((np.diff(at_left) != 1) | (np.diff(at_right) != 1)) + 1
            for start, end in zip([0, *cuts.tolist()], [*cuts.tolist(), size]):
                if end - start >= min_block:
                    blocks.append((int(at_left[start]), int(at_right[start]), end - start))
        index_left, index_right = index_left[keep_left], index_right[keep_right]
    return sorted(blocks)


def test_moved_passages_are_found_as_by_aligning_the_leftover_tokens() -> None:
    rng = random.Random(7)
    for _ in range(60):
        parts = ["".join(chr(0x10000 + rng.randrange(50)) for _ in range(rng.randint(1, 25)))
                 for _ in range(rng.randint(2, 7))]
        moved = rng.sample(parts, len(parts))
        left, right = "".join(parts), "".join(p if rng.random() < 0.8 else p[::-1] for p in moved)
        for min_block in (1, 3, 6):
            assert verify_module._blocks(left, right, min_block) == _reference_blocks(left, right, min_block)
def test_a_story_opening_below_other_prose_is_an_excerpt() -> None:
    # an excerpt whose page kept its own prose above it (an author's blurb, a glued link list): under half of
    # the page is the story, but the story's first paragraphs stand whole in it, in one run
    story = PARAGRAPHS + MORE
    page = "\n".join([*OTHER_PROSE, *story[:3]])
    relation, _, containment = verify(page, "\n".join(story), CFG)
    assert containment < CFG.excerpt_threshold and relation == "excerpt"


def test_an_opening_shared_at_the_top_of_both_or_too_short_or_quoted_is_no_match() -> None:
    story = PARAGRAPHS + MORE
    # the same prose at the top of both (a site's blurb above two of its articles; or an excerpt above other
    # text, which this rule cannot tell from the blurb)
    assert verify("\n".join([*story[:3], *OTHER_PROSE]), "\n".join(story), CFG)[0] is None
    # one paragraph of the story below other prose: too little to call it the story
    assert verify("\n".join([*OTHER_PROSE, story[0]]), "\n".join(story), CFG)[0] is None
    # the story's opening paragraphs are all quotations: a quote shared by two articles
    quoted = [f'"{line}"' for line in story[:3]] + story[3:]
    assert verify("\n".join([*OTHER_PROSE, *quoted[:3]]), "\n".join(quoted), CFG)[0] is None
def test_an_update_with_a_new_top_is_a_version_of_the_story() -> None:
    """A new top, the body kept, a paragraph added: one story when the kept body is half of the shorter (issue 19)."""
    body = paragraphs(61, count=4)
    tops = paragraphs(62, count=2, words=90)
    first = "\n".join([tops[0], *body[:2]])
    update = "\n".join([tops[1], *body[:3]])  # the old top replaced, a paragraph added
    relation, similarity, containment = verify(first, update, CFG)
    assert relation == verify_module.UPDATE
    assert containment < CFG.excerpt_threshold and similarity < CFG.near_threshold  # no other rule would join them


def test_a_common_tail_or_head_is_no_update() -> None:
    """Different stories ending (or starting) with the same passage: a footer, a comment thread, a standing paragraph."""
    tail = "\n".join(paragraphs(63, count=3))
    story_a, story_b = ("\n".join(paragraphs(seed, count=2)) for seed in (64, 65))
    assert verify(story_a + "\n" + tail, story_b + "\n" + tail, CFG)[0] is None
    assert verify(tail + "\n" + story_a, tail + "\n" + story_b, CFG)[0] is None


def test_a_short_text_after_more_than_a_headline_is_contained_not_a_teaser() -> None:
    body = paragraphs(66, count=6)
    teaser = " ".join(body[1].split()[:25])
    headline = "Ferry terminal approved after long debate"
    assert verify(teaser, "\n".join([headline, *body[1:]]), CFG)[0] == "excerpt"
    preamble = "Flights and hotels near the harbour. Sign up for weekly deals on ferries, hotels and tours today"
    assert verify(teaser, "\n".join([preamble, *body[1:]]), CFG)[0] == "contained-in"
