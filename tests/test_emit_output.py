"""The choice of output writer, and the output folder of stories with its clusters.json."""

from __future__ import annotations

import json
from pathlib import Path

from cleanwire.emit import default_format, open_output_dir, write_stories
from cleanwire.spill import Record


def test_an_explicit_format_wins_and_a_pipe_gets_json_lines() -> None:
    assert default_format("json", "rich") == "json"
    assert default_format(None, "rich") == "jsonl"  # pytest's stdout is no terminal


def test_stories_get_a_file_each_and_clusters_json_lists_them(tmp_path: Path) -> None:
    assert open_output_dir(None) is None
    folder = open_output_dir(str(tmp_path / "out"))
    assert folder is not None
    story = Record.of({"id": "a", "title": "T", "text": "body"})
    story.add(duplicates=[{"id": "b"}])
    copy = Record.of({"id": "b", "text": "body", "canonical_id": "a"})
    assert list(write_stories([story, copy], folder)) == [story, copy]
    assert (tmp_path / "out" / "a.txt").read_text() == "body\n"
    assert not (tmp_path / "out" / "b.txt").exists()
    clusters = json.loads((tmp_path / "out" / "clusters.json").read_text())
    assert clusters == [{"id": "a", "file": "a.txt", "title": "T", "duplicates": [{"id": "b"}]}]
