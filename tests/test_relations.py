"""Each duplicate against its canonical: relation, direction, shares, one-sided passages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import paragraphs

from cleanwire.config import CleanConfig, Config, DedupConfig
from cleanwire.document import Document
from cleanwire.emit import cluster_records
from cleanwire.engines.local import LocalEngine
from cleanwire.pipeline import Counters, DocumentSource, dedupe
from cleanwire.relations import holder, relate_batch

STORY = paragraphs(11, count=11)
OTHER = paragraphs(12, count=6)


def _records(docs: list[Document], passages: bool = True) -> dict[str, dict[str, Any]]:
    config = Config(clean=CleanConfig(enabled=False))
    result = dedupe(DocumentSource(docs), config, LocalEngine(1), Counters(), lambda doc: None, passages=passages)
    try:
        return {r["id"]: r.fields() for r in cluster_records(result, include_all=True)}
    finally:
        result.close()


def test_a_member_that_joined_through_another_names_it_and_gets_shares_against_its_canonical() -> None:
    full = "\n".join(STORY)  # the canonical: the longest, it holds the excerpt
    excerpt = "\n".join(STORY[:4])
    # the excerpt plus other text: it holds the excerpt, but shares too little with the full story itself
    host = "\n".join(STORY[:4] + OTHER)
    records = _records([Document(id="full", text=full), Document(id="excerpt", text=excerpt),
                        Document(id="host", text=host)])
    assert records["full"]["canonical_id"] is None
    ex, ho = records["excerpt"], records["host"]
    assert ex["canonical_id"] == "full" and ex["relation"] == "excerpt" and ex["via"] is None
    assert ex["contains"] == "canonical" and ex["shares"]["duplicate"] == 1.0 and ex["shares"]["canonical"] < 0.5
    # the host matched the excerpt, not the full story: its relation is that match's, and it says so
    assert ho["canonical_id"] == "full" and ho["via"] == "excerpt" and ho["relation"] == "extends"
    assert ho["contains"] is None  # neither holds most of the other
    assert 0.3 < ho["shares"]["canonical"] < 0.5 and 0.3 < ho["shares"]["duplicate"] < 0.5
    listed = {d["id"]: d for d in records["full"]["duplicates"]}
    assert listed["host"]["via"] == "excerpt" and listed["excerpt"]["shares"] == ex["shares"]


def test_all_shows_the_passages_only_one_side_has_so_a_correction_is_seen() -> None:
    original = "\n".join(STORY)
    fixed = original.replace(STORY[5].split(",")[0], "The council said on Friday that twelve people were hurt")
    update = fixed + "\nAn added line closes the update."
    records = _records([Document(id="first", text=original), Document(id="update", text=update)])
    dup = next(r for r in records.values() if r["canonical_id"] is not None)
    only = dup["only_in"]
    assert dup["relation"] == "near-duplicate" and dup["contains"] == "both"
    assert any("twelve people were hurt" in p for p in only["duplicate"] + only["canonical"])
    assert any(STORY[5].split(",")[0][:30] in p for p in only["duplicate"] + only["canonical"])
    assert only["counts"]["duplicate"] >= 1 and only["counts"]["canonical"] >= 1


def test_without_all_no_passages_are_kept() -> None:
    records = _records([Document(id="a", text="\n".join(STORY)), Document(id="b", text="\n".join(STORY[:3]))],
                       passages=False)
    assert all("only_in" not in r for r in records.values())
    assert records["b"]["contains"] == "canonical"


def test_relate_batch_is_one_alignment_per_pair_and_agrees_on_exact_text() -> None:
    cfg = DedupConfig()
    texts = {0: "\n".join(STORY), 1: "\n".join(STORY), 2: "\n".join(STORY[:3])}
    found = relate_batch(([(0, 1), (0, 2)], texts), (cfg, False))
    assert [(e.b, e.relation) for e in found] == [(1, "exact"), (2, "excerpt")]
    assert found[1].share_b == 1.0 and found[1].share_a < 0.4
    assert holder(found[1].share_a, found[1].share_b, cfg) == "canonical"


def test_all_says_why_the_canonical_was_chosen() -> None:
    full, excerpt = "\n".join(STORY), "\n".join(STORY[:4])
    host = "\n".join(STORY[:4] + OTHER)
    records = _records([Document(id="full", text=full), Document(id="excerpt", text=excerpt)])
    assert records["full"]["canonical_because"].startswith("it holds every other member")
    assert "canonical_because" not in records["excerpt"]
    # no member holds all the others: the longest is canonical, and it says so
    records = _records([Document(id="full", text=full), Document(id="excerpt", text=excerpt),
                        Document(id="host", text=host)])
    assert records["full"]["canonical_because"].startswith("no member holds all the others")


def test_explain_names_the_canonical_of_the_pair() -> None:
    from cleanwire.explain import explain_pair

    result = explain_pair("\n".join(STORY[:4]), "\n".join(STORY), DedupConfig(), labels=("short", "long"))
    assert result["canonical"] == {"id": "long", "because": "it holds the other, which lies inside it"}
    assert result["shares"]["a"] == 1.0 and result["shares"]["b"] < 0.5
    assert explain_pair("\n".join(STORY), "\n".join(OTHER), DedupConfig())["canonical"] is None


def test_shares_read_off_a_direct_match_agree_with_an_alignment() -> None:
    from cleanwire.fingerprint import signature
    from cleanwire.relations import evidence_of_match
    from cleanwire.verify import Match, verify

    cfg = DedupConfig()
    texts = ["\n".join(STORY), "\n".join(STORY[:5]), "\n".join(STORY[:9] + OTHER[:1]), "\n".join(STORY[2:] + OTHER)]
    lengths = [signature(t, cfg).length for t in texts]
    for other in (1, 2, 3):
        relation, similarity, containment = verify(texts[0], texts[other], cfg)
        assert relation is not None
        derived = evidence_of_match(Match(0, other, relation, round(similarity, 4), round(containment, 4)), lengths)
        aligned = relate_batch(([(0, other)], dict(enumerate(texts))), (cfg, False))[0]
        assert derived is not None
        assert abs(derived.share_a - aligned.share_a) < 0.002 and abs(derived.share_b - aligned.share_b) < 0.002


def test_fast_token_spans_are_those_of_explain() -> None:
    import random

    from cleanwire.fingerprint import token_spans
    from cleanwire.relations import _token_spans

    rng = random.Random(3)
    for _ in range(200):
        text = "".join(rng.choice("ab Z9_-'., \n\té—ß²½") for _ in range(rng.randint(0, 40)))
        shown, starts, ends = _token_spans(text)
        reference = token_spans(text)
        assert shown == reference[0] and list(zip(starts.tolist(), ends.tolist())) == reference[2]
        assert _token_spans(text + " é")[1].tolist()[:len(starts)] == starts.tolist()


def test_cli_lists_one_sided_passages_with_all_and_passages_only(tmp_path: Path) -> None:
    from conftest import jsonl, run_cli

    (tmp_path / "a.txt").write_text("\n".join(STORY), encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n".join(STORY[:3]), encoding="utf-8")
    code, out, _ = run_cli("dedupe", tmp_path, "--no-clean", "--all", "--passages", "--format", "jsonl", "-q")
    dup = next(r for r in jsonl(out) if r["canonical_id"])
    assert code == 0 and dup["id"] == "b.txt" and dup["only_in"]["duplicate"] == []
    assert dup["only_in"]["counts"]["canonical"] == 1 and dup["only_in"]["canonical"][0].startswith(STORY[3][:20])
    code, out, _ = run_cli("dedupe", tmp_path, "--no-clean", "--all", "--format", "jsonl", "-q")
    assert code == 0 and all("only_in" not in r for r in jsonl(out))
