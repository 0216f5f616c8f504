"""The command as a real process on terminals and pipes: stdout carries the data in every combination,
a reader going away, a full disk and a closed stdout end with their own exit codes and one line."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import SEEDS, paragraphs, subprocess_env

from cleanwire.errors import ExitCode

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals and signals are POSIX")


def _drain(fd: int, into: bytearray) -> None:
    """Read a pty's master side until the child closes the other side (EIO on Linux)."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        into += chunk


def run_on_terminal(args: list[str], terminal: str, cwd: Path | None = None) -> tuple[int, bytes, bytes]:
    """`python -m cleanwire ARGS` with `terminal` ("stderr" or "stdout") a pseudo-terminal, the other a pipe.

    Returns the exit code, what reached stdout and what reached stderr.
    """
    master, slave = pty.openpty()
    env = subprocess_env() | {"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    env.pop("NO_COLOR", None)
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | {terminal: slave}
    seen = bytearray()
    reader = threading.Thread(target=_drain, args=(master, seen), daemon=True)
    reader.start()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "cleanwire", *args], stdin=subprocess.DEVNULL, cwd=cwd,
                                env=env, **streams)  # type: ignore[call-overload]
        os.close(slave)
        out, err = proc.communicate(timeout=300)
    finally:
        reader.join(timeout=30)
        os.close(master)
    terminal_bytes = bytes(seen)
    if terminal == "stdout":
        return proc.returncode, terminal_bytes, err
    return proc.returncode, out, terminal_bytes


def _corpus(folder: Path, count: int = 120) -> Path:
    """`count` made-up articles, a few of them copies, enough for the progress display to be live a while."""
    folder.mkdir(exist_ok=True)
    for i in range(count):
        (folder / f"d{i:04d}.txt").write_text("\n\n".join(paragraphs(i % (count - 10), 6, 50)) + "\n",
                                              encoding="utf-8")
    return folder


COMMANDS = [
    (["clean"], "jsonl"), (["clean"], "json"), (["clean"], "text"),
    (["dedupe"], "jsonl"), (["dedupe"], "json"), (["dedupe"], "text"),
    (["dedupe", "--jobs", "2"], "jsonl"), (["clean", "--jobs", "2"], "jsonl"),
]


@pytest.mark.parametrize(("command", "fmt"), COMMANDS)
def test_stdout_carries_the_data_when_stderr_is_a_terminal(tmp_path: Path, command: list[str], fmt: str) -> None:
    corpus = _corpus(tmp_path / "in")
    code, out, err = run_on_terminal([*command, str(corpus), "--format", fmt], terminal="stderr")
    assert code == ExitCode.SUCCESS, err.decode(errors="replace")[-2000:]
    ids = [f"d{i:04d}.txt" for i in range(0, 100, 7)]
    text = out.decode()
    assert all(doc_id in text for doc_id in ids), text[:500]
    assert not any(doc_id.encode() in err for doc_id in ids), "records reached the terminal on stderr"
    if fmt == "jsonl":
        assert all(json.loads(line)["id"] for line in text.splitlines())
    elif fmt == "json":
        assert json.loads(text)


def test_explain_writes_to_stdout_when_stderr_is_a_terminal() -> None:
    code, out, err = run_on_terminal(["explain", str(SEEDS / "000_3ff13f3d5dec7158.txt"),
                                      str(SEEDS / "001_145a5d41464ce8e0.txt"), "--format", "json"], terminal="stderr")
    assert code == ExitCode.SUCCESS, err
    assert "similarity" in json.loads(out)


@pytest.mark.parametrize("command", [["clean", "--format", "text"], ["dedupe"]])
def test_stdout_on_a_terminal_with_stderr_on_a_pipe_shows_the_data(tmp_path: Path, command: list[str]) -> None:
    corpus = _corpus(tmp_path / "in", 30)
    code, out, err = run_on_terminal([command[0], str(corpus), *command[1:]], terminal="stdout")
    assert code == ExitCode.SUCCESS, err
    assert b"d0003.txt" in out
    assert b"d0003.txt" not in err


