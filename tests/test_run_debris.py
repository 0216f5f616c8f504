"""What a killed or cut-short run leaves behind: worker processes whose parent is gone, temporary folders in
$TMPDIR, the engine's state files. Real processes, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import paragraphs, subprocess_env

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux processes and /proc")


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    """Poll `condition` for up to `timeout` seconds (generous: the machine may be busy)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(args: list[str], tmpdir: Path, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """`cleanwire ARGS` reading a stdin pipe the test holds open (so the run waits on it)."""
    return subprocess.Popen([sys.executable, "-m", "cleanwire", *args], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=subprocess_env(tmpdir), cwd=cwd)


def debris(tmpdir: Path) -> list[str]:
    return sorted(p.name for p in tmpdir.iterdir() if p.name.startswith("cleanwire"))


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()


def test_workers_end_when_only_the_main_process_is_killed(tmp_path: Path) -> None:
    process = start(["dedupe", "-", "--jobs", "2", "-q"], tmp_path)
    workers: list[int] = []
    try:
        wait_until(lambda: len(children(process.pid)) >= 2, "the workers to start")
        workers = children(process.pid)
        process.kill()  # what the OOM killer does: the main process only
        process.wait()
        wait_until(lambda: not any(alive(pid) for pid in workers), "the orphaned workers to exit")
    finally:
        stop(process)
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
