"""Ingest spooling: stdin and FIFOs are read once and then again from their copies."""

from __future__ import annotations

import io
import json
import os
import threading
from pathlib import Path

import pytest
from ingest_helpers import STORY, one_stdin

from cleanwire.config import IngestConfig
from cleanwire.ingest import InputSet


def test_stdin_is_spooled_and_read_twice() -> None:
    lines = "\n".join(json.dumps({"text": f"{n} {STORY}", "k": n}) for n in range(3)) + "\n"
    inputs = InputSet(["-"], IngestConfig(), stdin=io.BytesIO(lines.encode()))
    first = [(d.id, d.source, d.text, d.metadata) for d in inputs.documents()]
    second = [(d.id, d.source, d.text, d.metadata) for d in inputs.documents()]
    assert first == second
    assert [row[:2] for row in first] == [("stdin:1", "stdin:1"), ("stdin:2", "stdin:2"), ("stdin:3", "stdin:3")]
    spool = next(inputs.parts()).entries[0].path  # stdin read from its spooled copy
    assert os.path.exists(spool)
    inputs.close()
    assert not os.path.exists(spool)


def test_stdin_text_and_html_have_the_id_stdin() -> None:
    assert one_stdin(STORY.encode()).id == "stdin"
    doc = one_stdin(b"<html><body><p>" + STORY.encode() + b"</p></body></html>")
    assert (doc.id, doc.source, doc.kind) == ("stdin", "stdin", "html")
    assert one_stdin(b"").error == "empty input"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_argument_is_spooled(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(STORY))
    writer.start()
    with InputSet([str(fifo)], IngestConfig()) as inputs:
        first = [d.text for d in inputs.documents()]
        writer.join()
        assert first == [STORY] == [d.text for d in inputs.documents()]
