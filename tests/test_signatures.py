"""Tests for cleanwire.signatures: the signature store and its buckets."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import cleanwire.signatures as signatures_module
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import signature, signatures
from cleanwire.signatures import Signatures, SignatureStore

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_fingerprint import article  # noqa: E402

CFG = DedupConfig()


def test_signature_store_holds_the_same_signatures_in_flat_arrays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(signatures_module, "_CHUNK_HASHES", 100)  # several chunks, with unused tails
    sigs = [signature(article(s, 50 + 40 * (s % 4)), CFG) for s in range(12)] + [signature("", CFG)]
    store = SignatureStore()
    for sig in sigs:
        store.append(sig)
    assert len(store) == len(sigs)
    for got, want in zip(store, sigs):
        assert np.array_equal(got.hashes, want.hashes)
        assert (got.length, got.words, got.exact) == (want.length, want.words, want.exact)
    everyone = np.ones(len(sigs), dtype=bool)
    keys = np.concatenate([store.bucket_keys(b, 2, 4, everyone) for b in range(4)])
    want = [(h >> np.uint64(4) << np.uint64(4)) | np.uint64(i) for i, s in enumerate(sigs) for h in s.hashes]
    assert sorted(keys.tolist()) == sorted(int(k) for k in want)
    some = np.zeros(len(sigs), dtype=bool)
    some[[1, 4]] = True
    assert set((store.bucket_keys(0, 0, 4, some) & np.uint64(15)).tolist()) == {1, 4}
    assert list(store.column("words")) == [s.words for s in sigs]


def test_a_store_without_fingerprints_keeps_every_column_and_refuses_to_give_fingerprints() -> None:
    batch = signatures([article(s, 60 + 30 * s) for s in range(5)], CFG)
    store = SignatureStore(fingerprints=False)  # the main process's, where the workers search fingerprint files
    store.extend(Signatures(batch.hashes[:0], batch.sizes, batch.lengths, batch.words, batch.exact))
    assert len(store) == 5 and not store._chunks
    for column, field in (("size", "sizes"), ("length", "lengths"), ("words", "words"), ("exact", "exact")):
        assert store.column(column).tolist() == getattr(batch, field).tolist()
    with pytest.raises(LookupError):  # never an empty answer that would find no candidates
        store[0]
    with pytest.raises(LookupError):
        store.bucket_keys(0, 0, 4, np.ones(5, dtype=bool))


def test_the_candidate_search_buckets_hold_about_the_same_share_of_capped_signatures() -> None:
    store = SignatureStore()
    for s in range(60):
        store.append(signature(article(s, 1500), CFG))  # long: each keeps its smallest fingerprints
    assert all(len(sig.hashes) == CFG.max_hashes for sig in store)
    everyone = np.ones(len(store), dtype=bool)
    sizes = [len(store.bucket_keys(b, 2, 6, everyone)) for b in range(4)]
    assert max(sizes) < 1.3 * min(sizes), sizes


def test_batches_concatenate_and_interleave_as_their_texts() -> None:
    texts = [article(s, 40 + 30 * s) for s in range(5)]
    first, second = signatures(texts[:2], CFG), signatures(texts[2:], CFG)
    both = Signatures.concatenate([first, second])
    mixed = Signatures.interleave(first, second, np.array([1, 3]), np.array([0, 2, 4]))
    alone = [signature(t, CFG) for t in texts]
    for got, want in zip(both, alone):
        assert np.array_equal(got.hashes, want.hashes) and got.exact == want.exact
    for got, want in zip(mixed, [alone[i] for i in (2, 0, 3, 1, 4)]):
        assert np.array_equal(got.hashes, want.hashes) and (got.length, got.words) == (want.length, want.words)
    assert len(Signatures.empty()) == 0