def _run_to(args: list[str], stdout: int | None, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "cleanwire", *args], stdin=subprocess.DEVNULL, stdout=stdout,
                            stderr=subprocess.PIPE, env=subprocess_env(), **kwargs)  # type: ignore[call-overload]


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output well over a pipe's buffer (64 KiB), so the writer is still writing when the reader goes."""
    return _corpus(tmp_path_factory.mktemp("big") / "in", 300)


READER_GOES = [
    (["dedupe", "--jobs", "1"], "jsonl"), (["dedupe", "--jobs", "2"], "jsonl"), (["dedupe", "--jobs", "1"], "json"),
    (["dedupe", "--jobs", "1"], "text"), (["dedupe", "--jobs", "2"], "text"), (["dedupe", "--all"], "jsonl"),
    (["clean", "--jobs", "1"], "jsonl"), (["clean", "--jobs", "2"], "jsonl"), (["clean", "--jobs", "1"], "text"),
]


@pytest.mark.parametrize(("command", "fmt"), READER_GOES)
def test_a_reader_going_away_ends_the_run_quietly_with_141(big_corpus: Path, command: list[str], fmt: str) -> None:
    proc = _run_to([command[0], str(big_corpus), *command[1:], "--format", fmt, "-q"], subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()  # `| head -1`
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=300) == ExitCode.BROKEN_PIPE, err.decode(errors="replace")
    assert first
    assert err == b""


FULL = [(["dedupe", "--jobs", "1"], "jsonl"), (["dedupe", "--jobs", "2"], "jsonl"), (["dedupe"], "json"),
        (["dedupe"], "text"), (["clean"], "jsonl"), (["clean", "--jobs", "2"], "text")]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize(("command", "fmt"), FULL)
def test_a_full_disk_on_stdout_is_exit_4_with_one_line(big_corpus: Path, command: list[str], fmt: str) -> None:
    with open("/dev/full", "wb") as full:
        proc = _run_to([command[0], str(big_corpus), *command[1:], "--format", fmt, "-q"], full.fileno())
        _, err = proc.communicate(timeout=300)
    assert proc.returncode == ExitCode.OUTPUT_FAILED, err.decode(errors="replace")
    assert err.decode() == "error: cannot write standard output: No space left on device\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_disk_under_the_stats_file_names_it(tmp_path: Path) -> None:
    link = tmp_path / "stats.json"
    link.symlink_to("/dev/full")
    proc = _run_to(["dedupe", str(SEEDS), "-q", "--stats", str(link)], subprocess.DEVNULL)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == ExitCode.OUTPUT_FAILED, err
    assert err.decode().count("\n") == 1 and str(link) in err.decode(), err


