"""Ingest ids: a repeated id becomes "<id>#N" in order, with a note of the id it had."""

from __future__ import annotations

import json
from pathlib import Path

from ingest_helpers import STORY, read

from cleanwire.ingest import RENAMED_FROM_KEY, ids


def test_duplicate_ids_get_a_suffix_and_a_note(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"{n} {STORY}"}) for n, i in enumerate(["x", "x", "x#2", "x", "y"])]
    (tmp_path / "a.jsonl").write_text("\n".join(lines))
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "b" / "same.txt").write_text(STORY)
    (tmp_path / "c" / "same.txt").write_text(STORY)
    docs = read([tmp_path / "a.jsonl", tmp_path / "c", tmp_path / "b"])
    ids = [d.id for d in docs]
    assert len(set(ids)) == len(ids)
    # the file argument's id is its absolute path, which sorts before the folder files' "same.txt"
    assert ids == ["x", "x#2", "x#2#2", "x#3", "y", "same.txt", "same.txt#2"]
    renamed = {d.id: d.metadata.get(RENAMED_FROM_KEY) for d in docs}
    assert renamed["x#2"] == "x" and renamed["x#2#2"] == "x#2" and renamed["x#3"] == "x"
    assert renamed["same.txt#2"] == "same.txt" and renamed["y"] is None
    same = [d for d in docs if d.id.startswith("same.txt")]
    assert [d.source for d in same] == [str(tmp_path / "b" / "same.txt"), str(tmp_path / "c" / "same.txt")]
    assert [d.id for d in read([tmp_path / "b", tmp_path / "c", tmp_path / "a.jsonl"])] == ids


def test_unique_ids_rename_repeats_in_order() -> None:
    unique = ids.UniqueIds()
    assert [unique(i) for i in ["a", "a", "b", "a#2", "a"]] == ["a", "a#2", "b", "a#2#2", "a#3"]
