"""Tests for cleanwire.bench.event: the event test set is built from a dedup set's pages and scored pairwise."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import paragraphs

from cleanwire.bench.event import build_event_set, has_event_pages, score_event_set


def fake_dev(tmp_path: Path, pages: int = 120) -> Path:
    """A made-up dedup set and its cleaning set's truths (never dev pages): one story per page, some quoting."""
    dev, truth = tmp_path / "dedup", tmp_path / "cleaning" / "truth"
    dev.mkdir()
    truth.mkdir(parents=True)
    rows = []
    for k in range(pages):
        body = paragraphs(500 + k, count=7, words=40)
        if k % 3 == 0:
            body[2] = f"\u201c{body[2]}\u201d a spokesman said."
        (truth / f"p{k}.txt").write_text("\n".join(body), encoding="utf-8")
        rows.append({"id": f"d{k}", "cluster": f"c{k}", "type": "original", "page": f"p{k}"})
    rows.append({"id": "d999", "cluster": "c0", "type": "original", "page": "p0"})  # a natural pair: left out
    (dev / "clusters.jsonl").write_text("\n".join(map(json.dumps, rows)), encoding="utf-8")
    return dev


def test_the_set_is_built_from_the_pages_with_every_kind(tmp_path: Path) -> None:
    dev = fake_dev(tmp_path)
    assert has_event_pages(dev) and not has_event_pages(tmp_path)
    data = build_event_set(dev)
    assert set(data.kind) == {"quote-pair", "quoting-copy", "digest", "digest-copy", "digest-story", "update", "teaser"}
    assert build_event_set(dev).texts == data.texts  # a fixed seed
    assert not any("p0" in t for t in data.texts)
    quoted = [t for t, k in zip(data.texts, data.kind) if k == "quote-pair"]
    assert all("\u201c" in t or '"' in t or "\u00ab" in t or "\u201e" in t for t in quoted)
    teasers = [t for t, k in zip(data.texts, data.kind) if k == "teaser" and t.count(".") <= 2]
    assert teasers and all(len(t.split()) < 60 for t in teasers)


def test_pairwise_scores() -> None:
    from cleanwire.bench.event import EventSet

    data = EventSet(["a", "b", "c", "d"], ["s1", "s1", "s2", "s3"], ["teaser", "teaser", "digest", "digest-story"])
    perfect = score_event_set(data, [0, 0, 2, 3])
    assert (perfect["precision"], perfect["recall"]) == (1.0, 1.0)
    merged = score_event_set(data, [0, 0, 0, 0])
    assert merged["recall"] == 1.0 and merged["precision"] == 1 / 6
    assert merged["false_pairs"]["digest+digest-story"] == 1
    assert score_event_set(data, [0, 1, 2, 3])["recall_by_kind"] == {"teaser": 0.0}
