"""What people read: the terminal view and the summary line."""

from __future__ import annotations

import io

from rich.console import Console

from cleanwire.emit import render_clusters, summary_text
from cleanwire.pipeline import Counters

RECORDS = [
    {"id": "a", "title": "Harbour fees rise", "text": "one two three", "duplicates": [
        {"id": "b", "relation": "excerpt", "similarity": 0.3, "containment": 0.98}]},
    {"id": "c", "title": None, "text": "four", "duplicates": []},
]


def test_terminal_view_lists_stories_and_their_duplicates() -> None:
    console = Console(file=io.StringIO(), width=100, color_system=None)
    assert render_clusters(RECORDS, console) == 2
    view = console.file.getvalue()  # type: ignore[attr-defined]
    assert "Harbour fees rise" in view and "excerpt" in view and "0.98" in view
    assert view.index(" a ") < view.index("└ b") < view.index(" c ")


def test_summary_line() -> None:
    counters = Counters(documents=3, clusters=2, duplicates=1, errors=1)
    counters.relations["excerpt"] = 1
    assert summary_text(counters, 1.5) == (
        "cleanwire: 3 documents, 2 stories, 1 duplicate (1 excerpt), 1 error in 1.50s")
