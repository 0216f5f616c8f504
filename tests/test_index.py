"""dedupe --index / --against: a persistent SQLite index that later runs match against (cleanwire.index)."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_EXCERPT, SEED_FULL, SEED_OTHER, jsonl, paragraphs, run_cli, subprocess_env

from cleanwire.config import Config
from cleanwire.index import Index, IndexFileError


def _story_docs(stories: int = 24, seed: int = 7) -> list[dict[str, str]]:
    """Made-up stories, each with 0 to 3 copies (excerpt, edited, exact), in a shuffled order."""
    rng = random.Random(seed)
    docs = []
    for s in range(stories):
        full = paragraphs(1000 + s, 6, 50)
        versions = [("full", "\n\n".join(full))]
        kinds = rng.sample(["excerpt", "edited", "exact"], rng.randint(0, 3))
        for kind in kinds:
            if kind == "excerpt":
                versions.append((kind, "\n\n".join(full[:2])))
            elif kind == "edited":
                versions.append((kind, "\n\n".join(p.replace(" ", " zorba ", 1) for p in full)))
            else:
                versions.append((kind, versions[0][1]))
        docs += [{"id": f"s{s:02d}-{kind}", "text": text} for kind, text in versions]
    rng.shuffle(docs)
    return docs


def _write_parts(docs: list[dict[str, str]], folder: Path, parts: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(parts):
        path = folder / f"part{i:02d}.jsonl"
        chunk = docs[i * len(docs) // parts:(i + 1) * len(docs) // parts]
        path.write_text("".join(json.dumps(d) + "\n" for d in chunk), encoding="utf-8")
        paths.append(path)
    return paths


def _groups(runs: list[list[dict[str, Any]]]) -> set[frozenset[str]]:
    """The story groups the --all outputs of one or more runs name: a document joins its canonical_id, a
    canonical the indexed documents it absorbed."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for records in runs:
        for r in records:
            find(r["id"])
            for other in [r.get("canonical_id"), *r.get("absorbed_indexed", [])]:
                if other:
                    parent[find(other)] = find(r["id"])
    out: dict[str, set[str]] = {}
    for x in list(parent):
        out.setdefault(find(x), set()).add(x)
    return {frozenset(g) for g in out.values()}


def _index_groups(path: Path) -> set[frozenset[str]]:
    with sqlite3.connect(path) as conn:
        out: dict[int, set[str]] = {}
        for doc_id, story in conn.execute("SELECT id, story FROM docs"):
            out.setdefault(story, set()).add(doc_id)
    return {frozenset(g) for g in out.values()}


def _content(path: Path) -> tuple[Any, ...]:
    """Everything an index holds but the time it was last written, to compare two states."""
    with sqlite3.connect(path) as conn:
        docs = "SELECT n, id, story, exact, source, title, url, date, key FROM docs ORDER BY n"
        return (conn.execute(docs).fetchall(),
                conn.execute("SELECT * FROM postings ORDER BY h, doc").fetchall(),
                conn.execute("SELECT * FROM edges ORDER BY a, b").fetchall(),
                conn.execute("SELECT key, value FROM meta WHERE key != 'updated' ORDER BY key").fetchall())


def _dedupe(*args: str | Path) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = run_cli("dedupe", *args, "--format", "jsonl", "-q")
    return code, jsonl(out), err


def test_day2_full_version_becomes_canonical_and_absorbs_the_indexed_excerpt(tmp_path: Path,
                                                                              days: tuple[Path, Path]) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    code, first, _ = _dedupe(day1, "--index", db)
    assert code == 0 and [r["id"] for r in first] == [SEED_EXCERPT]
    code, second, _ = _dedupe(day2, "--index", db)
    assert code == 0
    by_id = {r["id"]: r for r in second}
    assert set(by_id) == {SEED_FULL, SEED_OTHER}
    assert by_id[SEED_FULL]["absorbed_indexed"] == [SEED_EXCERPT]
    assert [(d["id"], d["relation"]) for d in by_id[SEED_FULL]["duplicates"]] == [(SEED_EXCERPT, "excerpt")]
    assert "absorbed_indexed" not in by_id[SEED_OTHER]
    # the index now files the excerpt under the full story, as one run of both days would
    assert _index_groups(db) == {frozenset({SEED_EXCERPT, SEED_FULL}), frozenset({SEED_OTHER})}
    code, whole, _ = _dedupe(day1, day2, "--all")
    assert _groups([first, second]) == _groups([whole])


