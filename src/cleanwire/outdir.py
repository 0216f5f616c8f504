"""The output folder: safe file names from any id, atomic writes, no escape, and interrupts that leave no debris.

Every write goes to a hidden temporary file in the folder, then `os.replace` renames it over the final
name, with SIGINT/SIGTERM held back for that moment: an interrupted run leaves only complete files, and
running it again rewrites the same names with the same content (writes are idempotent).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from cleanwire.process import interrupts_deferred

TEMP_PREFIX = ".cleanwire-tmp-"
MAX_NAME_BYTES = 150
_HASH_CHARS = 12
_DOTS = re.compile(r"\.{2,}")
# control characters, separators, what Windows forbids, bidi overrides (they disguise extensions), surrogates
_UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|\u202a-\u202e\u2066-\u2069\ud800-\udfff]')
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{dev}{n}" for dev in ("COM", "LPT") for n in ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"]]
)


def safe_filename(doc_id: str) -> str:
    """A portable file name for an id: no separators, "..", control characters or reserved names; ends in ".txt".

    An id that is already a safe name keeps it (`000_3ff1.txt` -> `000_3ff1.txt`, `a` -> `a.txt`); any id that
    had to be changed or shortened gets a hash of the full id appended, so two different ids never map to
    the same name by accident (`a/b` -> `a_b-<hash>.txt`, not `a_b.txt`).
    """
    stem = doc_id[:-4] if doc_id.endswith(".txt") else doc_id
    safe = unicodedata.normalize("NFC", _DOTS.sub("_", _UNSAFE_CHARS.sub("_", stem))).strip(" .")
    if safe.split(".")[0].upper().rstrip(" ") in _RESERVED or safe.startswith("-"):
        safe = "_" + safe  # a reserved device name on Windows, or a name a shell would read as an option
    changed = safe != stem or not safe
    budget = MAX_NAME_BYTES - len(".txt") - (1 + _HASH_CHARS)
    if len(safe.encode("utf-8")) > budget:
        safe = safe.encode("utf-8")[:budget].decode("utf-8", errors="ignore").rstrip(" .")
        changed = True
    if changed:
        digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
        safe = f"{safe}-{digest[:_HASH_CHARS]}" if safe else digest[:_HASH_CHARS]
    return safe + ".txt"


class OutputDir:
    """A folder that receives one .txt per story and a few JSON files, never anything outside it."""

    def __init__(self, path: str | Path, fsync: bool = False) -> None:
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root = self.root.resolve()
        self._fsync = fsync  # only power loss needs it; interrupts are covered by the rename
        self._owners: dict[int, int] = {}  # hash of a case-folded file name -> hash of the id written there
        mask = os.umask(0)
        os.umask(mask)
        self._mode = 0o666 & ~mask
        self.cleanup_temp()

    def write_text(self, doc_id: str, text: str) -> Path:
        """Write `text` (plus a final newline) atomically under a name made from `doc_id`; return its path."""
        name = self._claim(doc_id)
        body = text if text.endswith("\n") or not text else text + "\n"
        return self._write_atomic(name, body.encode("utf-8", errors="replace"))

    def write_json(self, name: str, obj: Any) -> Path:
        """Write `obj` as indented JSON atomically, e.g. clusters.json; `name` must be a plain file name."""
        if name != os.path.basename(name) or name in ("", ".", "..") or _UNSAFE_CHARS.search(name):
            raise ValueError(f"not a plain file name: {name!r}")
        data = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
        return self._write_atomic(name, data.encode("utf-8", errors="replace"))

    def cleanup_temp(self) -> None:
        """Remove temporary files an earlier, killed run left behind."""
        with os.scandir(self.root) as it:
            for entry in it:
                if entry.name.startswith(TEMP_PREFIX):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)

    def _claim(self, doc_id: str) -> str:
        """The file name for an id: safe_filename, or it plus the id's hash when a name differing only in case
        (or Unicode normal form) belongs to another id. The first id to ask keeps the plain name; the same id
        asking again gets the same name."""
        me = _digest(doc_id)
        name = safe_filename(doc_id)
        tag = f"{me:016x}"[:_HASH_CHARS]
        tagged = (_tagged(name, f"-{tag}-{n}" if n else f"-{tag}") for n in itertools.count())
        candidates = itertools.chain([name], tagged)
        for candidate in candidates:
            # keys and owners are 64-bit hashes: a million names cost tens of MB, not hundreds
            if self._owners.setdefault(_digest(_fold(candidate)), me) == me:
                return candidate
        raise AssertionError("unreachable")

    def _write_atomic(self, name: str, data: bytes) -> Path:
        """Write `data` to a temporary file in the folder, then rename it to `name`, interrupts held back."""
        target = self.root / name
        if target.parent != self.root or name in (".", ".."):  # cannot happen with safe names; checked anyway
            raise ValueError(f"refusing to write outside {self.root}: {name!r}")
        with interrupts_deferred():
            fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    if hasattr(os, "fchmod"):
                        os.fchmod(out.fileno(), self._mode)
                    if self._fsync:
                        out.flush()
                        os.fsync(out.fileno())
                os.replace(tmp, target)  # replaces a symlink itself, never follows it out of the folder
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        return target


def _tagged(name: str, suffix: str) -> str:
    """`name` with `suffix` before ".txt", shortened so the whole stays within MAX_NAME_BYTES."""
    budget = MAX_NAME_BYTES - len(".txt") - len(suffix.encode("utf-8"))
    base = name[: -len(".txt")].encode("utf-8")[:budget].decode("utf-8", errors="ignore")
    return f"{base}{suffix}.txt"


def _digest(text: str) -> int:
    """A 64-bit hash of `text`, lone surrogates included."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")


def _fold(name: str) -> str:
    """How a case-insensitive, normalising file system (Windows, macOS) compares names."""
    return unicodedata.normalize("NFC", name).casefold()
