"""Tests for cleanwire.cluster: clusters from verified matches and the canonical choice."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanwire.cluster import Cluster, ClusterBuilder, build_clusters, linked_clusters
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import signature
from cleanwire.match import find_matches
from cleanwire.verify import Match

CFG = DedupConfig()
SYLLABLES = "ba ko ri tu me sa lo ne vi da ru pe mo ki zu la fo gi".split()


def story(seed: int, count: int = 6) -> list[str]:
    """Paragraphs of a made-up story."""
    rng = random.Random(seed)

    def words(n: int) -> str:
        return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(n))

    return [". ".join(words(rng.randint(8, 16)).capitalize() for _ in range(4)) + "." for _ in range(count)]


def clusters_of(texts: list[str], keep: str = "complete") -> list[Cluster]:
    sigs = [signature(t, CFG) for t in texts]
    matches = find_matches(sigs, lambda ords: {i: texts[i] for i in ords}, CFG)
    return build_clusters(len(texts), matches, [s.length for s in sigs], keep)


def partition(clusters: list[Cluster], names: list[str]) -> set[frozenset[str]]:
    return {frozenset(names[i] for i in c.ordinals) for c in clusters}


def near(i: int, j: int) -> Match:
    return Match(i, j, "near-duplicate", 0.9, 0.9)


def test_singletons_are_clusters_without_members() -> None:
    clusters = build_clusters(3, [], [10, 20, 30])
    assert [(c.canonical, c.members) for c in clusters] == [(0, []), (1, []), (2, [])]


def test_canonical_is_the_most_complete_then_longest_then_first() -> None:
    matches = [Match(0, 1, "excerpt", 0.4, 0.95), Match(1, 2, "near-duplicate", 0.9, 0.92)]
    # 1 is verified against both others, so it contains them, though 2 is longer
    [cluster] = build_clusters(3, matches, [100, 300, 320])
    assert cluster.canonical == 1
    assert [(m.a, m.b) for m in cluster.members] == [(1, 0), (1, 2)]
    assert build_clusters(2, [near(0, 1)], [50, 50])[0].canonical == 0  # tie: the first


@pytest.mark.parametrize(("keep", "canonical"), [("longest", 2), ("shortest", 0), ("first", 0), ("complete", 2)])
def test_keep_policies(keep: str, canonical: int) -> None:
    matches = [near(0, 1), near(0, 2), near(1, 2)]
    [cluster] = build_clusters(3, matches, [100, 200, 300], keep)
    assert cluster.canonical == canonical
    assert sorted(m.b for m in cluster.members) == sorted({0, 1, 2} - {canonical})
    assert all(m.a == canonical for m in cluster.members)


def test_member_not_verified_with_the_canonical_attaches_through_its_partner() -> None:
    [cluster] = build_clusters(3, [near(0, 1), near(1, 2)], [300, 200, 100], "longest")
    assert cluster.canonical == 0
    assert [(m.a, m.b) for m in cluster.members] == [(0, 1), (1, 2)]


def test_unknown_keep_is_an_error() -> None:
    with pytest.raises(ValueError):
        build_clusters(1, [], [1], "newest")


def test_a_story_duplicated_many_times_is_one_cluster() -> None:
    text = "\n".join(story(1))
    texts = [text] * 30 + [text.replace(". ", " ") for _ in range(5)] + ["\n".join(story(2))]
    clusters = clusters_of(texts)
    assert len(clusters) == 2
    big = clusters[0]
    assert len(big.members) == 34
    assert all(m.a == big.canonical for m in big.members)  # a star on the canonical, not a chain


def test_short_texts_do_not_collapse_into_one_cluster() -> None:
    base = "The council met on Monday to discuss the new harbour budget for the town"
    texts = [f"{base} {extra}." for extra in ("and the school", "and the bridge", "and the railway",
                                               "and the museum", "and the festival")]
    clusters = clusters_of(texts)
    assert len(clusters) == 5
    assert len(clusters_of(texts + [texts[0].upper()])) == 5  # but an exact copy still joins


def test_input_order_does_not_change_the_clusters() -> None:
    stories = [story(s) for s in range(5)]
    texts = {f"s{s}": "\n".join(p) for s, p in enumerate(stories)}
    texts |= {f"s{s}-excerpt": "\n".join(p[:2]) + "\nRead more at the Example Post." for s, p in enumerate(stories)}
    texts |= {f"s{s}-glued": "\n".join(p).replace(". ", ".", 3).replace(", ", "") for s, p in enumerate(stories)}
    names = sorted(texts)
    expected = partition(clusters_of([texts[n] for n in names]), names)
    assert len(expected) == 5
    for seed in range(3):
        shuffled = names[:]
        random.Random(seed).shuffle(shuffled)
        assert partition(clusters_of([texts[n] for n in shuffled]), shuffled) == expected


def test_output_is_the_same_on_every_run() -> None:
    texts = ["\n".join(story(s)) for s in range(3)] * 2
    first = clusters_of(texts)
    assert clusters_of(texts) == first
    assert [c.canonical for c in first] == [0, 1, 2]


def test_complete_prefers_the_version_that_contains_the_others_over_a_short_hub() -> None:
    # 1 is a short excerpt verified against both 0 and 2; 0 contains 1 and is near 2
    matches = [Match(0, 1, "excerpt", 0.3, 0.95), Match(1, 2, "excerpt", 0.3, 0.95), near(0, 2)]
    assert build_clusters(3, matches, [500, 80, 520])[0].canonical == 2
    # without the 0-2 link nobody contains everyone: the longest
    matches = [Match(0, 1, "excerpt", 0.3, 0.95), Match(1, 2, "excerpt", 0.3, 0.95)]
    assert build_clusters(3, matches, [500, 80, 520])[0].canonical == 2


def test_a_story_copied_more_often_than_max_doc_freq_is_still_one_cluster() -> None:
    paragraphs = story(5, count=8)
    texts = []
    for k in range(60):  # 60 edited copies, none exact: every fingerprint is in ~60 documents
        edited = paragraphs[:]
        edited[k % 8] = edited[k % 8].replace(".", f" update {k}.", 1)
        texts.append("\n".join(edited))
    texts.append("\n".join(story(6, count=8)))
    clusters = clusters_of(texts)
    assert CFG.max_doc_freq < 60
    assert [len(c.ordinals) for c in clusters] == [60, 1]


def test_copies_that_each_lack_other_fingerprints_are_one_cluster_past_max_doc_freq() -> None:
    # wire copies edited at random places: every fingerprint's group of documents is too big for all
    # pairs and misses other copies, so chain links alone (each document to the next) rarely repeat
    paragraphs = story(7, count=8)
    rng = random.Random(3)
    texts = []
    for _ in range(120):
        edited = paragraphs[:]
        for k in rng.sample(range(8), 2):
            words = edited[k].split()
            for at in rng.sample(range(len(words)), 4):
                words[at] = words[at][::-1] + "x"
            edited[k] = " ".join(words)
        texts.append("\n".join(edited))
    texts.append("\n".join(story(8, count=8)))
    assert CFG.max_doc_freq < 120
    assert [len(c.ordinals) for c in clusters_of(texts)] == [120, 1]


def reference_clusters(matches: list[Match], lengths: list[int], keep: str) -> list[Cluster]:
    """The clusters as a plain queue-and-dict walk gives them: what the array version must equal."""
    neighbours: dict[int, dict[int, Match]] = {}
    for m in matches:
        if m.a != m.b:
            neighbours.setdefault(m.a, {}).setdefault(m.b, m)
            neighbours.setdefault(m.b, {}).setdefault(m.a, m)
    seen: set[int] = set()
    clusters = []
    for start in sorted(neighbours):
        if start in seen:
            continue
        members, queue = [], [start]
        seen.add(start)
        while queue:
            node = queue.pop()
            members.append(node)
            for other in neighbours[node]:
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        everyone = len(members) - 1
        contains = {i: sum(m.relation != "excerpt" or lengths[i] >= lengths[o] for o, m in neighbours[i].items())
                    for i in members}
        key = {"first": lambda i: i, "shortest": lambda i: (lengths[i], i), "longest": lambda i: (-lengths[i], i),
               "complete": lambda i, c=contains, e=everyone: (c[i] < e, -lengths[i], i)}[keep]
        canonical = min(members, key=key)
        attached, reached, walk = [], {canonical}, [canonical]
        for node in walk:  # breadth first: `walk` grows while it is read
            for other in sorted(neighbours[node]):
                if other not in reached:
                    reached.add(other)
                    walk.append(other)
                    m = neighbours[node][other]
                    attached.append(Match(node, other, m.relation, m.similarity, m.containment))
        clusters.append(Cluster(canonical, sorted(attached, key=lambda m: m.b)))
    return clusters


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_clusters_are_the_ones_a_plain_graph_walk_gives(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 24))
    pairs = data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1),
                                         st.sampled_from(["exact", "near-duplicate", "excerpt"])), max_size=40))
    matches = [Match(a, b, relation, 0.5 + (a * 7 + b) % 10 / 20, 0.9) for a, b, relation in pairs]
    lengths = data.draw(st.lists(st.integers(1, 6), min_size=n, max_size=n))  # small: many ties
    keep = data.draw(st.sampled_from(["complete", "longest", "shortest", "first"]))
    assert linked_clusters(matches, lengths, keep) == reference_clusters(matches, lengths, keep)


def test_the_builder_renumbers_matches_by_the_documents_it_is_given() -> None:
    builder = ClusterBuilder([3, 5, 8, 9])  # the matcher saw only these documents, as 0, 1, 2, 3
    builder.add([Match(0, 2, "near-duplicate", 0.9, 0.9)])
    builder.add([Match(2, 3, "excerpt", 0.4, 0.95)])
    [cluster] = builder.clusters([0, 0, 0, 100, 0, 50, 0, 0, 300, 120])
    assert cluster.canonical == 8
    assert [(m.a, m.b, m.relation) for m in cluster.members] == [(8, 3, "near-duplicate"), (8, 9, "excerpt")]
