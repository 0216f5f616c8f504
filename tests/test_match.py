"""Tests for cleanwire.match: candidate pairs from the fingerprint index and rapidfuzz verification."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from cleanwire import match
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import signature
from cleanwire.match import Match, candidate_pairs, find_matches, verify

CFG = DedupConfig()
SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SYLLABLES = "ba ko ri tu me sa lo ne vi da ru pe mo ki zu la fo gi".split()


def word(rng: random.Random) -> str:
    """A made-up word of 1 to 4 syllables (a large vocabulary, so unrelated texts share no phrases)."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))


def paragraphs(seed: int, count: int = 8, words: int = 60) -> list[str]:
    """Made-up article paragraphs of random sentences."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sentences = []
        while sum(len(s.split()) for s in sentences) < words:
            body = " ".join(word(rng) for _ in range(rng.randint(8, 18)))
            sentences.append(body.capitalize() + ", " + word(rng) + ".")
        out.append(" ".join(sentences))
    return out


def seed_body(name: str, first: str, last: str) -> str:
    """The clean body of a seed: its lines from the one starting with `first` to the one ending with `last`."""
    lines = [line.strip() for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next(i for i, line in enumerate(lines) if i >= start and line.endswith(last))
    return "\n".join(line for line in lines[start:end + 1] if line)


def seeds() -> tuple[str, str, str]:
    excerpt = seed_body("000_3ff13f3d5dec7158.txt", "After a long", "years to recover.")
    full = seed_body("001_145a5d41464ce8e0.txt", "After a long", "but not at any price.")
    other = seed_body("002_e8401ba1ab69d7ed.txt", "WASHINGTON — Former President", "used in the past.”")
    return excerpt, full, other


def all_matches(texts: list[str], cfg: DedupConfig = CFG) -> list[Match]:
    sigs = [signature(t, cfg) for t in texts]
    return find_matches(sigs, lambda ords: {i: texts[i] for i in ords}, cfg)


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


def test_seeds_end_to_end() -> None:
    excerpt, full, other = seeds()
    assert [(m.a, m.b, m.relation) for m in all_matches([excerpt, full, other])] == [(0, 1, "excerpt")]


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


def test_candidates_are_sorted_pairs_from_shared_fingerprints_only() -> None:
    texts = ["\n".join(paragraphs(s)) for s in range(6)]
    texts.append(texts[2].replace(", ", " "))  # a near copy of 2
    texts.append(texts[4])  # an exact copy of 4
    pairs = list(candidate_pairs([signature(t, CFG) for t in texts], CFG))
    assert pairs == sorted(pairs)
    assert all(a < b for a, b in pairs)
    assert (2, 6) in pairs and (4, 7) in pairs
    assert len(pairs) <= 4


def test_the_candidate_search_in_buckets_finds_what_it_finds_in_one(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["\n".join(paragraphs(s, count=4)) for s in range(40)]
    texts += [t.replace(", ", " ") for t in texts[:10]] + ["\n".join(t.split("\n")[:2]) for t in texts[10:20]]
    sigs = [signature(t, CFG) for t in texts]
    whole = list(candidate_pairs(sigs, CFG))
    monkeypatch.setattr(match, "_BUCKET_HASHES", 64)  # many small buckets
    assert list(candidate_pairs(sigs, CFG)) == whole
    assert len(whole) >= 20


def test_exact_duplicates_form_a_star_not_all_pairs() -> None:
    text = "\n".join(paragraphs(3))
    pairs = list(candidate_pairs([signature(text, CFG) for _ in range(50)], CFG))
    assert pairs == [(0, j) for j in range(1, 50)]


def test_fingerprints_in_very_many_documents_link_them_only_as_a_chain() -> None:
    footer = "\n".join(paragraphs(99, count=2))
    texts = ["\n".join(paragraphs(s, count=2)) + "\n" + footer for s in range(12)]
    sigs = [signature(t, CFG) for t in texts]
    assert len(list(candidate_pairs(sigs, CFG))) == 66  # all pairs below max_doc_freq
    cfg = replace(CFG, max_doc_freq=10)
    assert list(candidate_pairs(sigs, cfg)) == [(i, i + 1) for i in range(11)]  # linear, not quadratic
    assert find_matches(sigs, lambda ords: {i: texts[i] for i in ords}, cfg) == []


def test_a_shared_paragraph_that_is_a_small_share_of_both_is_no_candidate() -> None:
    footer = paragraphs(99, count=1)[0]
    texts = ["\n".join(paragraphs(s, count=8)) + "\n" + footer for s in range(5)]
    assert list(candidate_pairs([signature(t, CFG) for t in texts], CFG)) == []


def test_short_texts_match_only_near_exact_text() -> None:
    short = "The council approved the new harbour budget on Monday."
    assert verify(short, short.replace(".", "!"), CFG)[0] == "exact"
    assert verify(short, short.replace("approved", "aproved"), CFG)[0] == "near-duplicate"  # a typo
    assert verify(short, short.replace("Monday", "Tuesday"), CFG)[0] is None
    long_text = short + "\n" + "\n".join(paragraphs(5))
    assert verify(short, long_text, CFG)[0] is None  # contained, but too short to call an excerpt


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


def test_very_long_texts_are_aligned_in_chunks_with_the_same_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    body = paragraphs(31, count=12)
    text = "\n".join(body)
    moved = "\n".join([*body[6:], *body[:6]])
    excerpt = "\n".join(body[:3])
    other = "\n".join(paragraphs(32, count=12))
    expected = [verify(a, b, CFG) for a, b in ((text, moved), (excerpt, text), (text, other))]
    monkeypatch.setattr(match, "_MAX_CELLS", 5000)  # forces the chunked path
    chunked = [verify(a, b, CFG) for a, b in ((text, moved), (excerpt, text), (text, other))]
    assert [v[0] for v in chunked] == [v[0] for v in expected] == ["near-duplicate", "excerpt", None]
    assert chunked[1] == pytest.approx(expected[1], abs=0.02)


def test_a_signature_store_gives_the_same_candidates_and_matches() -> None:
    from cleanwire.fingerprint import SignatureStore

    base = ["\n".join(paragraphs(s)) for s in range(6)]
    texts = base + [t.replace(", ", " ").replace(". ", " X. ", 1) for t in base] + [base[2], "\n".join(paragraphs(0)[:2])]
    sigs = [signature(t, CFG) for t in texts]
    store = SignatureStore()
    for sig in sigs:
        store.append(sig)
    load = lambda ords: {i: texts[i] for i in ords}  # noqa: E731
    assert list(candidate_pairs(store, CFG)) == list(candidate_pairs(sigs, CFG))
    assert find_matches(store, load, CFG) == find_matches(sigs, load, CFG)


def test_matches_survive_pickling_for_the_workers() -> None:
    import pickle

    matches = [Match(1, 2, "excerpt", 0.5, 0.98), Match(3, 9, "near-duplicate", 0.91, 0.93)]
    assert pickle.loads(pickle.dumps(matches, protocol=pickle.HIGHEST_PROTOCOL)) == matches


@pytest.mark.parametrize("bucket_hashes", [1 << 23, 64])
def test_workers_search_the_fingerprint_files_with_the_same_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bucket_hashes: int
) -> None:
    from cleanwire.engines.local import LocalEngine
    from cleanwire.fingerprint import SignatureStore, signatures
    from cleanwire.match import SharedFingerprints, write_fingerprints

    texts = ["\n".join(paragraphs(s, count=4)) for s in range(40)]
    texts += [t.replace(", ", " ") for t in texts[:10]] + ["\n".join(t.split("\n")[:2]) for t in texts[10:20]]
    texts += [texts[3], texts[30]]  # exact copies
    store, files = SignatureStore(), []
    for lo in range(0, len(texts), 9):  # parts of 9 documents, as workers sign them
        batch = signatures(texts[lo:lo + 9], CFG)
        files.append(replace(write_fingerprints(str(tmp_path), batch), base=len(store)))
        store.extend(batch)
    whole = list(candidate_pairs(store, CFG))
    monkeypatch.setattr(match, "_BUCKET_HASHES", bucket_hashes)  # 64: every bucket a task of its own
    engine = LocalEngine(jobs=2)
    try:
        shared = SharedFingerprints(str(tmp_path), files, workers=2)
        assert list(candidate_pairs(store, CFG, engine.map, shared)) == whole
    finally:
        engine.close()
    assert len(whole) >= 20
    assert list(tmp_path.iterdir()) == []  # the files are removed once read


def test_pending_pairs_are_ordered_by_their_group_of_connected_documents() -> None:
    import numpy as np

    a, b = np.array([3, 2, 8, 1, 0]), np.array([4, 7, 9, 2, 8])
    assert match._by_component(a, b) == [(0, 8), (8, 9), (1, 2), (2, 7), (3, 4)]
    assert match._by_component(a[:0], b[:0]) == []
