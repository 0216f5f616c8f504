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


def test_a_killed_runs_temporary_folders_are_removed_by_the_next_run_and_a_live_runs_never(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    story = "\n\n".join(paragraphs(1)).encode()
    killed = start(["dedupe", "-", "--jobs", "2", "-q"], tmpdir)
    assert killed.stdin is not None
    killed.stdin.write(story)
    killed.stdin.flush()
    workers: list[int] = []
    try:
        wait_until(lambda: any("spool" in name for name in debris(tmpdir)), "stdin to be spooled")
        workers = children(killed.pid)
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait()
    finally:
        stop(killed)
        for pid in workers:  # they end by themselves; this is only for a failing run of the test
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    left = debris(tmpdir)
    assert left  # what SIGKILL leaves: the copy of stdin (and the spill, when it got that far)
    time.sleep(0.5)  # the orphaned workers, if any, end (they hold nothing of the debris)

    live = start(["dedupe", "-", "-q"], tmpdir)  # starts, removes the dead run's debris, waits on its stdin
    assert live.stdin is not None
    live.stdin.write(story)
    live.stdin.flush()
    try:
        wait_until(lambda: not set(left) & set(debris(tmpdir)), "the dead run's debris to go")
        wait_until(lambda: bool(debris(tmpdir)), "the live run's own temporary folder")
        mine = debris(tmpdir)
        (tmp_path / "a.txt").write_text(story.decode())
        third = subprocess.run([sys.executable, "-m", "cleanwire", "dedupe", str(tmp_path / "a.txt"), "-q"],
                               capture_output=True, env=subprocess_env(tmpdir), timeout=120)
        assert third.returncode == 0, third.stderr
        assert set(mine) <= set(debris(tmpdir))  # a live run's folders are never removed
        _, err = live.communicate(timeout=120)
        assert live.returncode == 0, err
    finally:
        stop(live)
    assert debris(tmpdir) == []


def test_a_reader_going_away_leaves_no_state_file(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(400):
        (docs / f"d{n:04d}.txt").write_text("\n\n".join(paragraphs(n, count=4)), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "cleanwire", "clean", str(docs), "-j", "2", "--format",
                                "jsonl"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=subprocess_env(tmpdir))
    assert process.stdout is not None
    assert process.stdout.readline()  # `| head -1`
    process.stdout.close()
    try:
        process.wait(timeout=120)
    finally:
        stop(process)
    assert process.returncode == 141
    assert debris(tmpdir) == []


def test_sweep_removes_only_folders_whose_lock_nobody_holds(tmp_path: Path) -> None:
    from cleanwire.scratch import LOCK_NAME, ScratchDir, sweep

    live = ScratchDir(".spill", str(tmp_path))
    dead = tmp_path / "cleanwire-999999-dead.spill"  # what a killed run leaves: its lock file, nobody holding it
    dead.mkdir()
    (dead / LOCK_NAME).touch()
    (dead / "segment.jsonl").write_text("{}\n")
    unlocked = tmp_path / "cleanwire-old.spill"  # an older version's folder: no lock, cannot tell, left alone
    unlocked.mkdir()
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / LOCK_NAME).touch()
    assert sweep(str(tmp_path)) == [str(dead)]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([Path(live.path).name, unlocked.name, "notes"])
    live.close()
    assert not Path(live.path).exists()
