"""The pipeline's stages and the spill that keeps texts out of memory."""

from __future__ import annotations

import json
from pathlib import Path

from cleanwire.config import CleanConfig, Config
from cleanwire.document import Document
from cleanwire.emit import cluster_records
from cleanwire.engines.local import LocalEngine
from cleanwire.ingest import InputSet
from cleanwire.pipeline import Counters, DocumentSource, Record, Spill, clean_stream, dedupe, spill_record

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
STORY = ("The harbour board voted on Tuesday to raise mooring fees for the first time in a decade, "
         "saying the money would pay for dredging the silted channel before the summer season. ") * 4


def test_spill_reads_texts_back_by_ordinal_and_records_in_order(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path))
    docs = [Document(id=f"d{i}", text=f"text {i} \u2028 ünïcode", metadata={"lang": "en"}) for i in range(5)]
    records = [spill_record(doc) for doc in docs]
    spill.append_blob(b"".join(records), [sum(map(len, records[:i])) for i in range(len(records))])
    assert spill.texts([3, 0]) == {0: docs[0].text, 3: docs[3].text}
    records = list(spill)
    assert [r["id"] for r in records] == [d.id for d in docs]
    assert records[2].get("lang") == "en"
    spill.close()
    assert not list(tmp_path.iterdir())


def test_record_appends_fields_without_parsing_and_stays_valid_json() -> None:
    record = Record.of({"id": "a", "text": "x"})
    record.add(duplicates=[{"id": "b"}], canonical_id=None)
    assert json.loads(record.json()) == {"id": "a", "text": "x", "duplicates": [{"id": "b"}], "canonical_id": None}
    assert record["duplicates"] == [{"id": "b"}]
    assert json.loads(Record("{").json()) == {}


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


def test_jsonl_fast_path_writes_exactly_what_the_record_path_writes(tmp_path: Path) -> None:
    import io

    from cleanwire.emit import jsonl_chunks, write_records

    lines = [json.dumps({"id": "same", "text": STORY, "lang": "en"}),
             json.dumps({"id": "same", "text": "Breaking\n" + STORY}),  # a repeated id, and a copy
             json.dumps({"id": "odd\u2028id", "text": "Short \u2029 page with ünïcode."}),
             json.dumps({"id": "c", "text": "An unrelated report on school budgets, with its own facts. " * 5})]
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = Config(clean=CleanConfig(enabled=False))
    for include_all in (False, True):
        with InputSet([str(tmp_path)], config.ingest) as inputs:
            result = dedupe(inputs, config, LocalEngine(1), Counters(), lambda doc: None)
            try:
                slow = io.StringIO()
                write_records(cluster_records(result, include_all=include_all), "jsonl", slow)
                fast = b"".join(jsonl_chunks(result, include_all=include_all)).decode("utf-8")
            finally:
                result.close()
        assert fast == slow.getvalue()
        assert len(fast.splitlines()) == (4 if include_all else 3)


def test_workers_format_the_output_to_the_same_bytes(tmp_path: Path) -> None:
    import io

    from cleanwire.emit import write_jsonl, write_records

    lines = [json.dumps({"id": "same", "text": STORY + f" Part {i}. " + "Other words here. " * (i % 3)})
             for i in range(40)]
    lines += [json.dumps({"id": f"u{i}", "text": f"An unrelated report number {i} on school budgets. " * 5})
              for i in range(40)]
    (tmp_path / "in").mkdir()
    for n in range(4):  # several files: several parts and spill segments
        (tmp_path / "in" / f"x{n}.jsonl").write_text("\n".join(lines[n::4]) + "\n", encoding="utf-8")
    config = Config(clean=CleanConfig(enabled=False))
    engine = LocalEngine(2)
    try:
        for include_all in (False, True):
            with InputSet([str(tmp_path / "in")], config.ingest) as inputs:
                result = dedupe(inputs, config, engine, Counters(), lambda doc: None)
                try:
                    want = io.StringIO()
                    write_records(cluster_records(result, include_all=include_all), "jsonl", want)
                    with open(tmp_path / "out.jsonl", "wb") as out:  # a real file: sendfile
                        write_jsonl(result, out, engine, include_all=include_all)
                    buffer = io.BytesIO()  # no file descriptor: copied through a buffer
                    write_jsonl(result, buffer, engine, include_all=include_all)
                    with open(tmp_path / "here.jsonl", "wb") as out:  # one process: written from the spill here
                        write_jsonl(result, out, LocalEngine(1), include_all=include_all)
                finally:
                    result.close()
            assert (tmp_path / "out.jsonl").read_bytes().decode("utf-8") == want.getvalue()
            assert (tmp_path / "here.jsonl").read_bytes().decode("utf-8") == want.getvalue()
            assert buffer.getvalue().decode("utf-8") == want.getvalue()
            emitted = len(want.getvalue().splitlines())
            assert emitted == 80 if include_all else 0 < emitted < 80
    finally:
        engine.close()