def test_a_copy_of_an_indexed_story_is_not_emitted_again(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    assert _dedupe(day2, "--index", db)[0] == 0  # the full story first, then its excerpt
    code, out, _ = _dedupe(day1, "--index", db)
    assert code == 0 and out == []
    code, out, _ = _dedupe(day1, "--against", db, "--all")
    assert [(r["id"], r["canonical_id"], r["relation"]) for r in out] == [(SEED_EXCERPT, SEED_FULL, "excerpt")]
    code, _, err = run_cli("dedupe", day1, "--against", db, "--fail-on-duplicates")
    assert code == 3 and "1 of them of indexed stories" in err


def test_rerun_changes_nothing_and_reports_the_same(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    _dedupe(day1, "--index", db)
    _, first, _ = _dedupe(day2, "--index", db, "--all")
    before = _content(db)
    updated = Index.open(str(db), readonly=True).meta()["updated"]
    time.sleep(1.1)  # so that a write would show in `updated` (its resolution is a second)
    _, again, _ = _dedupe(day2, "--index", db, "--all")
    assert again == first
    assert _content(db) == before
    assert Index.open(str(db), readonly=True).meta()["updated"] == updated
    _, again1, _ = _dedupe(day1, "--index", db, "--all")  # day 1 again: its excerpt is filed under the full story
    assert [(r["id"], r["canonical_id"]) for r in again1] == [(SEED_EXCERPT, SEED_FULL)]
    assert _content(db) == before


def test_same_id_other_text_is_renamed_not_mistaken_for_the_indexed_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x.txt").write_text("\n\n".join(paragraphs(1)), encoding="utf-8")
    (b / "x.txt").write_text("\n\n".join(paragraphs(2)), encoding="utf-8")
    db = tmp_path / "i.db"
    _dedupe(a, "--index", db, "--no-clean")
    _, out, _ = _dedupe(b, "--index", db, "--no-clean")
    assert [(r["id"], r["renamed_from_id"]) for r in out] == [("x.txt#2", "x.txt")]
    assert sorted(i for g in _index_groups(db) for i in g) == ["x.txt", "x.txt#2"]


@pytest.mark.parametrize("parts", [2, 10])
def test_split_runs_name_the_groups_of_one_run(tmp_path: Path, parts: int) -> None:
    docs = _story_docs()
    paths = _write_parts(docs, tmp_path / "parts", parts)
    _, whole, _ = _dedupe(*paths, "--all", "--no-clean")
    db = tmp_path / "i.db"
    runs = []
    for path in paths:
        code, out, _ = _dedupe(path, "--all", "--no-clean", "--index", db)
        assert code == 0
        runs.append(out)
    expected = _groups([whole])
    assert len(expected) == 24  # the made-up stories, each found whole
    assert _groups(runs) == expected
    assert _index_groups(db) == expected


def test_jobs_give_the_output_of_one_process(tmp_path: Path) -> None:
    paths = _write_parts(_story_docs(), tmp_path / "parts", 2)
    outputs = []
    for jobs in ("1", "2"):
        db = tmp_path / f"i{jobs}.db"
        _dedupe(paths[0], "--no-clean", "--index", db, "--jobs", jobs)
        outputs.append(_dedupe(paths[1], "--no-clean", "--index", db, "--jobs", jobs, "--all")[1])
        outputs.append(_content(db)[:3])
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]


def test_against_is_read_only(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    _dedupe(day1, "--index", db)
    size, before = db.stat().st_mtime_ns, _content(db)
    code, out, _ = _dedupe(day2, "--against", db)
    assert code == 0 and out[0]["absorbed_indexed"] == [SEED_EXCERPT]
    assert _content(db) == before and db.stat().st_mtime_ns == size
    code, _, err = run_cli("dedupe", day2, "--against", tmp_path / "missing.db")
    assert code == 2 and "missing.db" in err


def test_incompatible_settings_are_refused(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, _ = days
    db = tmp_path / "news.db"
    _dedupe(day1, "--index", db)
    code, _, err = run_cli("dedupe", day1, "--index", db, "--near-threshold", "0.9")
    assert code == 2
    assert f"--index {db}: made with other settings (near_threshold 0.8 in the index, 0.9 now)" in err
    code, _, err = run_cli("dedupe", day1, "--index", db, "--keep", "first")
    assert code == 2 and "keep 'complete' in the index, 'first' now" in err


def test_corrupt_or_foreign_files_are_one_line_errors(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, _ = days
    text = tmp_path / "notes.db"
    text.write_text("not a database\n", encoding="utf-8")
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t(x)")
    broken = tmp_path / "broken.db"
    _dedupe(day1, "--index", broken)
    data = bytearray(broken.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page but the first overwritten
    broken.write_bytes(bytes(data))
    for path, says in ((text, "not a cleanwire index (not an SQLite database)"),
                       (foreign, "not a cleanwire index"), (broken, "not a usable cleanwire index")):
        for option in ("--index", "--against"):
            code, out, err = run_cli("dedupe", day1, option, path)
            assert code == 2, err
            assert out == ""
            lines = [line for line in err.splitlines() if line.strip()]
            assert any(f"{option} {path}: {says}" in line for line in lines), err
    code, _, err = run_cli("index", "stats", text)
    assert code == 2 and f"index {text}: not a cleanwire index" in err


def test_a_second_writer_waits_then_fails_clearly(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    _dedupe(day1, "--index", db)
    holder = Index.open(str(db), Config())  # holds the write lock, as a run does until it commits
    try:
        code, out, err = run_cli("dedupe", day2, "--index", db, "--index-wait", "0.2")
        assert code == 2 and out == ""
        assert f"--index {db}: in use by another run (waited 0.2 s)" in err
        code, out, _ = _dedupe(day2, "--against", db)  # a reader is not held up
        assert code == 0 and len(out) == 2
    finally:
        holder.close()
    assert _dedupe(day2, "--index", db)[0] == 0


def _cli_process(*args: str | Path, prelude: str = "") -> subprocess.Popen[bytes]:
    code = f"import os, signal, sys\n{prelude}\nfrom cleanwire.cli import cli\ncli(prog_name='cleanwire')"
    return subprocess.Popen([sys.executable, "-c", code, "dedupe", *map(str, args), "-q", "--format", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=subprocess_env())


def test_two_runs_at_once_both_land(tmp_path: Path) -> None:
    paths = _write_parts(_story_docs(), tmp_path / "parts", 2)
    db = tmp_path / "i.db"
    _dedupe(paths[0], "--no-clean", "--index", db, "--all")  # created before: two runs may not both create it
    procs = [_cli_process(path, "--no-clean", "--index", db, "--index-wait", "120") for path in paths]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    _, whole, _ = _dedupe(*paths, "--all", "--no-clean")
    assert _index_groups(db) == _groups([whole])


# the run stopped after it wrote everything to the index but before it committed, and at a few other moments
_KILL_BEFORE_COMMIT = """
import cleanwire.index as index
_add = index.Index._add
def killed(*args, **kwargs):
    _add(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
index.Index._add = killed
"""


def test_a_killed_run_leaves_the_index_before_or_after(tmp_path: Path) -> None:
    paths = _write_parts(_story_docs(), tmp_path / "parts", 2)
    db = tmp_path / "i.db"
    _dedupe(paths[0], "--no-clean", "--index", db)
    before = _content(db)
    before_file = db.read_bytes()
    reference = tmp_path / "after.db"
    reference.write_bytes(before_file)
    _dedupe(paths[1], "--no-clean", "--index", reference)
    after = _content(reference)
    assert before != after
    proc = _cli_process(paths[1], "--no-clean", "--index", db, prelude=_KILL_BEFORE_COMMIT)
    proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert _content(db) == before
    rng = random.Random(16)
    seen = set()
    for _ in range(4):  # at random moments of a whole run
        proc = _cli_process(paths[1], "--no-clean", "--index", db)
        time.sleep(rng.uniform(0.0, 1.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=120)
        state = _content(db)
        assert state in (before, after)
        seen.add(state == after)
        if state == after:  # committed before the kill: start again from before (the same file, so the
            # same creation time)
            db.unlink()
            for extra in ("-wal", "-shm"):
                Path(str(db) + extra).unlink(missing_ok=True)
            db.write_bytes(before_file)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # a run again after the kill does what the killed one would have
    assert _dedupe(paths[1], "--no-clean", "--index", db)[0] == 0
    assert _content(db) == after


def test_stats_and_remove(tmp_path: Path, days: tuple[Path, Path]) -> None:
    day1, day2 = days
    db = tmp_path / "news.db"
    _dedupe(day1, "--index", db)
    _dedupe(day2, "--index", db)
    code, out, _ = run_cli("index", "stats", db)
    stats = json.loads(out)
    assert code == 0 and (stats["documents"], stats["stories"], stats["matches"]) == (3, 2, 1)
    assert stats["settings"]["near_threshold"] == 0.8 and stats["created"] <= stats["updated"]
    code, out, _ = run_cli("index", "remove", db, "--id", SEED_FULL)
    assert code == 0 and json.loads(out) == {"removed": 1, "stories_changed": 1}
    assert _index_groups(db) == {frozenset({SEED_EXCERPT}), frozenset({SEED_OTHER})}
    code, out, _ = run_cli("index", "remove", db, "--before", "2000-01-01")
    assert json.loads(out)["removed"] == 0
    code, out, _ = run_cli("index", "remove", db, "--before", "2999-01-01")
    assert json.loads(out)["removed"] == 2
    assert json.loads(run_cli("index", "stats", db)[1])["documents"] == 0
    code, _, err = run_cli("index", "remove", db)
    assert code == 2 and "--before DATE or --id ID" in err


def test_open_names_a_missing_index(tmp_path: Path) -> None:
    with pytest.raises(IndexFileError, match="no such index"):
        Index.open(str(tmp_path / "none.db"), readonly=True)
    assert not os.path.exists(tmp_path / "none.db")


@pytest.mark.ray
def test_ray_engine_reads_and_writes_an_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray", reason="needs the ray extra: pip install '.[ray]'")
    paths = _write_parts(_story_docs(), tmp_path / "parts", 2)
    local, on_ray = tmp_path / "local.db", tmp_path / "ray.db"
    for db in (local, on_ray):
        _dedupe(paths[0], "--no-clean", "--index", db)
    expected = _dedupe(paths[1], "--no-clean", "--against", local, "--all")[1]
    _dedupe(paths[1], "--no-clean", "--index", local)
    src = str(Path(__file__).resolve().parents[1] / "src")
    # a Ray of the test's own (another may run on the machine); its workers import this source tree
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (src, os.environ.get("PYTHONPATH")) if p))
    ray.init(address="local", num_cpus=2, object_store_memory=100 * 2**20, include_dashboard=False,
             configure_logging=False, log_to_driver=False)
    try:
        assert _dedupe(paths[1], "--no-clean", "--against", on_ray, "--all", "--engine", "ray")[1] == expected
        assert _dedupe(paths[1], "--no-clean", "--index", on_ray, "--engine", "ray")[0] == 0
    finally:
        ray.shutdown()
    assert _content(on_ray)[:3] == _content(local)[:3]  # documents, postings, matches (not when each was made)
