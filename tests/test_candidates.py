"""Tests for cleanwire.candidates: pair codes and candidate pairs from the fingerprint index, in memory or in
worker files."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cleanwire import candidates
from cleanwire.candidates import PairCodes, SharedFingerprints, TaskMap, candidate_codes, write_fingerprints
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import signature, signatures
from cleanwire.match import find_matches
from cleanwire.signatures import Signature, SignatureStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_match import paragraphs  # noqa: E402

CFG = DedupConfig()


def candidate_pairs(sigs: Sequence[Signature], cfg: DedupConfig, tasks: TaskMap | None = None,
                    shared: SharedFingerprints | None = None) -> Iterator[tuple[int, int]]:
    """Pairs (i < j, sorted) worth verifying: `candidate_codes` unpacked."""
    a, b = PairCodes.unpack(candidate_codes(sigs, cfg, tasks, shared))
    return zip(a.tolist(), b.tolist())


def test_pair_codes_pack_and_unpack_and_sort_as_pairs() -> None:
    a, b = np.array([3, 0, 3, 70000]), np.array([4, 2**32 - 1, 1, 5])
    codes = PairCodes.pack(a, b)
    assert codes.dtype == np.uint64
    got_a, got_b = PairCodes.unpack(codes)
    assert got_a.tolist() == a.tolist() and got_b.tolist() == b.tolist()
    assert PairCodes.firsts(codes).tolist() == a.tolist()
    assert [(int(x), int(y)) for x, y in zip(*PairCodes.unpack(np.sort(codes)))] == sorted(zip(a.tolist(), b.tolist()))
    out = np.empty(4, dtype=np.uint64)
    PairCodes.pack_into(out, a.astype(np.uint32), b.astype(np.uint32))
    assert out.tolist() == codes.tolist()



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
    monkeypatch.setattr(candidates, "_BUCKET_HASHES", 64)  # many small buckets
    assert list(candidate_pairs(sigs, CFG)) == whole
    assert len(whole) >= 20


def test_exact_duplicates_form_a_star_not_all_pairs() -> None:
    text = "\n".join(paragraphs(3))
    pairs = list(candidate_pairs([signature(text, CFG) for _ in range(50)], CFG))
    assert pairs == [(0, j) for j in range(1, 50)]


def test_fingerprints_in_very_many_documents_link_them_only_to_the_next_and_the_first_few() -> None:
    footer = "\n".join(paragraphs(99, count=2))
    texts = ["\n".join(paragraphs(s, count=2)) + "\n" + footer for s in range(40)]
    sigs = [signature(t, CFG) for t in texts]
    assert len(list(candidate_pairs(sigs, replace(CFG, max_doc_freq=50)))) == 40 * 39 // 2  # all pairs below it
    cfg = replace(CFG, max_doc_freq=10)
    chain = {(i, i + 1) for i in range(39)}
    anchored = {(a, j) for a in range(4) for j in range(a + 1, 40)}
    assert set(candidate_pairs(sigs, cfg)) == chain | anchored  # linear: at most 5 links per document
    assert find_matches(sigs, lambda ords: {i: texts[i] for i in ords}, cfg) == []


def test_a_shared_paragraph_that_is_a_small_share_of_both_is_no_candidate() -> None:
    footer = paragraphs(99, count=1)[0]
    texts = ["\n".join(paragraphs(s, count=8)) + "\n" + footer for s in range(5)]
    assert list(candidate_pairs([signature(t, CFG) for t in texts], CFG)) == []


def test_a_signature_store_gives_the_same_candidates_and_matches() -> None:
    base = ["\n".join(paragraphs(s)) for s in range(6)]
    texts = base + [t.replace(", ", " ").replace(". ", " X. ", 1) for t in base]
    texts += [base[2], "\n".join(paragraphs(0)[:2])]
    sigs = [signature(t, CFG) for t in texts]
    store = SignatureStore()
    for sig in sigs:
        store.append(sig)
    load = lambda ords: {i: texts[i] for i in ords}  # noqa: E731
    assert list(candidate_pairs(store, CFG)) == list(candidate_pairs(sigs, CFG))
    assert find_matches(store, load, CFG) == find_matches(sigs, load, CFG)


@pytest.mark.parametrize("bucket_hashes", [1 << 23, 64])
def test_workers_search_the_fingerprint_files_with_the_same_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bucket_hashes: int
) -> None:
    from cleanwire.engines.local import LocalEngine

    texts = ["\n".join(paragraphs(s, count=4)) for s in range(40)]
    texts += [t.replace(", ", " ") for t in texts[:10]] + ["\n".join(t.split("\n")[:2]) for t in texts[10:20]]
    texts += [texts[3], texts[30]]  # exact copies
    store, files = SignatureStore(), []
    for lo in range(0, len(texts), 9):  # parts of 9 documents, as workers sign them
        batch = signatures(texts[lo:lo + 9], CFG)
        files.append(replace(write_fingerprints(str(tmp_path), batch), base=len(store)))
        store.extend(batch)
    whole = list(candidate_pairs(store, CFG))
    monkeypatch.setattr(candidates, "_BUCKET_HASHES", bucket_hashes)  # 64: every bucket a task of its own
    engine = LocalEngine(jobs=2)
    try:
        shared = SharedFingerprints(str(tmp_path), files, workers=2)
        assert list(candidate_pairs(store, CFG, engine.map, shared)) == whole
    finally:
        engine.close()
    assert len(whole) >= 20
    assert list(tmp_path.iterdir()) == []  # the files are removed once read


def test_a_teaser_of_a_long_story_is_a_candidate_of_it() -> None:
    """A text under short_words keeps every window, a long one only its anchors: the teaser keeps its anchors
    first, and a pair with a short side needs only min_shared shared fingerprints (issue 19)."""
    cfg = DedupConfig()
    texts = []
    for k in range(20):
        body = paragraphs(500 + k, count=6)
        texts += ["\n".join(body), " ".join(body[0].split()[:20 + k % 9])]  # teasers of 20-28 words
    a, b = PairCodes.unpack(candidate_codes([signature(t, cfg) for t in texts], cfg))
    found = set(zip(a.tolist(), b.tolist()))
    teasers = {(2 * k, 2 * k + 1) for k in range(20)}
    assert found <= teasers  # no unrelated pair
    assert len(found) >= 14  # sampling can miss a few; before this, 4 of the 20 were candidates
