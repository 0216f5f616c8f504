"""The pipeline's stages, wired: template learning, cleaning, deduplication."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import SEEDS

from cleanwire.config import CleanConfig, Config
from cleanwire.document import Document
from cleanwire.emit import cluster_records
from cleanwire.engines.local import LocalEngine
from cleanwire.ingest import InputSet
from cleanwire.pipeline import Counters, DocumentSource, clean_stream, dedupe

STORY = ("The harbour board voted on Tuesday to raise mooring fees for the first time in a decade, "
         "saying the money would pay for dredging the silted channel before the summer season. ") * 4


def test_dedupe_in_memory_documents_finds_the_copy_and_keeps_the_empty_page_apart() -> None:
    docs = [
        Document(id="a", text=STORY),
        Document(id="b", text="Breaking news\n" + STORY),
        Document(id="empty", text="Home\nNews\nSport"),
        Document(id="c", text="An unrelated report on school budgets, with its own facts and quotes. " * 5),
    ]
    counters = Counters()
    errors: list[Document] = []
    config = Config(clean=CleanConfig(learn_templates=False))
    result = dedupe(DocumentSource(docs), config, LocalEngine(1), counters, errors.append)
    try:
        records = {r["id"]: r for r in cluster_records(result, include_all=True)}
    finally:
        result.close()
    assert set(records) == {"a", "b", "empty", "c"}
    pair = {records["a"].get("canonical_id"), records["b"].get("canonical_id")}
    assert pair in ({None, "a"}, {None, "b"})
    assert records["empty"].get("canonical_id") is None and records["c"].get("canonical_id") is None
    assert counters.duplicates == 1 and counters.documents == 4 and not errors


def test_repeated_ids_are_made_unique_in_the_output(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "same", "text": STORY + f" Variant {i} " + "more words here " * i}) for i in range(3)]
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = Config(clean=CleanConfig(enabled=False))
    with InputSet([str(tmp_path)], config.ingest) as inputs:
        result = dedupe(inputs, config, LocalEngine(1), Counters(), lambda doc: None)
        try:
            records = list(cluster_records(result, include_all=True))
        finally:
            result.close()
    assert sorted(r["id"] for r in records) == ["same", "same#2", "same#3"]
    assert {r.get("renamed_from_id") for r in records} == {None, "same"}


def test_clean_stream_with_two_jobs_matches_one_job() -> None:
    config = Config()
    with InputSet([str(SEEDS)], config.ingest) as inputs:
        one = [(d.id, d.text, d.title) for d in clean_stream(inputs, config, LocalEngine(1), Counters())]
        two = [(d.id, d.text, d.title) for d in clean_stream(inputs, config, LocalEngine(2), Counters())]
    assert one == two
    assert len(one) == 3 and all(text for _, text, _ in one)


def _relations(docs: list[Document], keep: str = "complete") -> dict[str, tuple[str | None, str | None]]:
    """Each document's (canonical_id, relation) after a dedupe of clean texts."""
    config = Config(clean=CleanConfig(enabled=False), keep=keep)
    counters = Counters()
    result = dedupe(DocumentSource(docs), config, LocalEngine(1), counters, lambda doc: None)
    try:
        return {r["id"]: (r["canonical_id"], r.get("relation")) for r in cluster_records(result, include_all=True)}
    finally:
        result.close()


def test_a_copy_of_about_the_same_length_is_a_near_duplicate_not_an_excerpt() -> None:
    from conftest import paragraphs

    body = paragraphs(11, count=8)
    edited = body[:6] + paragraphs(12, count=2)  # 6 of 8 paragraphs shared: similarity and containment 0.75
    relations = _relations([Document(id="original", text="\n".join(body)),
                            Document(id="edited", text="\n".join(edited))])
    assert relations["edited"] == ("original", "near-duplicate")


def test_excerpt_means_the_shorter_side_and_the_full_article_under_its_excerpt_extends_it() -> None:
    from conftest import paragraphs

    body = paragraphs(13, count=9)
    docs = [Document(id="full", text="\n".join(body)), Document(id="lead", text="\n".join(body[:3]))]
    assert _relations(docs)["lead"] == ("full", "excerpt")
    assert _relations(docs, keep="shortest")["full"] == ("lead", "extends")
