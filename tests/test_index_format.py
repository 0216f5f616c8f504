"""The index file's format: match keys compressed with a dictionary kept in the file, and format versions."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import pytest
import zstandard
from conftest import SEED_EXCERPT, SEED_FULL, jsonl, paragraphs, run_cli

import cleanwire.index as index_module
from cleanwire.fingerprint import match_key
from cleanwire.index import VERSION, KeyCodec


def _keys(count: int) -> list[str]:
    return [match_key(" ".join(paragraphs(500 + i, 2, 30))) for i in range(count)]


def test_key_codec_round_trip_with_a_trained_dictionary() -> None:
    keys = _keys(200)
    data = KeyCodec.train(keys, 1)
    assert data is not None
    codec, plain = KeyCodec([(1, data)]), KeyCodec([])
    assert codec.dict_id == 1 and plain.dict_id == 0
    odd = ["", "ünïcode straße 中文 ﬁ", "a\ud800b"]  # lone surrogates pass through as in the spill
    for key in keys[:20] + odd:
        blob = codec.compress(key)
        assert zstandard.get_frame_parameters(blob).dict_id == 1
        assert codec.decompress(blob) == key
        assert codec.decompress(plain.compress(key)) == key  # keys written before the index had a dictionary
    assert plain.decompress(zlib.compress(keys[0].encode(), 9)) == keys[0]  # version 1's keys
    fresh = _keys(260)[200:]  # keys the dictionary was not trained on compress better with it all the same
    assert sum(len(codec.compress(k)) for k in fresh) < 0.9 * sum(len(plain.compress(k)) for k in fresh)
    with pytest.raises(sqlite3.DatabaseError, match="dictionary 1"):
        plain.decompress(codec.compress(keys[0]))
    assert KeyCodec.train(keys[:199], 1) is None  # too few to train on: keys are stored without one


def _docs_file(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps({"id": f"d{i:03d}", "text": "\n\n".join(paragraphs(900 + i, 2, 30))}) + "\n"
                            for i in range(count)), encoding="utf-8")
    return path


def test_the_index_keeps_its_dictionary_and_a_later_run_reads_with_it(tmp_path: Path) -> None:
    docs, db = _docs_file(tmp_path / "docs.jsonl", 210), tmp_path / "news.db"
    code, first, _ = run_cli("dedupe", docs, "--index", db, "--format", "jsonl", "-q")
    assert code == 0 and len(jsonl(first)) == 210
    with sqlite3.connect(db) as conn:
        assert [i for (i,) in conn.execute("SELECT id FROM dicts")] == [1]
        blobs = [k for (k,) in conn.execute("SELECT key FROM docs")]
    assert {zstandard.get_frame_parameters(b).dict_id for b in blobs} == {1}
    # a new Index reads the keys with the stored dictionary: every document is found again (a re-run)
    code, again, _ = run_cli("dedupe", docs, "--against", db, "--format", "jsonl", "-q", "--stats", tmp_path / "s.json")
    assert code == 0 and again == first
    assert json.loads((tmp_path / "s.json").read_text())["index"]["known"] == 210
    assert json.loads(run_cli("index", "stats", db)[1])["version"] == VERSION == 2


def _downgrade_to_version_1(db: Path) -> None:
    """The layout an older cleanwire wrote: zlib keys, no dictionaries, version 1."""
    codec = KeyCodec([])
    with sqlite3.connect(db) as conn:
        keys = conn.execute("SELECT n, key FROM docs").fetchall()
        conn.executemany("UPDATE docs SET key = ? WHERE n = ?",
                         [(zlib.compress(codec.decompress(k).encode(), 9), n) for n, k in keys])
        conn.execute("DROP TABLE dicts")
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'version'")


def test_a_version_1_index_is_read_and_upgraded_by_a_writing_run(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, day2 = days
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    for db in (new, old):
        assert run_cli("dedupe", day1, "--index", db, "-q")[0] == 0
    _downgrade_to_version_1(old)
    _, expected, _ = run_cli("dedupe", day2, "--against", new, "--format", "jsonl", "-q")
    code, out, err = run_cli("dedupe", day2, "--against", old, "--format", "jsonl")
    assert code == 0 and out == expected and "upgraded" not in err
    with sqlite3.connect(old) as conn:  # read only: still version 1
        assert conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == ("1",)
        assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'dicts'").fetchone()
    code, out, err = run_cli("dedupe", day2, "--index", old, "--format", "jsonl")
    assert code == 0 and out == expected
    assert f"--index {old}: upgraded from an older cleanwire's format" in err
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() == (str(VERSION),)
        assert conn.execute("SELECT count(*) FROM dicts").fetchone() == (0,)  # too few documents to train one
    # the excerpt's zlib key is still read: day 1 again is filed under the story day 2 made canonical
    code, out, _ = run_cli("dedupe", day1, "--index", old, "--format", "jsonl", "--all", "-q")
    assert [(r["id"], r["canonical_id"]) for r in jsonl(out)] == [(SEED_EXCERPT, SEED_FULL)]


def test_an_index_of_an_unknown_version_is_refused_in_one_line(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, _ = days
    db = tmp_path / "news.db"
    run_cli("dedupe", day1, "--index", db, "-q")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    for args, name in ((("dedupe", day1, "--index", db), "--index"), (("dedupe", day1, "--against", db), "--against"),
                       (("index", "stats", db), "index")):
        code, out, err = run_cli(*args)
        assert code == 2 and out == ""
        lines = [line for line in err.splitlines() if line.strip()]
        says = f"{name} {db}: index format version 99, this cleanwire reads versions 1, 2"
        assert any(says in line for line in lines), err


def test_without_json_in_sqlite_the_batch_is_looked_up_from_temp_tables(tmp_path: Path, days: tuple[Path, Path],
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    run_cli("dedupe", day1, "--index", db, "-q")
    expected = run_cli("dedupe", day2, "--against", db, "--all", "--format", "jsonl", "-q")[1]
    monkeypatch.setattr(index_module, "_has_json_each", lambda conn: False)
    tables: list[str] = []
    temp = index_module.Index._temp
    monkeypatch.setattr(index_module.Index, "_temp", lambda self, name, *a: (tables.append(name), temp(self, name, *a)))
    code, out, _ = run_cli("dedupe", day2, "--against", db, "--all", "--format", "jsonl", "-q")
    assert code == 0 and out == expected
    assert any(r.get("absorbed_indexed") == [SEED_EXCERPT] for r in jsonl(out))
    assert {"l_h", "l_e", "l_n", "l_s", "l_m"} <= set(tables)


def test_bench_grow_adds_copies_that_match_nothing(tmp_path: Path, days: tuple[Path, Path]) -> None:
    from cleanwire.bench.index import grow, table_bytes

    day1, day2 = days
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    run_cli("dedupe", day1, day2, "--index", small, "-q")
    grow(small, large, 3)
    with sqlite3.connect(small) as a, sqlite3.connect(large) as b:
        for table in ("docs", "postings", "edges"):
            (n,) = a.execute(f"SELECT count(*) FROM {table}").fetchone()
            assert b.execute(f"SELECT count(*) FROM {table}").fetchone() == (3 * n,)
        assert b.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert table_bytes(large)["(documents)"] == 9
    expected = run_cli("dedupe", day1, "--against", small, "--all", "--format", "jsonl", "-q")[1]
    assert run_cli("dedupe", day1, "--against", large, "--all", "--format", "jsonl", "-q")[1] == expected
