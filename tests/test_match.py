"""Tests for cleanwire.match: candidate pairs verified in batches, as sorted matches (end to end)."""

from __future__ import annotations

from dataclasses import replace

from conftest import paragraphs, seeds

from cleanwire import match
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import signature
from cleanwire.match import find_matches
from cleanwire.verify import Match, verify

CFG = DedupConfig()

def all_matches(texts: list[str], cfg: DedupConfig = CFG) -> list[Match]:
    sigs = [signature(t, cfg) for t in texts]
    return find_matches(sigs, lambda ords: {i: texts[i] for i in ords}, cfg)


def test_seeds_end_to_end() -> None:
    excerpt, full, other = seeds()
    assert [(m.a, m.b, m.relation) for m in all_matches([excerpt, full, other])] == [(0, 1, "excerpt")]


def test_empty_texts_never_match() -> None:
    assert verify("", "", CFG)[0] is None
    assert all_matches(["", "", "..."]) == []


def test_chinese_duplicates_are_found() -> None:
    story = ("北京市政府今天宣布，新的地铁线路将在明年年底前开通，预计每天可以运送五十万名乘客。"
             "市长表示，这条线路将连接机场和市中心，缩短通勤时间。专家认为，这将改善空气质量。"
             "不过，一些居民担心施工会带来噪音和交通拥堵。政府承诺会采取措施减少影响。")
    other = ("上海的博物馆周末举办了一场关于古代陶瓷的展览，吸引了大量游客前来参观。"
             "策展人介绍说，展品来自全国各地，其中一些是首次公开展出。门票已经全部售罄。")
    copy = story.replace("，", "").replace("今天", "昨天")
    matches = all_matches([story, other, copy])
    assert [(m.a, m.b, m.relation) for m in matches] == [(0, 2, "near-duplicate")]


def test_find_matches_loads_texts_in_batches() -> None:
    base = ["\n".join(paragraphs(s)) for s in range(5)]
    texts = base + [t.replace(", ", " ").replace(". ", " X. ", 1) for t in base]
    calls: list[list[int]] = []

    def load(ordinals: list[int]) -> dict[int, str]:
        calls.append(list(ordinals))
        return {i: texts[i] for i in ordinals}

    cfg = replace(CFG, batch_pairs=4)  # whole groups of connected candidates, about 4 documents a batch
    matches = find_matches([signature(t, cfg) for t in texts], load, cfg)
    assert [(m.a, m.b) for m in matches] == [(i, i + 5) for i in range(5)]
    assert calls == [[0, 1, 5, 6], [2, 3, 7, 8], [4, 9]]


def test_find_matches_tells_how_many_candidate_pairs_are_judged_of_all() -> None:
    base = ["\n".join(paragraphs(s)) for s in range(5)]
    texts = base + [t.replace(", ", " ").replace(". ", " X. ", 1) for t in base] + base[:2]  # 2 exact copies
    told: list[tuple[int, int]] = []
    cfg = replace(CFG, batch_pairs=2)
    find_matches([signature(t, cfg) for t in texts], lambda ords: {i: texts[i] for i in ords}, cfg,
                 on_verified=lambda done, total: told.append((done, total)))
    total = told[0][1]
    assert total >= 5 + 2 and all(t == total for _, t in told)
    assert told[0][0] >= 2  # the exact copies are judged at once, before any batch
    assert len(told) > 2 and all(0 < done <= 2 for done, _ in told[1:])
    assert sum(done for done, _ in told) == total


def test_verification_can_run_on_an_engine_with_the_same_result() -> None:
    from cleanwire.engines.local import LocalEngine

    base = ["\n".join(paragraphs(s)) for s in range(6)]
    texts = base + [t.replace(", ", " ").replace(". ", " X. ", 1) for t in base] + ["\n".join(paragraphs(0)[:2])]
    sigs = [signature(t, CFG) for t in texts]
    cfg = replace(CFG, batch_pairs=2)
    load = lambda ords: {i: texts[i] for i in ords}  # noqa: E731
    assert find_matches(sigs, load, cfg, LocalEngine(jobs=2).map) == find_matches(sigs, load, cfg)


def test_signatures_are_capped_and_still_find_a_passage_from_the_middle_of_a_story() -> None:
    assert len(signature("\n".join(paragraphs(11, count=60)), CFG).hashes) == CFG.max_hashes
    for seed in range(5):
        body = paragraphs(100 + seed, count=10)  # about 4 KB
        long_text, middle = "\n".join(body), "\n".join(body[6:8])
        texts = [long_text, middle, "\n".join(paragraphs(200 + seed, count=10))]
        assert [(m.a, m.b, m.relation) for m in all_matches(texts)] == [(0, 1, "excerpt")]


def test_short_chinese_and_japanese_near_duplicates_are_candidates_and_verified() -> None:
    zh = "国家统计局今天公布的数据显示，去年全国粮食总产量再创新高，达到六亿八千万吨，比上年增长百分之一点三。"
    ja = "気象庁によると、今週末は全国的に気温が大きく下がり、北日本の山沿いでは大雪になるおそれがあります。"
    texts = [zh, ja, zh.replace("今天", "昨天"), ja.replace("今週末", "週末")]
    matches = all_matches(texts)
    assert [(m.a, m.b, m.relation) for m in matches] == [(0, 2, "near-duplicate"), (1, 3, "near-duplicate")]


