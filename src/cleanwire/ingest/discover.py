"""Arguments -> entries: the files that paths, folders, stdin and FIFOs stand for; one error entry per failure."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from cleanwire.config import IngestConfig
from cleanwire.ingest.failures import reason
from cleanwire.ingest.text import no_surrogates

STDIN_ARG = "-"
STDIN_ID = "stdin"

_CONTROL_ANY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_InodeKey = tuple[int, int]  # (device, inode): names one folder whatever the route to it


@dataclass(frozen=True, slots=True)
class Entry:
    """One file to read (or one failure found while listing), before reading."""

    id: str
    path: str  # what to open; "-" for stdin
    source: str  # what records and error lines name
    error: str | None = None
    spool: bool = False  # stdin, a FIFO: copied to a temporary file on first read
    in_folder: bool = False  # found inside a folder argument: read only when its format is recognised
    format: str | None = None  # "jsonl" for a decompressed piece of a large compressed file: read as it is


def find_entries(inputs: Sequence[str], cfg: IngestConfig, exclude: tuple[str, ...]) -> list[Entry]:
    """Every file the arguments stand for, outside the real paths `exclude`, sorted by (id, path)."""
    found: Iterator[Entry] = (entry for arg in inputs for entry in _expand(arg, cfg))
    if exclude:
        found = (entry for entry in found if not _excluded(entry.path, exclude))
    return _once_per_path(sorted(found, key=lambda e: (e.id, e.path)))


def _once_per_path(entries: list[Entry]) -> list[Entry]:
    """`entries` without a later spelling of a path already listed (`dir` and `dir/`, `a.txt` and `./a.txt`).

    The first entry in (id, path) order is kept, so the result does not depend on the order of the arguments.
    The folder is resolved (so `link/../a.txt` is where the link leads), the file name is not: a symlink or a
    hard link to a file is another input, as it is inside a folder.
    """
    seen: set[str] = set()
    folders: dict[str, str] = {}  # as spelled -> resolved: one realpath per folder, not per file
    kept = []
    for entry in entries:
        key = entry.path
        if key != STDIN_ARG:
            folder, name = os.path.split(key)
            if folder not in folders:
                folders[folder] = os.path.realpath(folder or ".")
            key = os.path.join(folders[folder], name)
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


def _excluded(path: str, exclude: tuple[str, ...]) -> bool:
    """Is `path` one of `exclude` or inside one of them?"""
    real = os.path.realpath(path)
    return any(real == other or real.startswith(other + os.sep) for other in exclude)


def _expand(arg: str, cfg: IngestConfig) -> Iterator[Entry]:
    """The files an argument stands for, or one error entry."""
    if arg == STDIN_ARG:
        yield Entry(STDIN_ID, STDIN_ARG, STDIN_ID, spool=True)
        return
    try:
        st = os.stat(arg)
    except (OSError, ValueError) as exc:
        yield _named(arg, arg, reason(exc))
        return
    if stat.S_ISDIR(st.st_mode):
        yield from _walk(arg, cfg.glob, st)
    elif stat.S_ISREG(st.st_mode) or stat.S_ISFIFO(st.st_mode):
        yield _named(arg, arg, spool=stat.S_ISFIFO(st.st_mode))  # a pipe, e.g. <(zcat x.gz), can be read once
    else:
        yield _named(arg, arg, "not a regular file")  # a device such as /dev/zero would never end


def _named(doc_id: str, path: str, error: str | None = None, spool: bool = False, in_folder: bool = False) -> Entry:
    """An entry whose id and source are printable: a file name that is not UTF-8 arrives with lone surrogates."""
    return Entry(no_surrogates(doc_id), path, _printable(path), error, spool, in_folder)


def _printable(path: str) -> str:
    """A path for one-line messages: control characters escaped, undecodable bytes replaced."""
    path = no_surrogates(path)
    return _CONTROL_ANY.sub(lambda m: repr(m.group())[1:-1], path) if _CONTROL_ANY.search(path) else path


def _walk(root: str, pattern: str | None, root_stat: os.stat_result) -> Iterator[Entry]:
    """Files under `root` (iterative, so deep trees do not hit the recursion limit), with ids relative to it."""
    root_key = (root_stat.st_dev, root_stat.st_ino)
    listed = {root_key}
    stack: list[tuple[str, str, tuple[_InodeKey, ...]]] = [("", root, (root_key,))]
    while stack:
        rel_dir, dir_path, parents = stack.pop()
        try:
            children = _sorted_children(dir_path)
        except OSError as exc:
            yield _named(rel_dir or root, dir_path, f"cannot list folder: {reason(exc)}")
            continue
        for child in children:
            if child.name.startswith("."):
                continue
            rel = f"{rel_dir}/{child.name}" if rel_dir else child.name
            try:
                if child.is_dir():
                    st = child.stat()
                    key = (st.st_dev, st.st_ino)
                    if key in parents:
                        yield _named(rel, child.path, "symlink loop: this folder links back to a parent")
                    elif key not in listed:
                        listed.add(key)
                        stack.append((rel, child.path, parents + (key,)))
                    continue
                if pattern is None or _glob_match(rel, child.name, pattern):
                    yield _file_entry(rel, child)
            except OSError as exc:
                if pattern is None or _glob_match(rel, child.name, pattern):
                    yield _named(rel, child.path, reason(exc))


def _sorted_children(dir_path: str) -> list[os.DirEntry[str]]:
    """The entries of a folder, sorted, real folders before symlinks to them (raises OSError)."""
    with os.scandir(dir_path) as it:
        # so a folder reached twice is read by the same route
        return sorted(it, key=lambda e: (e.is_symlink(), e.name))


def _file_entry(rel: str, child: os.DirEntry[str]) -> Entry:
    """The entry of a folder member that is not a folder: a file, or a named error (raises OSError)."""
    if child.is_file():
        return _named(rel, child.path, in_folder=True)
    os.stat(child.path)  # a symlink loop or a missing target raises its reason here
    return _named(rel, child.path, "not a regular file")


def _glob_match(rel: str, name: str, pattern: str) -> bool:
    """`*.txt` matches file names; a pattern with "/" matches the relative path ("**/" may match nothing)."""
    if "/" not in pattern:
        return fnmatchcase(name, pattern)
    return fnmatchcase(rel, pattern) or (pattern.startswith("**/") and fnmatchcase(rel, pattern[3:]))
