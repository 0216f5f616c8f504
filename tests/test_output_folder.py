"""The --output-dir folder as a whole: an earlier run's files, --overwrite, the lock, what was written, and the
--errors/--stats files around it."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import SEED_EXCERPT, SEED_FULL, SEED_OTHER, SEEDS, jsonl, run_cli, run_process

from cleanwire.outdir import TEMP_PREFIX, OutputDir


def listed(folder: Path) -> set[str]:
    return {story["file"] for story in json.loads((folder / "clusters.json").read_text())}


def test_a_folder_with_an_earlier_runs_files_is_refused_without_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("dedupe", SEEDS, "--output-dir", out, "-q")[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, stdout, stderr = run_cli("dedupe", SEEDS / SEED_OTHER, "--output-dir", out, "-q")
    assert code == 2 and stdout == ""
    assert "not empty" in stderr and "--overwrite" in stderr and str(out) in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing touched
    code, _, stderr = run_cli("clean", SEEDS / SEED_OTHER, "--output-dir", out, "-q")
    assert code == 2 and "--overwrite" in stderr


def test_overwrite_clears_what_cleanwire_listed_and_never_other_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("dedupe", SEEDS, "--output-dir", out, "-q")[0] == 0
    assert len(listed(out)) == 2
    (out / "notes.md").write_text("mine\n")
    (out / "clusters.json.bak").write_text("mine too\n")
    code, _, stderr = run_cli("dedupe", SEEDS / SEED_OTHER, "--output-dir", out, "--overwrite")
    assert code == 0, stderr
    assert listed(out) == {SEED_OTHER}
    assert sorted(p.name for p in out.iterdir()) == sorted([SEED_OTHER, "clusters.json", "notes.md",
                                                            "clusters.json.bak"])
    assert (out / "notes.md").read_text() == "mine\n"


def test_overwrite_never_follows_a_listed_name_out_of_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    (out / "clusters.json").write_text(json.dumps([{"id": "x", "file": "../victim.txt"},
                                                   {"id": "y", "file": "sub"}]))
    (out / "sub").mkdir()
    assert run_cli("dedupe", SEEDS / SEED_OTHER, "--output-dir", out, "--overwrite", "-q")[0] == 0
    assert victim.read_text() == "keep\n" and (out / "sub").is_dir()


def test_the_run_says_what_it_wrote_except_under_quiet(tmp_path: Path) -> None:
    code, _, stderr = run_cli("dedupe", SEEDS, "--output-dir", tmp_path / "d")
    assert code == 0 and f"wrote 2 stories to {tmp_path / 'd'}/" in stderr
    code, _, stderr = run_cli("clean", SEEDS, "--output-dir", tmp_path / "c")
    assert code == 0 and f"wrote 3 documents to {tmp_path / 'c'}/" in stderr
    code, _, stderr = run_cli("dedupe", SEEDS, "--output-dir", tmp_path / "q", "-q")
    assert code == 0 and stderr == ""


def test_files_named_on_the_command_line_get_their_own_name(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (tmp_path / "x").mkdir()
    work.mkdir()
    shutil.copy(SEEDS / SEED_OTHER, tmp_path / "x" / "a.txt")
    shutil.copy(SEEDS / SEED_FULL, tmp_path / "x" / "b.txt")
    code = run_process("clean", "../x/a.txt", str(tmp_path / "x" / "b.txt"), "--output-dir", "out", "-q",
                       cwd=work).returncode
    assert code == 0
    assert sorted(os.listdir(work / "out")) == ["a.txt", "b.txt"]
    # the same name twice: the first keeps it, the other gets the hash of its id
    (tmp_path / "y").mkdir()
    shutil.copy(SEEDS / SEED_EXCERPT, tmp_path / "y" / "a.txt")
    code = run_process("dedupe", "../x/a.txt", "../y/a.txt", "--output-dir", "out2", "-q", cwd=work).returncode
    names = sorted(os.listdir(work / "out2"))
    assert code == 0 and len(names) == 3 and {"a.txt", "clusters.json"} < set(names)
    assert listed(work / "out2") == {"a.txt", next(n for n in names if n.startswith("a-"))}


def test_stats_dash_writes_one_json_line_after_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = run_cli("dedupe", SEEDS, "--stats", "-", "-q")
    assert code == 0
    lines = stdout.splitlines()
    assert len(lines) == 3 and not Path("-").exists()
    assert [r["id"] for r in jsonl("\n".join(lines[:2]))] == [SEED_FULL, SEED_OTHER]
    stats = json.loads(lines[-1])
    assert stats["exit_code"] == 0 and "wall_seconds" in stats
    code, stdout, _ = run_cli("clean", SEEDS, "--stats", "-", "-q")
    assert code == 0 and json.loads(stdout.splitlines()[-1])["exit_code"] == 0


@pytest.mark.parametrize("option", ["--errors", "--stats"])
def test_errors_or_stats_inside_the_output_folder_is_a_usage_error(tmp_path: Path, option: str) -> None:
    out = tmp_path / "out"
    code, _, stderr = run_cli("dedupe", SEEDS, "--output-dir", out, option, out / "report.json", "-q")
    assert code == 2 and option in stderr and "--output-dir" in stderr
    assert not (out / "report.json").exists()


def test_a_read_only_output_folder_is_found_before_the_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cleanwire.cli
    import cleanwire.outdir

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out"))

    worked: list[bool] = []
    monkeypatch.setattr(cleanwire.outdir.tempfile, "mkstemp", refuse)  # root writes through chmod 555
    monkeypatch.setattr(cleanwire.cli, "dedupe", lambda *a, **k: worked.append(True))
    code, stdout, stderr = run_cli("dedupe", SEEDS, "--output-dir", tmp_path / "out", "-q")
    assert code == 4 and not worked and stdout == ""
    assert "Permission denied" in stderr and str(tmp_path / "out") in stderr


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_a_second_run_in_a_folder_being_written_fails_at_once_and_deletes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = OutputDir(out)  # this process is the first run, still writing
    in_flight = out / f"{TEMP_PREFIX}inflight"
    in_flight.write_text("half a story")
    done = run_process("dedupe", SEEDS, "--output-dir", out, "--overwrite", "-q")
    assert done.returncode == 4, done.stderr
    assert b"another cleanwire run" in done.stderr and str(out).encode() in done.stderr
    assert in_flight.exists() and done.stdout == b""
    first.close()
    done = run_process("dedupe", SEEDS, "--output-dir", out, "--overwrite", "-q")
    assert done.returncode == 0 and not in_flight.exists()


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_two_runs_into_one_folder_the_second_fails_and_the_first_completes(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    from conftest import subprocess_env

    out, tmpdir = tmp_path / "out", tmp_path / "tmp"
    tmpdir.mkdir()
    first = subprocess.Popen([sys.executable, "-m", "cleanwire", "dedupe", "-", "--output-dir", str(out), "-q"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=subprocess_env(tmpdir))
    try:
        assert first.stdin is not None
        first.stdin.write((SEEDS / SEED_FULL).read_bytes())
        first.stdin.flush()
        deadline = time.monotonic() + 60
        while not any("spool" in p.name for p in tmpdir.iterdir()):  # reading its input: it holds the folder
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        second = run_process("dedupe", SEEDS, "--output-dir", out, "--overwrite", "-q", tmpdir=tmpdir)
        assert second.returncode == 4 and second.stdout == b""
        assert f"another cleanwire run is writing to {out}/".encode() in second.stderr
        stdout, stderr = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == 0, stderr
    assert len(jsonl(stdout.decode())) == 1
    assert sorted(os.listdir(out)) == ["clusters.json", "stdin.txt"]
