"""Input folders that hold other files: only recognised formats are read; the others are skipped and counted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ingest_helpers import STORY

from cleanwire.config import IngestConfig
from cleanwire.ingest import InputSet


def _read(paths: list[Path], **cfg: object) -> tuple[list[tuple[str, str | None]], list[tuple[str, str]]]:
    with InputSet([str(p) for p in paths], IngestConfig(**cfg)) as inputs:  # type: ignore[arg-type]
        docs = [(d.id, d.error) for d in inputs.documents()]
        return docs, inputs.skipped


def _folder(root: Path) -> Path:
    folder = root / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(STORY)
    (folder / "b.html").write_text(f"<html><body><p>{STORY}</p></body></html>")
    (folder / "c.jsonl").write_text(json.dumps({"id": "c1", "text": STORY}) + "\n")
    (folder / "manifest.json").write_text(json.dumps({"shards": ["c.jsonl"], "count": 1}, indent=2))
    (folder / "gold.jsonl").write_text("".join(json.dumps({"id": f"g{i}", "label": "dup"}) + "\n"
                                               for i in range(500)))
    (folder / "gold.jsonl.gz").write_bytes(gzip.compress(json.dumps({"id": "x", "cluster": 3}).encode() + b"\n"))
    (folder / "notes.md").write_text("# How this corpus was made\n\nBy hand.\n")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (folder / "page.php").write_text(f"<html><body><p>{STORY}</p></body></html>")  # HTML by content: read
    (folder / "feed.json").write_text(json.dumps({"id": "f1", "text": STORY}) + "\n")  # JSON lines inside: read
    (folder / "2024.01.05").write_text(STORY)  # no real extension: sniffed and read, as before
    return folder


def test_other_files_in_a_folder_are_skipped_and_counted(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    docs, skipped = _read([folder])
    assert docs == [("2024.01.05", None), ("a.txt", None), ("b.html", None), ("c1", None), ("f1", None),
                    ("page.php", None)]
    assert sorted((Path(source).name, why) for source, why in skipped) == [
        ("gold.jsonl", "JSON lines without a 'text' or 'html' field in any record"),
        ("gold.jsonl.gz", "JSON lines without a 'text' or 'html' field in any record"),
        ("manifest.json", "not a recognised input format (.json)"),
        ("notes.md", "not a recognised input format (.md)"),
        ("photo.png", "not a recognised input format (.png)"),
    ]


def test_files_named_as_arguments_are_always_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    docs, skipped = _read([folder / "notes.md", folder / "gold.jsonl"])
    assert skipped == [] and len(docs) == 501
    assert docs[0] == ("g0", "no 'text' or 'html' field") and docs[-1][0] == str(folder / "notes.md")


def test_one_record_with_text_keeps_the_per_record_errors(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps({"id": f"n{i}", "label": 1}) for i in range(3)] + [json.dumps({"id": "t", "text": STORY})]
    (folder / "mixed.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "broken.jsonl").write_text('{"id": "b1", "label": 1}\n{"id": "b2", "lab\n')  # a broken line: read
    docs, skipped = _read([folder])
    assert skipped == []
    assert docs == [("b1", "no 'text' or 'html' field"), ("broken.jsonl:2", docs[1][1]),
                    ("n0", "no 'text' or 'html' field"), ("n1", "no 'text' or 'html' field"),
                    ("n2", "no 'text' or 'html' field"), ("t", None)]
    assert (docs[1][1] or "").startswith("invalid JSON")


def test_the_fields_asked_for_decide_and_a_forced_format_reads_everything(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    docs, skipped = _read([folder], text_field="label")
    assert ("g0", None) in docs and not any(Path(s).name == "gold.jsonl" for s, _ in skipped)
    docs, skipped = _read([folder], input_format="text")
    assert skipped == [] and len(docs) == 11  # one document per file
