"""Tests for cleanwire.fingerprint: normalisation and sampled character n-gram signatures."""

from __future__ import annotations

import random

import numpy as np
import pytest
from conftest import word
from hypothesis import given, settings
from hypothesis import strategies as st

import cleanwire.fingerprint as fingerprint
from cleanwire.config import DedupConfig
from cleanwire.fingerprint import match_key, signature, signatures, token_hashes, token_spans
from cleanwire.signatures import Signature

CFG = DedupConfig()
def article(seed: int, words: int = 300) -> str:
    """Made-up article text: sentences of random words from a small vocabulary."""
    rng = random.Random(seed)
    sentences = []
    while sum(len(s.split()) for s in sentences) < words:
        body = " ".join(word(rng) for _ in range(rng.randint(8, 18)))
        sentences.append(body.capitalize() + ", " + word(rng) + ".")
    return " ".join(sentences)


def jaccard(a: Signature, b: Signature) -> float:
    shared = len(np.intersect1d(a.hashes, b.hashes))
    return shared / max(1, len(np.union1d(a.hashes, b.hashes)))


def test_match_key_unifies_case_quotes_and_punctuation() -> None:
    assert match_key("“Don’t”—SAID the  Minister.") == match_key('"don\'t" said the minister')
    assert match_key("ﬁnal ＡＢＣ") == "final abc"  # NFKC: ligature and full-width letters
    assert match_key("threats, missile tests") == "threats missile tests"
    assert match_key("  \n ") == ""


def test_match_key_splits_spaceless_scripts_into_characters() -> None:
    assert match_key("東京は日本の首都です。") == "東 京 は 日 本 の 首 都 で す"
    assert match_key("Tokyo 東京 2024") == "tokyo 東 京 2024"


def test_signature_fields_agree_with_match_key() -> None:
    text = "Héllo, “World” — it’s 東京 in 2024!\nStraße."
    key = match_key(text)
    sig = signature(text, CFG)
    assert sig.words == len(key.split())
    assert sig.length == len(key.replace(" ", ""))
    assert sig.hashes.dtype == np.uint64
    assert np.all(np.diff(sig.hashes.astype(np.float64)) > 0) or len(sig.hashes) < 2


def test_hashes_are_sorted_unique_and_sampled() -> None:
    sig = signature(article(1, 600), CFG)
    assert np.array_equal(sig.hashes, np.unique(sig.hashes))
    # about one window in sample_mod is anchored; the lead keeps all of its own, the rest is capped
    assert CFG.lead_chars / CFG.sample_mod / 2 < len(sig.hashes) <= CFG.max_hashes


def test_a_passage_gives_the_same_fingerprints_wherever_it_sits() -> None:
    passage = article(5, 400)
    alone = signature(passage, CFG)
    # the passage inside other text, past both texts' leads: its anchored windows are shared
    wrapped = signature(article(6, 300) + "\n" + passage + "\n" + article(7, 100), CFG)
    shared = np.intersect1d(alone.hashes, wrapped.hashes)
    assert len(shared) >= 5
    assert jaccard(alone, signature(article(8, 400), CFG)) == 0  # unrelated text shares none


def test_a_batch_gives_each_text_the_signature_it_has_alone() -> None:
    texts = [article(1, 500), "", "!!! ...", "Héllo, “World” — it’s 2024! Straße.", "a b c d e f g h i j",
             "北京市政府今天宣布，新的地铁线路将在明年年底前开通。" * 5, article(2, 20), "Tokyo 東京 2024 " * 20,
             "Ünïcödé wörds ëverywhere " * 40, article(3, 2000)]
    batch = signatures(texts, CFG)
    assert len(batch) == len(texts)
    for got, text in zip(batch, texts):
        want = signature(text, CFG)
        assert np.array_equal(got.hashes, want.hashes)
        assert (got.length, got.words, got.exact) == (want.length, want.words, want.exact)
    assert [s.words for s in batch] == [len(match_key(t).split()) for t in texts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab cdé,東\n.1"), max_size=120), max_size=8))
def test_batch_signatures_do_not_depend_on_the_batch(texts: list[str]) -> None:
    batch = list(signatures(texts, CFG))
    for got, text in zip(batch, texts):
        want = signature(text, CFG)
        assert np.array_equal(got.hashes, want.hashes)
        assert (got.length, got.words, got.exact) == (want.length, want.words, want.exact)


def test_lost_spaces_and_punctuation_keep_the_fingerprints() -> None:
    text = article(2, 400)
    glued = text.replace(", ", "").replace(". ", "", 5).replace("“", '"')
    a, b = signature(text, CFG), signature(glued, CFG)
    assert jaccard(a, b) > 0.9
    assert jaccard(a, signature(article(3, 400), CFG)) < 0.1


def test_exact_hash_ignores_case_and_punctuation_but_not_word_boundaries() -> None:
    assert signature("A b, c!", CFG).exact == signature("a  B c", CFG).exact
    assert signature("ab c", CFG).exact != signature("a bc", CFG).exact
    assert signature("", CFG).words == 0


def test_short_texts_keep_every_ngram() -> None:
    text = "The council approved the harbour budget on Monday evening."
    sig = signature(text, CFG)
    assert sig.words < CFG.short_words
    squeezed = match_key(text).replace(" ", "").encode("utf-8")
    k = CFG.shingle_chars
    assert len(sig.hashes) == len({squeezed[i:i + k] for i in range(len(squeezed) - k + 1)})


def test_chinese_text_is_fingerprinted_by_characters() -> None:
    text = "北京市政府今天宣布，新的地铁线路将在明年年底前开通，预计每天可以运送五十万名乘客。" * 4
    sig = signature(text, CFG)
    assert sig.words == len(match_key(text).split()) > CFG.short_words
    assert len(sig.hashes) > 0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gets_a_consistent_key_and_signature(text: str) -> None:
    key = match_key(text)
    assert match_key(key) == key  # idempotent
    sig = signature(text, CFG)
    assert sig.words == len(key.split())
    assert sig.length == len(key.replace(" ", ""))
    assert len(token_hashes(text, CFG.seed)) == sig.words
    assert len(sig.hashes) <= CFG.max_hashes


def test_token_spans_give_the_tokens_of_the_match_key_where_they_stand() -> None:
    text = "Ｔhe  “quick” brown_fox—東京 2024!"
    normalised, tokens, spans = token_spans(text)
    assert tokens == match_key(text).split()
    assert [normalised[a:b].casefold() for a, b in spans] == tokens


def test_the_sort_key_of_the_sampling_refuses_more_texts_than_it_can_number() -> None:
    doc, h, rest = np.array([0, 1], dtype=np.int64), np.array([5, 7], dtype=np.uint64), np.array([False, True])
    keys = fingerprint._sort_keys(doc, h, rest, 1 << 16)
    assert (keys >> np.uint64(48)).tolist() == [0, 1] and (keys & np.uint64(1)).tolist() == [0, 1]
    with pytest.raises(ValueError, match="texts in one batch"):
        fingerprint._sort_keys(doc, h, rest, (1 << 16) + 1)
    assert fingerprint._BATCH_TEXTS <= 1 << 16  # what signatures() gives it
