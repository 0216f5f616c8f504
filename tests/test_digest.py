"""Tests for cleanwire.digest: a page holding several stories joins none of them into one cluster."""

from __future__ import annotations

from conftest import paragraphs
from test_match import all_matches

from cleanwire.cluster import build_clusters
from cleanwire.config import DedupConfig
from cleanwire.digest import CONTAINED
from cleanwire.fingerprint import signature
from cleanwire.verify import Match

CFG = DedupConfig()


def briefs(count: int) -> list[str]:
    """Short stories of about 60 words each, one per seed."""
    return [paragraphs(100 + k, count=1, words=60)[0] for k in range(count)]


def clusters_of(texts: list[str]) -> tuple[list, list]:
    matches = all_matches(texts)
    lengths = [signature(t, CFG).length for t in texts]
    return matches, build_clusters(len(texts), matches, lengths)


def test_a_digest_joins_no_two_stories_and_is_no_canonical() -> None:
    stories = briefs(8)
    digest = "\n".join(stories)
    texts = [digest, stories[1], stories[4], stories[6]]
    matches, clusters = clusters_of(texts)
    held = {(m.a, m.b) for m in matches if m.relation == CONTAINED}
    assert len(held) >= 2 and held <= {(1, 0), (2, 0), (3, 0)}  # (a story the candidate search misses is no match)
    assert all(m.relation == CONTAINED for m in matches)
    assert all(not c.members for c in clusters)  # every document a story alone


def test_a_copy_of_a_digest_is_its_duplicate_and_joins_no_story_either() -> None:
    stories = briefs(10)
    digest = "\n".join(stories)
    copy = "\n".join(stories[:-1])  # the same page elsewhere, one story left out
    texts = [digest, stories[2], copy, stories[7], stories[5]]
    _, clusters = clusters_of(texts)
    grouped = sorted(sorted(c.ordinals) for c in clusters if c.members)
    assert grouped == [[0, 2]]


def test_a_story_with_several_excerpts_of_its_top_is_no_digest() -> None:
    body = paragraphs(3, count=8)
    full = "\n".join(body)
    texts = [full, "\n".join(body[:2]), "\n".join(body[:3]) + "\nRead more at The Example Times.",
             "\n".join(body[:4])]
    matches, clusters = clusters_of(texts)
    assert not any(m.relation == CONTAINED for m in matches)
    assert [(c.canonical, sorted(c.ordinals)) for c in clusters if c.members] == [(0, [0, 1, 2, 3])]


def test_a_story_with_excerpts_in_a_digest_keeps_its_excerpts() -> None:
    stories = briefs(6)
    long_story = paragraphs(40, count=6)
    digest = "\n".join([*stories[:3], long_story[0], *stories[3:]])
    full = "\n".join(long_story)
    teaser = "\n".join(long_story[:2])
    texts = [digest, stories[0], full, teaser, stories[4]]
    _, clusters = clusters_of(texts)
    grouped = sorted(sorted(c.ordinals) for c in clusters if c.members)
    assert grouped == [[2, 3]]


def test_a_two_sentence_teaser_is_an_excerpt_and_the_same_words_inside_a_page_are_only_contained() -> None:
    from cleanwire.verify import verify

    body = paragraphs(21, count=6)
    teaser = "The harbour board approved the new ferry terminal on Monday after a long debate. Work starts in May."
    full = "\n".join([teaser + " " + body[0], *body[1:]])
    assert verify(teaser, full, CFG)[0] == "excerpt"
    inside = "\n".join([body[0], teaser, *body[1:]])  # second on the page, where it is still a candidate
    assert verify(teaser, inside, CFG)[0] == CONTAINED
    assert verify(teaser.replace("Monday", "Friday"), full, CFG)[0] is None  # not found whole
    # (whether such a pair is a candidate at all is the fingerprints' business): a contained pair joins no cluster
    held = Match(1, 0, CONTAINED, 0.2, 1.0)
    assert all(not c.members for c in build_clusters(2, [held], [len(inside), len(teaser)]))


