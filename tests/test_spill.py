"""The spill that keeps texts out of memory, and the records it gives back."""

from __future__ import annotations

import json
from pathlib import Path

from cleanwire.document import Document
from cleanwire.spill import Endings, Record, Spill, format_lines, segment_output, spill_record


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


def test_endings_make_the_records_with_their_added_fields(tmp_path: Path) -> None:
    spill = Spill(str(tmp_path))
    docs = [Document(id=f"d{i}", text=f"text {i}") for i in range(4)]
    records = [spill_record(doc) for doc in docs]
    spill.append_blob(b"".join(records), [sum(map(len, records[:i])) for i in range(len(records))])
    endings = Endings.adding({"duplicates": []})
    endings.add(1, {"duplicates": [{"id": "d2"}]})
    endings.drop(2)
    endings.rename(3, {"renamed_from_id": "d0", "id": "d0#2"})
    (path, first, count), = spill.segments()
    gathered: list[bytes] = []
    segment_output(path, first, endings, lambda pieces: gathered.append(b"".join(pieces)), 2)
    lines = [json.loads(line) for line in b"".join(gathered).decode("utf-8").splitlines()]
    assert [r["id"] for r in lines] == ["d0", "d1", "d0#2"]
    assert lines[1]["duplicates"] == [{"id": "d2"}] and lines[0]["duplicates"] == []
    assert lines[2]["renamed_from_id"] == "d0" and list(lines[2])[-1] == "duplicates"
    assert b"".join(format_lines([b"{"], 0, Endings.adding({"a": 1}))) == b'{"a":1}\n'
    spill.close()
