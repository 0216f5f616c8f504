"""The output folder: safe file names from any id, atomic writes, no escape, and interrupts that leave no debris.

A run holds a lock on the folder (`flock` on the folder itself) while it writes there: a second run in the same
folder fails at once instead of deleting the first one's in-flight temporary files.

Every write goes to a hidden temporary file in the folder, then `os.replace` renames it over the final
name, with SIGINT/SIGTERM held back for that moment: an interrupted run leaves only complete files, and
running it again rewrites the same names with the same content (writes are idempotent).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import json
import os
import re
import stat
import tempfile
import unicodedata
import weakref
from pathlib import Path
from typing import Any

from cleanwire.errors import CleanwireError
from cleanwire.process import interrupts_deferred

try:
    import fcntl
except ImportError:  # Windows: no lock
    fcntl = None  # type: ignore[assignment]

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


class OutputDirBusy(CleanwireError, OSError):
    """Another run holds the output folder's lock (an OSError: the output cannot be written, exit code 4)."""


class OutputDir:
    """A folder that receives one .txt per story and a few JSON files, never anything outside it.

    Opening it takes the folder's lock (`OutputDirBusy` when another run holds it), removes the temporary files
    a killed run left, and checks that a file can be created there, so a read-only folder is found before any
    work. `close` (or garbage collection) releases the lock.
    """

    def __init__(self, path: str | Path, fsync: bool = False) -> None:
        self.root = Path(path)
        self.root.mkdir(parents=True, exist_ok=True)
        self.root = self.root.resolve()
        self._fsync = fsync  # only power loss needs it; interrupts are covered by the rename
        self._owners: dict[int, int] = {}  # hash of a case-folded file name -> hash of the id written there
        mask = os.umask(0)
        os.umask(mask)
        self._mode = 0o666 & ~mask
        self._lock = _lock_folder(self.root)
        self._release = weakref.finalize(self, _close_fd, self._lock)
        self.cleanup_temp()
        self._check_writable()

    @property
    def files_written(self) -> int:
        """How many distinct files write_text wrote."""
        return len(self._owners)

    def close(self) -> None:
        """Release the folder's lock."""
        self._release()

    def write_text(self, doc_id: str, text: str, source: str | None = None) -> Path:
        """Write `text` (plus a final newline) atomically under a name made from `doc_id`; return its path.

        A document read from a file named on the command line (its id is the path given, `source`) is named after
        the file, not its whole path: `../x/a.txt` -> `a.txt` (with the id's hash only when that name is taken).
        """
        name = self._claim(doc_id, _readable_stem(doc_id, source))
        body = text if text.endswith("\n") or not text else text + "\n"
        return self._write_atomic(name, body.encode("utf-8", errors="replace"))

    def write_json(self, name: str, obj: Any) -> Path:
        """Write `obj` as indented JSON atomically, e.g. clusters.json; `name` must be a plain file name."""
        if name != os.path.basename(name) or name in ("", ".", "..") or _UNSAFE_CHARS.search(name):
            raise ValueError(f"not a plain file name: {name!r}")
        data = json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
        return self._write_atomic(name, data.encode("utf-8", errors="replace"))

    def _check_writable(self) -> None:
        """Create and remove a temporary file: a read-only folder fails now, not after the work."""
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=self.root)
        os.close(fd)
        os.unlink(tmp)

    def leftovers(self) -> list[str]:
        """The names in the folder (an earlier run's files, anything else), sorted."""
        with os.scandir(self.root) as it:
            return sorted(entry.name for entry in it if not entry.name.startswith(TEMP_PREFIX))

    def clear_earlier_run(self, index: str = "clusters.json") -> int:
        """Remove what an earlier run wrote and listed: the files `index` names, then `index`; return how many.

        Only plain names directly in the folder, only files or links (a link is removed, never followed); any
        other file stays. An index that is not a list of {"file": name} removes nothing but itself.
        """
        try:  # never through a link: a planted clusters.json must not name files elsewhere
            with open(os.open(self.root / index, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as f:
                listed = json.loads(f.read())
        except FileNotFoundError:
            return 0
        except (OSError, ValueError):
            listed = []
        names = {item["file"] for item in listed if isinstance(item, dict) and isinstance(item.get("file"), str)} \
            if isinstance(listed, list) else set()
        removed = 0
        for name in sorted(names) + [index]:
            if name != os.path.basename(name) or name in ("", ".", "..") or _UNSAFE_CHARS.search(name):
                continue
            with contextlib.suppress(OSError):
                if not stat.S_ISDIR(os.lstat(self.root / name).st_mode):
                    os.unlink(self.root / name)
                    removed += 1
        return removed

    def cleanup_temp(self) -> None:
        """Remove temporary files an earlier, killed run left behind."""
        with os.scandir(self.root) as it:
            for entry in it:
                if entry.name.startswith(TEMP_PREFIX):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)

    def _claim(self, doc_id: str, stem: str | None = None) -> str:
        """The file name for an id: safe_filename (of `stem` when given), or it plus the id's hash when a name
        differing only in case (or Unicode normal form) belongs to another id. The first id to ask keeps the plain
        name; the same id asking again gets the same name."""
        me = _digest(doc_id)
        name = safe_filename(doc_id if stem is None else stem)
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


def _lock_folder(root: Path) -> int | None:
    """An open descriptor of `root` holding an exclusive flock, or OutputDirBusy when another run holds it."""
    if fcntl is None:
        return None
    fd = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise OutputDirBusy(f"another cleanwire run is writing to {root}/ (wait for it to end, or choose "
                                f"another --output-dir)") from None
        return None  # a file system without flock: no lock, as before
    return fd


def _close_fd(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def _readable_stem(doc_id: str, source: str | None) -> str | None:
    """The file's own name for a document whose id is the path of a file named on the command line, else None."""
    if source is None or doc_id != source:
        return None
    name = os.path.basename(doc_id.replace("\\", "/") if os.sep == "\\" else doc_id)
    return name if name and name != doc_id and name not in (".", "..") else None


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
