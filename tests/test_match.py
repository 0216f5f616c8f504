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

    cfg = replace(CFG, batch_pairs=2)
    matches = find_matches([signature(t, cfg) for t in texts], load, cfg)
    assert [(m.a, m.b) for m in matches] == [(i, i + 5) for i in range(5)]
    assert len(calls) == 3 and all(len(c) <= 4 for c in calls)


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


def test_pending_pairs_are_ordered_by_their_group_of_connected_documents() -> None:
    import numpy as np

    a, b = np.array([3, 2, 8, 1, 0]), np.array([4, 7, 9, 2, 8])
    assert match._by_component(a, b) == [(0, 8), (8, 9), (1, 2), (2, 7), (3, 4)]
    assert match._by_component(a[:0], b[:0]) == []
