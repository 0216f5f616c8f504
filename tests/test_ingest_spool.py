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


def test_a_full_tmpdir_while_spooling_stdin_is_an_output_failure_naming_it(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    from conftest import subprocess_env

    from cleanwire.errors import ExitCode

    def small_files() -> None:  # a full $TMPDIR: no file of this process may grow past 64 KB
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    stdin = (json.dumps({"text": STORY}) + "\n").encode() * 5000  # about 1 MB
    done = subprocess.run([sys.executable, "-m", "cleanwire", "clean", "-", "--format", "jsonl", "-q"], input=stdin,
                          capture_output=True, env=subprocess_env(tmpdir), preexec_fn=small_files, timeout=120)
    err = done.stderr.decode()
    assert done.returncode == ExitCode.OUTPUT_FAILED, err
    assert f"cannot copy stdin to $TMPDIR ({tmpdir})" in err and "error: stdin:" not in err
    assert done.stdout == b"" and list(tmpdir.iterdir()) == []


class _FailingRead(io.RawIOBase):
    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        raise OSError(5, "Input/output error")


def test_a_failing_stdin_is_still_an_input_error() -> None:
    docs = list(InputSet(["-"], IngestConfig(), stdin=io.BufferedReader(_FailingRead())).documents())
    assert [(d.id, d.error) for d in docs] == [("stdin", "cannot read: input/output error")]


def test_a_failing_spool_write_raises_naming_tmpdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import errno
    import tempfile

    from cleanwire.ingest import spool

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(spool.os, "write", full)
    with pytest.raises(OSError, match=r"cannot copy stdin to \$TMPDIR \(.*\): no space left on device") as caught:
        with InputSet(["-"], IngestConfig(), stdin=io.BytesIO(STORY.encode())) as inputs:
            list(inputs.documents())
    assert caught.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []  # the partial copy too