def _run_stdout_closed(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """`cleanwire ARGS >&-`: the command starts with file descriptor 1 closed."""
    return subprocess.run(["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "cleanwire", *args],
                          stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, env=subprocess_env(), timeout=300)


@pytest.mark.parametrize("command", [["dedupe"], ["clean"], ["dedupe", "--jobs", "2"]])
def test_a_closed_stdout_is_exit_4_with_one_line(command: list[str]) -> None:
    done = _run_stdout_closed([command[0], str(SEEDS), *command[1:], "-q"])
    assert done.returncode == ExitCode.OUTPUT_FAILED, done.stderr.decode(errors="replace")
    assert done.stderr.decode() == "error: cannot write standard output: it is closed\n"


@pytest.mark.parametrize("command", [["dedupe"], ["clean"]])
def test_a_closed_stdout_with_an_output_dir_writes_the_folder_and_says_so(tmp_path: Path, command: list[str]) -> None:
    done = _run_stdout_closed([command[0], str(SEEDS), "--output-dir", str(tmp_path / "out"), "-q"])
    assert done.returncode == ExitCode.SUCCESS, done.stderr.decode(errors="replace")
    assert "standard output is closed" in done.stderr.decode()
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "001_145a5d41464ce8e0.txt" in written
    assert not [name for name in written if name.startswith(".")]


ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.mark.parametrize("command", ["clean", "dedupe"])
def test_error_lines_do_not_collide_with_the_live_bars(tmp_path: Path, command: str) -> None:
    corpus = _corpus(tmp_path / "in", 200)
    for i in range(0, 200, 9):
        (corpus / f"bad{i:04d}.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, _, err = run_on_terminal([command, str(corpus)], terminal="stderr")
    assert code == ExitCode.INPUT_ERRORS
    screen = ANSI.sub(b"", err).replace(b"\r\n", b"\n").decode()
    errors = [f"bad{i:04d}.txt: binary file (PNG image)" for i in range(0, 200, 9)]
    lines = [line.split("\r")[-1] for line in screen.split("\n")]
    found = [line for line in lines if line.startswith("error: ")]
    assert len(found) == len(errors), screen[-3000:]
    assert all(any(line.endswith(e) for line in found) for e in errors), screen[-3000:]


def test_every_stage_of_dedupe_shows_a_labelled_bar(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 60)
    code, out, err = run_on_terminal(["dedupe", str(corpus), "--format", "jsonl"], terminal="stderr")
    assert code == ExitCode.SUCCESS, err
    screen = ANSI.sub(b"", err).decode()
    for label in ("learning templates", "clean+fingerprint", "matching", "writing"):
        assert label in screen, label


def _stage_lines(err: bytes, label: str) -> list[str]:
    """Every rendering of the bar of stage `label` on the terminal, escape sequences removed."""
    screen = ANSI.sub(b"", err).decode(errors="replace")
    return [line[line.index(label):].rstrip() for line in re.split(r"[\r\n]", screen) if label in line]


def test_the_first_pass_shows_the_input_size_as_its_total(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 60)
    code, _, err = run_on_terminal(["dedupe", str(corpus), "--format", "jsonl"], terminal="stderr")
    assert code == ExitCode.SUCCESS, err
    size = sum(path.stat().st_size for path in corpus.iterdir())
    lines = _stage_lines(err, "learning templates")
    assert lines, ANSI.sub(b"", err).decode(errors="replace")[-2000:]
    assert all(f"/{size / 1000:,.1f} kB" in line for line in lines), lines
    # the next stage still counts documents, of the number the first pass found
    assert any(re.search(r"\b60/60\b", line) for line in _stage_lines(err, "clean+fingerprint")), err


def test_matching_and_writing_count_what_they_have_done_of_a_total(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "in", 60)  # 10 copies: documents 50-59 repeat 0-9
    code, _, err = run_on_terminal(["dedupe", str(corpus), "--format", "jsonl"], terminal="stderr")
    assert code == ExitCode.SUCCESS, err
    matching = _stage_lines(err, "matching")
    assert any(re.search(r"\b(\d+)/\1 pairs\b", line) for line in matching), matching
    writing = _stage_lines(err, "writing")
    assert any(re.search(r"\b50/50 stories\b", line) for line in writing), writing


@pytest.mark.parametrize(("jobs", "fmt"), [("1", "jsonl"), ("2", "jsonl"), ("1", "text")])
def test_writing_every_document_counts_documents(tmp_path: Path, jobs: str, fmt: str) -> None:
    corpus = _corpus(tmp_path / "in", 60)
    code, _, err = run_on_terminal(["dedupe", str(corpus), "--all", "--jobs", jobs, "--format", fmt],
                                   terminal="stderr")
    assert code == ExitCode.SUCCESS, err
    writing = _stage_lines(err, "writing")
    assert any(re.search(r"\b60/60 documents\b", line) for line in writing), writing


@pytest.mark.parametrize(("command", "stage"), [(["dedupe", "--no-templates"], "clean+fingerprint"),
                                                (["clean", "--no-clean"], "cleaning")])
def test_without_template_learning_the_first_pass_still_shows_a_total(tmp_path: Path, command: list[str],
                                                                     stage: str) -> None:
    corpus = _corpus(tmp_path / "in", 60)
    code, _, err = run_on_terminal([command[0], str(corpus), *command[1:], "--format", "jsonl"], terminal="stderr")
    assert code == ExitCode.SUCCESS, err
    size = sum(path.stat().st_size for path in corpus.iterdir())
    lines = _stage_lines(err, stage)
    assert lines and all(f"/{size / 1000:,.1f} kB" in line for line in lines), lines
    if command[0] == "dedupe":  # the matching stage after it counts pairs, not documents
        assert not any("/60" in line for line in _stage_lines(err, "matching")), _stage_lines(err, "matching")
