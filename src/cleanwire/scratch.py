"""Temporary folders in $TMPDIR that a later run can tell from a dead run's debris, and removes.

Each folder (`cleanwire-<pid>-<random><kind>`: the spill, the copy of stdin, the engine's state files) holds a
`.lock` file on which its run keeps an exclusive `flock` until it removes the folder. The lock goes with the
process, however it ends: a later run that can take the lock of such a folder knows its run is dead (killed
with SIGKILL, by the OOM killer, by a power cut) and removes the folder; a live run's folder is never touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref

try:
    import fcntl
except ImportError:  # Windows: folders are still removed by their own run, never swept
    fcntl = None  # type: ignore[assignment]

PREFIX = "cleanwire-"
LOCK_NAME = ".lock"


class ScratchDir:
    """A private temporary folder, locked while this process lives; `close` (or garbage collection) removes it."""

    def __init__(self, kind: str, directory: str | None = None) -> None:
        self.path = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", suffix=kind, dir=directory)
        self._fd: int | None = None
        if fcntl is not None:
            # locked under another name first, then renamed: a sweeper never sees an unlocked `.lock`
            fd, pending = tempfile.mkstemp(prefix=".lock-", dir=self.path)
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.rename(pending, os.path.join(self.path, LOCK_NAME))
            self._fd = fd
        self._finalizer = weakref.finalize(self, _remove, self.path, self._fd)

    def close(self) -> None:
        """Remove the folder and everything in it."""
        self._finalizer()


def _remove(path: str, fd: int | None) -> None:
    shutil.rmtree(path, ignore_errors=True)
    if fd is not None:
        with contextlib.suppress(OSError):
            os.close(fd)


def sweep(directory: str | None = None) -> list[str]:
    """Remove the temporary folders of cleanwire runs that are dead from `directory` ($TMPDIR); return them.

    Only folders named like a ScratchDir that hold a `.lock` nobody holds: never a live run's, never anything
    else (an older version's folders have no lock and are left alone).
    """
    if fcntl is None:
        return []
    root = directory or tempfile.gettempdir()
    removed = []
    try:
        entries = [entry for entry in os.scandir(root) if entry.name.startswith(PREFIX)]
    except OSError:
        return []
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            fd = os.open(os.path.join(entry.path, LOCK_NAME), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)  # held: its run is alive
            continue
        try:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.path)
        finally:
            os.close(fd)
    return removed
