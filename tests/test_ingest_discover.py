"""Ingest discovery: ids from paths, a deterministic order, hidden files, globs, symlinks, special files."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import SEEDS, STORY, by_id, one, read

from cleanwire.config import IngestConfig
from cleanwire.ingest import InputSet, discover, reader


def test_folder_ids_are_relative_paths_and_file_ids_are_as_given() -> None:
    docs = read([SEEDS])
    assert [d.id for d in docs] == sorted(p.name for p in SEEDS.iterdir())
    assert all(d.error is None and d.kind == "text" and d.text for d in docs)
    assert docs[0].source == str(SEEDS / docs[0].id)
    given = str(SEEDS / "000_3ff13f3d5dec7158.txt")
    assert one([given]).id == given


def test_nested_folder_ids_use_slashes_and_hidden_entries_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(STORY)
    (tmp_path / ".hidden.txt").write_text(STORY)
    (tmp_path / "b" / "c" / "deep.txt").write_text(STORY)
    (tmp_path / "a.txt").write_text(STORY)
    assert [d.id for d in read([tmp_path])] == ["a.txt", "b/c/deep.txt"]


def test_order_does_not_depend_on_argument_order(tmp_path: Path) -> None:
    for name in ("z.txt", "m.txt", "a.txt"):
        (tmp_path / name).write_text(f"{name}: {STORY}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "k.txt").write_text(STORY)
    args = [tmp_path / "z.txt", tmp_path / "sub", tmp_path / "a.txt", tmp_path / "m.txt"]
    first = [(d.id, d.text) for d in read(args)]
    assert first == [(d.id, d.text) for d in read(list(reversed(args)))]
    assert first == [(d.id, d.text) for d in read(args[1:] + args[:1])]


def test_glob_filters_files_inside_folders_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.html", "sub/c.txt", "sub/d.md"):
        (tmp_path / name).write_text(STORY)
    assert [d.id for d in read([tmp_path], glob="*.txt")] == ["a.txt", "sub/c.txt"]
    assert [d.id for d in read([tmp_path], glob="sub/*")] == ["sub/c.txt", "sub/d.md"]
    assert [d.id for d in read([tmp_path], glob="**/*.txt")] == ["a.txt", "sub/c.txt"]
    explicit = tmp_path / "b.html"
    assert [d.id for d in read([explicit], glob="*.txt")] == [str(explicit)]


@pytest.mark.skipif(os.name != "posix", reason="byte file names")
def test_file_names_that_are_not_utf8_get_printable_ids(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(name, "wb") as out:
        out.write(STORY.encode())
    doc = one([tmp_path])
    assert doc.text == STORY and doc.id == "caf\ufffd.txt"
    doc.id.encode("utf-8")
    doc.source.encode("utf-8")


def test_sources_are_one_line_whatever_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "two\nlines.txt").write_text(STORY)
    doc = one([tmp_path])
    assert doc.id == "two\nlines.txt" and doc.source == f"{tmp_path}/two\\nlines.txt"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_special_files_inside_folders_are_named_errors(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.txt").write_text(STORY)
    docs = by_id(read([tmp_path]))
    assert docs["pipe"].error == "not a regular file" and docs["a.txt"].text == STORY


def test_deep_folder_tree(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(200):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "story.txt").write_text(STORY)
    assert one([tmp_path]).id == "d/" * 200 + "story.txt"


def test_missing_path_is_one_error(tmp_path: Path) -> None:
    doc = one([tmp_path / "nope.txt"])
    assert doc.error == "no such file or directory (or a broken symlink)"
    assert doc.id == str(tmp_path / "nope.txt")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "story.txt").write_text(STORY)
    os.symlink("..", corpus / "sub" / "up")  # a folder cycle
    os.symlink("self", corpus / "self")  # a link to itself
    os.symlink("missing.txt", corpus / "dangling.txt")
    os.symlink("sub", corpus / "again")  # the same folder by another route: read once
    docs = by_id(read([corpus]))
    assert docs["sub/story.txt"].text == STORY
    assert docs["sub/up"].error == "symlink loop: this folder links back to a parent"
    assert docs["self"].error == "too many levels of symbolic links"
    assert docs["dangling.txt"].error == "no such file or directory (or a broken symlink)"
    assert set(docs) == {"sub/story.txt", "sub/up", "self", "dangling.txt"} or set(docs) == {
        "again/story.txt", "again/up", "self", "dangling.txt"}
    loop_arg = one([corpus / "self"])
    assert loop_arg.error == "too many levels of symbolic links"


def test_folder_of_100000_small_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = 100_000
    for shard in range(10):
        folder = f"{tmp_path}/s{shard}"
        os.mkdir(folder)
        source = f"{tmp_path}/.story{shard}"
        Path(source).write_text(f"Story {shard}. {STORY}")
        for i in range(shard, n, 10):
            # hard links: creating 100,000 new inodes can take 20 s on a fresh ext4 volume, linking takes 1 s
            try:
                os.link(source, f"{folder}/{i:06d}.txt")
            except OSError:
                shutil.copyfile(source, f"{folder}/{i:06d}.txt")
    # counted, not timed: every folder listed once, every file opened once
    opened: Counter[str] = Counter()
    listed: list[str] = []
    scandir = os.scandir
    monkeypatch.setattr(reader, "open", lambda path, *a, **k: opened.update([path]) or open(path, *a, **k),
                        raising=False)
    monkeypatch.setattr(discover.os, "scandir", lambda path: listed.append(path) or scandir(path))
    count = 0
    last = ""
    with InputSet([str(tmp_path)], IngestConfig()) as inputs:
        for doc in inputs.documents():
            assert doc.error is None and doc.id > last
            last = doc.id
            count += 1
    assert count == n
    assert len(opened) == n and set(opened.values()) == {1}
    assert sorted(listed) == sorted([str(tmp_path)] + [f"{tmp_path}/s{shard}" for shard in range(10)])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=8))
def test_every_file_of_a_folder_comes_out_once(contents: list[bytes]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(contents):
            Path(folder, f"{i}.txt").write_bytes(data)
        docs = read([folder])
    assert [d.id for d in docs] == sorted(f"{i}.txt" for i in range(len(contents)))
    assert all((d.error is None) == bool(d.text) for d in docs)


def test_device_arguments_are_refused() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    assert one(["/dev/zero"]).error == "not a regular file"


def test_two_spellings_of_one_path_are_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dir" / "sub").mkdir(parents=True)
    (tmp_path / "dir" / "x.txt").write_text("x " + STORY)
    (tmp_path / "dir" / "sub" / "y.txt").write_text("y " + STORY)
    (tmp_path / "a.txt").write_text("a " + STORY)
    monkeypatch.chdir(tmp_path)
    assert [d.id for d in read(["dir", "dir/"])] == ["sub/y.txt", "x.txt"]
    assert [d.id for d in read(["dir/", "./dir", str(tmp_path / "dir"), "dir/sub/.."])] == ["sub/y.txt", "x.txt"]
    assert [d.id for d in read(["a.txt", "./a.txt"])] == ["./a.txt"]
    assert [d.id for d in read([str(tmp_path / "a.txt"), "dir/../a.txt", "./a.txt"])] == ["./a.txt"]
    os.symlink("a.txt", "link.txt")  # a link to a file is another input, as it is inside a folder
    assert [d.id for d in read(["a.txt", "link.txt"])] == ["a.txt", "link.txt"]
    # a file reached by two arguments is one input, under the first of its ids in sorted order
    assert [d.id for d in read(["dir", "dir/sub"])] == ["sub/y.txt", "x.txt"]
    assert [d.id for d in read(["missing.txt", "./missing.txt"])] == ["./missing.txt"]
