"""The benchmark corpus generator: deterministic, every copy kind present, gold consistent."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from cleanwire.bench.corpus import KINDS, Writer, doc_id, make_plan, write_corpus

DOCS = 400


def read_docs(folder: Path) -> dict[str, str]:
    """id -> text over all shards."""
    docs = {}
    for shard in sorted(folder.glob("shard-*.jsonl")):
        for line in shard.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            assert set(rec) == {"id", "text"}
            docs[rec["id"]] = rec["text"]
    return docs


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    write_corpus(out, DOCS, seed=7, shard_size=150)
    return out


def test_same_seed_same_bytes_whatever_the_jobs(corpus: Path, tmp_path: Path) -> None:
    write_corpus(tmp_path, DOCS, seed=7, shard_size=150, jobs=2)
    for shard in sorted(corpus.glob("*.jsonl")):
        assert (tmp_path / shard.name).read_bytes() == shard.read_bytes()


def test_other_seed_other_corpus(corpus: Path, tmp_path: Path) -> None:
    write_corpus(tmp_path, 50, seed=8, shard_size=150)
    assert read_docs(tmp_path)[doc_id(0)] != read_docs(corpus)[doc_id(0)]


def test_shards_gold_and_manifest_agree(corpus: Path) -> None:
    docs = read_docs(corpus)
    gold = [json.loads(line) for line in (corpus / "gold.jsonl").read_text().splitlines()]
    manifest = json.loads((corpus / "manifest.json").read_text())
    assert len(docs) == len(gold) == manifest["docs"] == DOCS
    assert manifest["shards"] == 3 and len(list(corpus.glob("shard-*.jsonl"))) == 3
    assert [g["id"] for g in gold] == sorted(docs)
    assert Counter(g["type"] for g in gold) == Counter({k: v for k, v in manifest["types"].items() if v})


def test_duplicate_share_and_every_kind() -> None:
    plan = make_plan(20_000, seed=3, dup_share=0.3)
    kinds = Counter(KINDS[k] for k in plan.kind)
    copies = 20_000 - kinds["original"]
    assert 0.25 < copies / 20_000 < 0.35
    assert all(kinds[k] > 0 for k in KINDS)
    # each story has exactly one original
    originals = Counter(int(s) for s, k in zip(plan.story, plan.kind) if k == 0)
    assert set(originals.values()) == {1}
    assert set(int(s) for s in plan.story) == set(originals)


def test_copies_look_like_their_kind(tmp_path: Path) -> None:
    write_corpus(tmp_path, DOCS, seed=7, shard_size=150, clean=True)
    docs = read_docs(tmp_path)
    gold = [json.loads(line) for line in (tmp_path / "gold.jsonl").read_text().splitlines()]
    original = {g["cluster"]: docs[g["id"]] for g in gold if g["type"] == "original"}
    for g in gold:
        text, base = docs[g["id"]], original[g["cluster"]]
        paragraphs, base_paragraphs = text.strip().split("\n\n"), base.strip().split("\n\n")
        if g["type"] in ("exact", "wrapped"):
            assert text == base  # the same clean body (wrapped differs only in its template)
        elif g["type"] == "excerpt":
            assert len(text) < 0.6 * len(base)
            assert paragraphs[0] == base_paragraphs[0]
        elif g["type"] == "reordered":
            assert sorted(paragraphs) == sorted(base_paragraphs) and paragraphs != base_paragraphs
        elif g["type"] == "glued":
            assert text != base and '"' not in text
            assert len(text.split()) < len(base.split())  # lost spaces
        elif g["type"] == "edited":
            assert text != base


def test_pages_carry_templates_and_prose() -> None:
    writer = Writer(seed=1, n_sites=10)
    page = writer.document(story=6, kind=0, site_index=0, doc_seed=0, clean=False)
    clean = writer.document(story=6, kind=0, site_index=0, doc_seed=0, clean=True)
    site = writer.site(0)
    assert site.footer[-1] in page and site.name in page
    assert clean.split("\n\n")[0] in page  # the body sits inside the page
    assert 1500 < len(page) < 20000
    words = clean.lower().split()
    stop = sum(w in {"the", "a", "of", "in", "and", "to", "that", "on", "for", "with", "by", "at"} for w in words)
    assert stop / len(words) > 0.15  # English-like stopword density


def test_scale_scoring_counts_pairs_and_copy_types() -> None:
    from cleanwire.bench.scale import score

    gold = {"a": ("s1", "original"), "b": ("s1", "excerpt"), "c": ("s1", "glued"), "d": ("s2", "original")}
    perfect = score(gold, [("a", "a"), ("b", "a"), ("c", "a"), ("d", "d")])
    assert (perfect["P"], perfect["R"], perfect["R_excerpt"], perfect["lost"]) == (1.0, 1.0, 1.0, 0.0)
    merged = score(gold, [("a", "x"), ("b", "x"), ("c", "c"), ("d", "x")])  # c missed, d wrongly merged
    assert merged["P"] == pytest.approx(1 / 3) and merged["R"] == pytest.approx(1 / 3)
    assert merged["R_excerpt"] == 1.0 and merged["R_glued"] == 0.0
    lost = score(gold, [("a", "a")])
    assert lost["lost"] == 3.0 and lost["R"] == 0.0


def test_the_wire_profile_puts_most_documents_in_clusters_of_heavy_tailed_sizes() -> None:
    plan = make_plan(20_000, seed=3, dup_share=0.3, profile="wire")
    sizes = np.bincount(plan.story)
    assert sizes.sum() == 20_000
    assert sizes[sizes > 1].sum() > 0.8 * 20_000  # most documents have copies
    small, large = ((sizes >= 2) & (sizes <= 5)).sum(), (sizes >= 50).sum()
    assert small > 10 * large > 0 and sizes.max() <= 500  # many of 2-5, some of 50-500
    kinds = np.bincount(plan.kind, minlength=len(KINDS))
    copies = kinds[1:].sum()
    assert (kinds[KINDS.index("edited")] + kinds[KINDS.index("wrapped")]) > 0.6 * copies  # light edits, templates
    assert kinds[KINDS.index("excerpt")] > 0.05 * copies
    # the default profile is what it was: the same plan for a seed
    default = make_plan(20_000, seed=3, dup_share=0.3)
    assert (np.bincount(default.story) > 1).sum() < 0.3 * len(np.bincount(default.story))


def test_the_scale_floors_are_checked_per_corpus_profile_against_both_baselines() -> None:
    from cleanwire.bench.scale import Run, floors

    def run(tool: str, profile: str, jobs: int, rate: float, ratio: float | None = None,
            rensa: float | None = None) -> Run:
        return Run(tool=tool, corpus="raw", docs=100_000, jobs=jobs, profile=profile, docs_per_s=rate, ratio=ratio,
                   rensa_ratio=rensa)

    runs = [run("clean+dedupe", "wire", 1, 1000.0), run("clean+dedupe", "wire", 2, 1900.0, 4.5, 0.9),
            run("dedupe-only", "wire", 2, 9000.0, 20.0, 2.5), run("clean+dedupe", "default", 2, 4000.0, 3.4)]
    checks = {what: met for what, _, _, met in floors(runs)}
    assert checks == {
        "default 100,000 clean+dedupe --jobs 2 vs datasketch": True,
        "wire 100,000 clean+dedupe --jobs 2 vs datasketch": True,
        "wire 100,000 clean+dedupe --jobs 2 vs rensa": False,
        "wire 100,000 dedupe-only --jobs 2 vs rensa": True,
        "wire 100,000 clean+dedupe --jobs 2 vs --jobs 1": True,
    }