def test_explain_says_a_short_story_inside_a_page_is_contained_not_a_duplicate() -> None:
    from test_explain import rendered

    from cleanwire.explain import explain_pair

    body = paragraphs(21, count=6)
    teaser = "The harbour board approved the new ferry terminal on Monday after a long debate. Work starts in May."
    result = explain_pair(teaser, "\n".join([body[0], teaser, *body[1:]]), CFG, labels=("brief", "digest"))
    assert (result["relation"], result["duplicate"]) == (CONTAINED, False)
    assert "brief is contained-in digest" in rendered(result)


def test_dedupe_all_reports_the_stories_a_digest_contains(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import jsonl, run_cli

    stories = briefs(8)
    (tmp_path / "digest.txt").write_text("\n\n".join(stories), encoding="utf-8")
    for k in (1, 6):
        (tmp_path / f"story{k}.txt").write_text(stories[k], encoding="utf-8")
    outputs = []
    for fmt in ("jsonl", "json"):  # the fast path to a stream, and the records one by one
        code, out, _ = run_cli("dedupe", tmp_path, "--all", "--format", fmt, "-q")
        assert code == 0
        outputs.append({r["id"]: r for r in (jsonl(out) if fmt == "jsonl" else __import__("json").loads(out))})
    assert outputs[0] == outputs[1]
    records = outputs[0]
    assert all(r["canonical_id"] is None and r["duplicates"] == [] for r in records.values())
    assert sorted(records["digest.txt"]["contains"]) == ["story1.txt", "story6.txt"]
    held = records["story1.txt"]["contained_in"]
    assert [(h["id"], h["relation"]) for h in held] == [("digest.txt", CONTAINED)] and held[0]["containment"] > 0.9
    code, out, _ = run_cli("dedupe", tmp_path, "--format", "jsonl", "-q")  # without --all: stories alone, as before
    assert all("contained_in" not in r and "contains" not in r for r in jsonl(out))


def test_a_digest_with_one_brief_among_the_inputs_holds_the_lead_of_a_story_published_whole() -> None:
    """Only one of its briefs is a page of its own; another brief is the lead of a full story among the inputs,
    which shares too little with the digest to match it: that lead is a second story of the page (issue 19)."""
    stories = briefs(7)
    article = "\n".join([stories[0], *paragraphs(71, count=6)])  # the first brief is this story's lead
    digest = "\n".join(stories)
    texts = [digest, stories[3], article]
    matches, clusters = clusters_of(texts)
    assert [(m.a, m.b, m.relation) for m in matches] == [(1, 0, CONTAINED)]
    assert all(not c.members for c in clusters)


def test_a_copy_with_another_story_s_lead_left_on_top_stays_a_copy() -> None:
    """A copy that kept a line of its template's own story (that story's lead) above the article is no digest:
    its copies elsewhere show that the article is its own story."""
    article = paragraphs(72, count=7)
    other = paragraphs(73, count=6)
    page = "\n".join([other[0], *article])
    excerpt = "\n".join(article[:2])
    copy = "\n".join(article)
    texts = [page, excerpt, copy, "\n".join(other)]
    _, clusters = clusters_of(texts)
    assert sorted(sorted(c.ordinals) for c in clusters if c.members) == [[0, 1, 2]]


def test_short_briefs_found_inside_a_digest_count_as_its_stories() -> None:
    """A brief under 30 words inside the page is contained-in it (not at its top): it is a story in its own
    place, so the page with one more brief that matches it as an excerpt is a digest."""
    stories = briefs(6)
    short = " ".join(stories[2].split()[:24])
    digest = "\n".join([stories[0], stories[1], short, *stories[3:]])
    texts = [digest, short, stories[4]]
    matches, clusters = clusters_of(texts)
    assert {(m.a, m.b, m.relation) for m in matches} == {(1, 0, CONTAINED), (2, 0, CONTAINED)}
    assert all(not c.members for c in clusters)