def test_a_short_lead_excerpt_of_a_long_story_is_found() -> None:
    body = paragraphs(21, count=16)  # about 1,000 words
    excerpt = " ".join(" ".join(body[:1]).split()[:45]) + " [...] Read the full story at the Example Post."
    texts = [excerpt, "\n".join(body), "\n".join(paragraphs(22, count=16))]
    matches = all_matches(texts)
    assert [(m.a, m.b, m.relation) for m in matches] == [(0, 1, "excerpt")]


def test_batches_hold_whole_groups_of_connected_candidates_in_order_of_their_first_document() -> None:
    import numpy as np

    a, b = np.array([0, 1, 2, 3, 8]), np.array([8, 2, 7, 4, 9])
    same = np.array([False, False, False, True, False])  # 3-4: exact copies, matched without a batch
    work = match._plan(a, b, same, np.arange(10), "complete", replace(CFG, batch_pairs=3))
    assert [(w.pairs, w.exact, w.grouped) for w in work] == [([(0, 8), (8, 9)], [], True),
                                                             ([(1, 2), (2, 7)], [], True)]
    work = match._plan(a, b, same, np.arange(10), "complete", replace(CFG, batch_pairs=6))
    assert [w.pairs for w in work] == [[(0, 8), (8, 9), (1, 2), (2, 7)]]
    work = match._plan(a, b, same, np.arange(10), "complete", replace(CFG, batch_pairs=1))  # groups over 2 docs
    assert [(w.pairs, w.grouped) for w in work] == [([(0, 8)], False), ([(8, 9)], False), ([(1, 2)], False),
                                                    ([(2, 7)], False)]
    assert match._plan(a[:0], b[:0], same[:0], np.arange(10), "complete", CFG) == []


def light_copy(text: str, seed: int) -> str:
    """The text with a few words changed and a sentence added at a random place (a republished copy)."""
    import random

    rng = random.Random(seed)
    words = text.split(" ")
    for _ in range(3):
        words[rng.randrange(len(words))] = f"word{rng.randrange(1000)}"
    extra = f"Sentence {seed} added by the editor of this copy today."
    at = rng.randrange(len(words))
    return " ".join(words[:at] + [extra] + words[at:])


def clusters_of(texts: list[str], cfg: DedupConfig, keep: str) -> tuple[list[object], int]:
    """The clusters of `texts` under `keep` and how many alignments finding them took."""
    from cleanwire.cluster import ClusterBuilder

    sigs = [signature(t, cfg) for t in texts]
    aligned: list[int] = []
    found = find_matches(sigs, lambda ords: {i: texts[i] for i in ords}, cfg, keep=keep, on_aligned=aligned.append)
    builder = ClusterBuilder()
    builder.add(found)
    return builder.clusters([s.length for s in sigs], keep), sum(aligned)


def copied_stories() -> list[str]:
    """Stories copied many times: light copies, excerpts, exact copies, a follow-up quoting another story."""
    first = "\n".join(paragraphs(31, count=10))
    second = "\n".join(paragraphs(32, count=6))
    follow_up = "\n".join(paragraphs(33, count=6)[:3] + paragraphs(32, count=6)[2:3] + paragraphs(33, count=6)[3:])
    texts = [light_copy(first, k) for k in range(12)] + [first]
    texts += ["\n".join(paragraphs(31, count=10)[:3]), "\n".join(paragraphs(31, count=10)[:2]) + " Read more."]
    texts += [texts[3], texts[3], texts[12]]  # exact copies
    texts += [light_copy(second, 100 + k) for k in range(6)] + [follow_up, light_copy(follow_up, 7)]
    texts += ["\n".join(paragraphs(34 + k, count=3)) for k in range(3)]  # stories alone
    import random

    order = list(range(len(texts)))
    random.Random(5).shuffle(order)
    return [texts[i] for i in order]


def test_groups_verified_from_the_canonical_give_the_clusters_of_verifying_every_pair() -> None:
    from cleanwire.config import KEEP_CHOICES

    texts = copied_stories()
    for keep in KEEP_CHOICES:
        clusters, aligned = clusters_of(texts, CFG, keep)
        # the reference: groups of more than 2 documents verified pair by pair, every candidate pair
        every, all_pairs = clusters_of(texts, replace(CFG, batch_pairs=1), keep)
        assert clusters == every, keep
        assert len(clusters) == 3 and aligned < all_pairs / 3, (keep, aligned, all_pairs)


def test_a_group_of_40_light_copies_costs_under_3_alignments_per_document() -> None:
    base = "\n".join(paragraphs(41, count=8))
    for size in (10, 40):
        texts = [light_copy(base, k) for k in range(size)]
        clusters, aligned = clusters_of(texts, CFG, "complete")
        assert [len(c.ordinals) for c in clusters] == [size]  # type: ignore[attr-defined]
        assert aligned < 3 * size, (size, aligned)
        _, every = clusters_of(texts, replace(CFG, batch_pairs=1), "complete")
        assert every == size * (size - 1) // 2  # what verifying every candidate pair costs
