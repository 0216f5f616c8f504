"""The output folder: safe names, no escape, atomic writes, interrupts that leave no half-written file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

import pytest
from conftest import subprocess_env
from hypothesis import given, settings
from hypothesis import strategies as st

from cleanwire.outdir import MAX_NAME_BYTES, TEMP_PREFIX, OutputDir, safe_filename

RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{n}" for d in ("COM", "LPT") for n in "0123456789¹²³"}


def assert_safe(name: str) -> None:
    assert name.endswith(".txt")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert ".." not in name and not name.startswith((".", " ", TEMP_PREFIX))
    assert not any(unicodedata.category(ch) == "Cc" for ch in name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.split(".")[0].upper().strip() not in RESERVED
    name.encode("utf-8")  # no lone surrogates


@pytest.mark.parametrize(
    "doc_id",
    ["../../etc/passwd", "..", ".", "", "/abs/path/x", "C:\\Windows\\system.ini", "a\x00b", "line\nbreak",
     "x" * 300, "é" * 300, "CON", "con.txt", "Aux", "COM1.story", "lpt9", "nul.tar.gz", " .hidden", "trailing. ",
     "a\ud800b", "\u202egnp.txt", "a/../../b", "?*<>|:\"", "\x7f\x85"],
)
def test_safe_filename_on_hostile_ids(doc_id: str) -> None:
    assert_safe(safe_filename(doc_id))


def test_safe_filename_keeps_plain_ids_and_hashes_changed_ones() -> None:
    assert safe_filename("000_3ff13f3d5dec7158.txt") == "000_3ff13f3d5dec7158.txt"
    assert safe_filename("story-1") == "story-1.txt"
    assert safe_filename("a.TXT") == "a.TXT.txt"
    assert safe_filename("a/b") != safe_filename("a_b") == "a_b.txt"
    assert safe_filename("a/b").startswith("a_b-")
    long_a, long_b = "x" * 300, "x" * 299 + "y"
    assert safe_filename(long_a) != safe_filename(long_b)
    assert safe_filename(long_a) == safe_filename(long_a)  # a pure function of the id


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_safe_filename_property(doc_id: str) -> None:
    assert_safe(safe_filename(doc_id))


def test_hostile_ids_never_escape_and_never_collide(tmp_path: Path) -> None:
    out = OutputDir(tmp_path / "out")
    ids = ["../escape", "../../escape2", "/tmp/abs_escape", "a\x00b", "x" * 300, "x" * 299 + "y", "CON", "con",
           "Story", "story", "STORY", "ß", "ss", "SS", "e\u0301", "\u00e9", "a", "a.txt", "..", "", "sub/dir/file"]
    paths = {doc_id: out.write_text(doc_id, f"text of {doc_id!r}") for doc_id in ids}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    names = [p.name for p in paths.values()]
    folded = {unicodedata.normalize("NFC", n).casefold() for n in names}
    assert len(folded) == len(ids)  # distinct even on case-insensitive, normalising file systems
    for doc_id, path in paths.items():
        assert path.parent == (tmp_path / "out").resolve()
        assert_safe(path.name)
        assert path.read_text() == f"text of {doc_id!r}\n"
    assert paths["Story"].name == "Story.txt" and paths["story"].name.startswith("story-")
    assert out.write_text("story", "again") == paths["story"]  # the same id keeps its name
    long_a, long_b = "Y" * 300, "y" * 300
    for doc_id in (long_a, long_b):
        path = out.write_text(doc_id, doc_id)
        assert_safe(path.name)
        assert path.read_text() == doc_id + "\n"
    assert out.write_text(long_a, "a") != out.write_text(long_b, "b")


def test_same_id_twice_writes_the_same_file(tmp_path: Path) -> None:
    out = OutputDir(tmp_path)
    first = out.write_text("Story", "one")
    assert out.write_text("Story", "two") == first and first.read_text() == "two\n"


def test_symlink_planted_in_the_folder_is_replaced_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    (tmp_path / "out").mkdir()
    os.symlink(outside, tmp_path / "out" / "evil.txt")
    path = OutputDir(tmp_path / "out").write_text("evil.txt", "clean text")
    assert outside.read_text() == "precious"
    assert not path.is_symlink() and path.read_text() == "clean text\n"


def test_write_json_is_atomic_and_checks_its_name(tmp_path: Path) -> None:
    out = OutputDir(tmp_path)
    path = out.write_json("clusters.json", [{"id": "é", "duplicates": []}])
    assert json.loads(path.read_text(encoding="utf-8")) == [{"id": "é", "duplicates": []}]
    for bad in ("../x.json", "/tmp/x.json", "", "..", "a\x00.json", "sub/x.json"):
        with pytest.raises(ValueError):
            out.write_json(bad, {})
    assert [p.name for p in tmp_path.iterdir()] == ["clusters.json"]


def test_cleanup_temp_and_a_failed_write_leave_nothing(tmp_path: Path) -> None:
    (tmp_path / f"{TEMP_PREFIX}leftover").write_text("half")
    (tmp_path / "keep.txt").write_text("mine")
    out = OutputDir(tmp_path)  # cleans at start
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]
    (tmp_path / "dir.txt").mkdir()  # the target name is taken by a folder: the write fails cleanly
    with pytest.raises(OSError):
        out.write_text("dir.txt", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir.txt", "keep.txt"]


def test_files_get_normal_permissions(tmp_path: Path) -> None:
    mask = os.umask(0o022)
    try:
        path = OutputDir(tmp_path).write_text("a", "x")
    finally:
        os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o644


WRITER = textwrap.dedent(
    """
    import sys
    from cleanwire.outdir import OutputDir
    from cleanwire.process import install_signal_handlers
    install_signal_handlers()
    out = OutputDir(sys.argv[1])
    body = "line of a story\\n" * 20000
    try:
        for round in range(int(sys.argv[2])):
            for i in range(200):
                out.write_text(f"doc-{i}", f"{i}\\n{body}END {i}\\n")
            if round == 0:
                print("ready", flush=True)
    except KeyboardInterrupt:
        sys.exit(130)
    print("done", flush=True)
    """
)


def _check_complete(folder: Path) -> int:
    names = sorted(os.listdir(folder))
    assert not [n for n in names if n.startswith(TEMP_PREFIX)], names
    for name in names:
        text = (folder / name).read_text()
        i = int(text.split("\n", 1)[0])
        assert name == f"doc-{i}.txt" and text.endswith(f"END {i}\n") and len(text) == len(f"{i}\n") + 320000 + len(
            f"END {i}\n"), name
    return len(names)


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_interrupted_run_leaves_only_complete_files_and_a_rerun_completes(tmp_path: Path, signum: int) -> None:
    env = subprocess_env()
    folder = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), "1000"], stdout=subprocess.PIPE, env=env,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    time.sleep(0.05)
    proc.send_signal(signum)
    assert proc.wait(timeout=30) == 130
    assert _check_complete(folder) == 200
    done = subprocess.run([sys.executable, "-c", WRITER, str(folder), "1"], capture_output=True, env=env, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.endswith("done\n")
    assert _check_complete(folder) == 200


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_killed_run_leftovers_are_cleaned_by_the_next_run(tmp_path: Path) -> None:
    env = subprocess_env()
    folder = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(folder), "1000"], stdout=subprocess.PIPE, env=env,
                            text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    proc.kill()  # SIGKILL cannot be handled: a temporary file may remain, never a half-written final file
    proc.wait(timeout=30)
    assert len([n for n in os.listdir(folder) if not n.startswith(TEMP_PREFIX)]) == 200
    OutputDir(folder)
    assert _check_complete(folder) == 200


def test_a_name_a_shell_would_read_as_an_option_gets_a_prefix() -> None:
    name = safe_filename("-rf")
    assert not name.startswith("-") and name.endswith(".txt")
