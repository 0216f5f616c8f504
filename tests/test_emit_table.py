"""CSV and TSV output: one row per record, duplicates as a count and the joined ids, read back by csv."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from cleanwire.cli import cli
from cleanwire.emit.table import write_table
from cleanwire.spill import Record


def _rows(text: str, fmt: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), dialect="excel-tab" if fmt == "tsv" else "excel"))


def test_rows_hold_every_field_and_survive_commas_tabs_quotes_and_newlines() -> None:
    records = [
        Record.of({"lang": "en", "id": "a, \"1\"", "source": "x.jsonl:1", "url": None, "title": "T\tab",
                   "author": None, "date": "2024-01-02", "text": "line one\nline two, \"quoted\"\ttab",
                   "duplicates": [{"id": "b", "relation": "exact", "similarity": 1.0, "containment": 1.0},
                                  {"id": "c d", "relation": "near", "similarity": 0.9, "containment": 0.95}]}),
        {"id": "e", "source": "e.txt", "url": "https://x.test/e", "title": None, "author": "Ann", "date": None,
         "text": "alone", "duplicates": []},
    ]
    for fmt in ("csv", "tsv"):
        out = io.StringIO()
        assert write_table(records, fmt, out) == 2
        rows = _rows(out.getvalue(), fmt)
        assert list(rows[0]) == ["id", "source", "url", "title", "author", "date", "duplicate_count",
                                 "duplicate_ids", "extra", "text"]
        assert rows[0]["id"] == 'a, "1"' and rows[0]["title"] == "T\tab" and rows[0]["url"] == ""
        assert rows[0]["text"] == "line one\nline two, \"quoted\"\ttab"
        assert rows[0]["duplicate_count"] == "2" and rows[0]["duplicate_ids"] == "b | c d"
        assert json.loads(rows[0]["extra"]) == {"lang": "en"}
        assert rows[1] == {"id": "e", "source": "e.txt", "url": "https://x.test/e", "title": "", "author": "Ann",
                           "date": "", "duplicate_count": "0", "duplicate_ids": "", "extra": "", "text": "alone"}


def test_no_records_is_a_header_only() -> None:
    out = io.StringIO()
    assert write_table([], "csv", out) == 0
    assert out.getvalue() == "id,source,url,title,author,date,extra,text\n"


STORY = ("The harbour committee met on Thursday and agreed a new fee for every berth in the marina. "
         "Fishermen said the figure was unfair and promised to raise it with the council next month. "
         "The council will vote on the fee in March after a public consultation on the plans.\n")


def test_dedupe_and_clean_write_csv_and_tsv(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    shutil.copy(tmp_path / "a.txt", tmp_path / "b.txt")
    (tmp_path / "c.txt").write_text("Snow closed three mountain passes overnight and stranded about forty "
                                    "lorries near the border. Drivers were given blankets and hot soup by the "
                                    "volunteers of a nearby village while ploughs worked until the morning.\n")
    runner = CliRunner()
    done = runner.invoke(cli, ["dedupe", str(tmp_path), "--format", "csv", "-q", "--no-templates"])
    assert done.exit_code == 0, done.output
    rows = _rows(done.stdout, "csv")
    assert [(r["id"], r["duplicate_count"], r["duplicate_ids"]) for r in rows][0] == ("a.txt", "1", "b.txt")
    done = runner.invoke(cli, ["dedupe", str(tmp_path), "--all", "--format", "tsv", "-q", "--no-templates"])
    rows = _rows(done.stdout, "tsv")
    assert {r["id"]: r["canonical_id"] for r in rows}["b.txt"] == "a.txt"
    assert {r["id"]: r["relation"] for r in rows}["b.txt"] == "exact"
    done = runner.invoke(cli, ["clean", str(tmp_path), "--format", "csv", "-q", "--no-templates"])
    rows = _rows(done.stdout, "csv")
    assert [r["id"] for r in rows] == ["a.txt", "b.txt", "c.txt"] and "duplicate_count" not in rows[0]
    assert rows[0]["text"].startswith("The harbour committee")
