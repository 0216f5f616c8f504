"""End-to-end reliability through the real CLI (issue 6): nothing lost, determinism, no escape, interrupts, time, size.

Messy inputs are generated into tmp_path from made-up text (and the seeds), so nothing here depends on
dev data. Tests that need real processes (worker pools, signals) run `python -m cleanwire` as a subprocess;
the rest use click's CliRunner. Timing bounds are loose on purpose: the test machine is shared.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SEED_FULL, SEEDS, jsonl, run_cli, run_process, subprocess_env
from linear import assert_linear

from cleanwire.config import Config
from cleanwire.document import Document
from cleanwire.engines.local import LocalEngine
from cleanwire.errors import ExitCode
from cleanwire.outdir import TEMP_PREFIX
from cleanwire.pipeline import Counters, dedupe

_SYLLABLES = ["ka", "lo", "mi", "ra", "te", "su", "no", "vi", "da", "pe", "lu", "zo", "ri", "ba", "ne", "to"]


# ---------------------------------------------------------------- helpers


def vocabulary(seed: int = 0, size: int = 2000) -> list[str]:
    """Made-up words, so generated stories share no real text and differ from each other."""
    rng = random.Random(seed)
    return sorted({"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(size)})


VOCAB = vocabulary()
STOPWORDS = ["the", "of", "and", "to", "in", "a", "was", "said", "for", "on", "with", "that", "by", "at", "from"]


def story(seed: int, words: int = 160) -> str:
    """A made-up article: a headline, then paragraphs of capitalised sentences ending in full stops."""
    rng = random.Random(seed)
    # made-up words with real English function words between them, so language-aware rules see prose
    body = [rng.choice(STOPWORDS) if i % 3 == 1 else rng.choice(VOCAB) for i in range(words)]
    sentences = [" ".join(body[i:i + 12]).capitalize() + "." for i in range(0, words, 12)]
    paragraphs = [" ".join(sentences[i:i + 4]) for i in range(0, len(sentences), 4)]
    headline = " ".join(rng.choice(VOCAB) for _ in range(6)).capitalize()
    return headline + "\n\n" + "\n\n".join(paragraphs) + "\n"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> content), symlinks not followed."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out


# ---------------------------------------------------------------- 1. no data loss on messy folders


def make_messy(root: Path) -> tuple[set[str], set[str]]:
    """A folder of good, copied, binary, mis-encoded, empty, broken and looping inputs.

    Returns (every input id, the ids expected to fail).
    """
    ids: set[str] = set()
    failing: set[str] = set()

    def put(rel: str, data: bytes | str, fails: bool = False) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        ids.add(rel)
        if fails:
            failing.add(rel)

    for n in range(4):
        put(f"pages/story{n}.txt", story(n))
    for seed in sorted(SEEDS.iterdir()):
        put(f"pages/{seed.name}", seed.read_bytes())
    put("copies/story1.txt", story(1))  # exact copies
    put("copies/story2 copy.txt", story(2))
    put("copies/seed.txt", (SEEDS / SEED_FULL).read_bytes())
    put("binary/photo.html", b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randrange(256) for _ in range(2000)), True)
    # not input formats: skipped and counted in the summary, neither read nor errors
    (root / "binary" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (root / "binary" / "notes.md").write_text("# notes\n")
    put("text/page.txt.gz", gzip.compress(story(5).encode()))  # compressed: read as the text it holds
    put("binary/noise", bytes(random.Random(2).randrange(256) for _ in range(5000)), True)  # no extension: read
    put("binary/nul.txt", b"\x00" * 4096, True)
    put("text/invalid_utf8.txt", story(6).encode().replace(b"e", b"\xe9", 3).replace(b"a", b"\xff\xfe", 2))
    cafe = "Caf\u00e9 owners \u201cwelcome\u201d the new r\u00e8gle \u2014 "
    put("text/cp1252.txt", (cafe + story(7)).encode("cp1252"))
    japanese = ("\u6e2f\u306e\u59d4\u54e1\u4f1a\u306f\u6728\u66dc\u65e5\u306b\u65b0\u3057\u3044\u6599\u91d1"
                "\u3092\u6c7a\u3081\u305f\u3002")
    headline = "\u6e2f\u306e\u30cb\u30e5\u30fc\u30b9\n\n"
    put("text/shift_jis.txt", (headline + (japanese * 6 + "\n\n") * 4).encode("shift_jis"))
    put("text/utf16.txt", story(15).encode("utf-16"))  # with a BOM
    put("text/utf16le.txt", story(16).encode("utf-16-le"))  # without one
    put("text/empty.txt", b"", True)
    put("text/blank.txt", " \n\t\n  \r\n\u3000\n".encode("utf-8"), True)
    put("html/malformed.html", "<html><body><div><p>" + story(8).replace("\n\n", "<p>") + "<div><b><i></p></table>")
    depth = 3000
    put("html/nested.html", "<html><body>" + "<div>" * depth + "<p>" + story(9).replace("\n\n", "</p><p>")
        + "</p>" + "</div>" * depth + "</body></html>")
    feed = [
        json.dumps({"id": "rec-a", "text": story(10), "lang": "xx"}),
        '{"id": "rec-broken", "text": "no closing brace',
        json.dumps({"id": "rec-notext", "title": "Only a title"}),
        json.dumps({"id": "rec-number", "text": 42}),
        json.dumps({"id": "rec-null", "text": None}),
        "",
        json.dumps({"id": "rec-a", "text": story(11)}),  # a duplicate id: renamed rec-a#2
        "[1, 2, 3]",
        json.dumps({"text": story(12)}),  # no id: feed.jsonl:9
        json.dumps({"id": "rec-html", "html": "<p>" + story(13).replace("\n\n", "</p><p>") + "</p>"}),
        json.dumps({"id": 7, "text": story(10)}),  # an exact copy of rec-a
    ]
    (root / "feed.jsonl").write_text("\n".join(feed) + "\n", encoding="utf-8")
    ids |= {"rec-a", "feed.jsonl:2", "rec-notext", "rec-number", "rec-null", "rec-a#2", "feed.jsonl:8",
            "feed.jsonl:9", "rec-html", "7"}
    failing |= {"feed.jsonl:2", "rec-notext", "rec-number", "rec-null", "feed.jsonl:8"}
    (root / "loop").mkdir()
    (root / "loop" / "back").symlink_to("..")  # a symlink loop
    (root / "loop" / "gone.txt").symlink_to("nowhere.txt")  # a broken symlink: unreadable
    ids |= {"loop/back", "loop/gone.txt"}
    failing |= {"loop/back", "loop/gone.txt"}
    (root / "special").mkdir()
    os.mkfifo(root / "special" / "pipe.txt")  # inside a folder a FIFO is never opened: it could block forever
    with socket.socket(socket.AF_UNIX) as sock:  # a socket file left behind by some daemon
        sock.bind(str(root / "special" / "daemon.sock"))
    ids |= {"special/pipe.txt", "special/daemon.sock"}
    failing |= {"special/pipe.txt", "special/daemon.sock"}
    if os.geteuid() != 0:  # root reads everything
        put("special/secret.txt", story(14), True)
        (root / "special" / "secret.txt").chmod(0)
    return ids, failing


@pytest.fixture()
def messy(tmp_path: Path) -> tuple[Path, set[str], set[str]]:
    folder = tmp_path / "messy"
    ids, failing = make_messy(folder)
    return folder, ids, failing


def check_errors(errors_path: Path, err: str, failing: set[str]) -> list[dict[str, Any]]:
    """The errors file names exactly the failing inputs, and stderr has one matching line for each."""
    errors = jsonl(errors_path.read_text(encoding="utf-8"))
    assert sorted(e["id"] for e in errors) == sorted(failing)
    lines = err.splitlines()
    error_lines = [line for line in lines if line.startswith("error: ")]
    assert sorted(error_lines) == sorted(f"error: {e['source']}: {e['error']}" for e in errors)
    assert all("\n" not in e["error"] and e["error"] for e in errors)
    # nothing else on stderr but the summary: no tracebacks, no library warnings
    assert [line for line in lines if not line.startswith("error: ")] == [lines[-1]]
    assert lines[-1].startswith("cleanwire: ")
    return errors


def test_dedupe_accounts_for_every_input_of_a_messy_folder(messy: tuple[Path, set[str], set[str]],
                                                             tmp_path: Path) -> None:
    folder, ids, failing = messy
    code, out, err = run_cli("dedupe", folder, "--format", "jsonl", "--errors", tmp_path / "errors.jsonl")
    assert code == ExitCode.INPUT_ERRORS
    check_errors(tmp_path / "errors.jsonl", err, failing)
    assert "2 files skipped (not an input format)" in err  # binary/photo.png, binary/notes.md
    records = jsonl(out)
    emitted = [r["id"] for r in records]
    named = [d["id"] for r in records for d in r["duplicates"]]
    accounted = Counter(emitted + named + sorted(failing))
    assert sum(accounted.values()) == len(ids)  # count in == count out
    assert set(accounted) == ids and max(accounted.values()) == 1
    # the copies were found, and the legacy encodings were decoded, not mangled
    assert {"copies/story1.txt", "copies/story2 copy.txt", "copies/seed.txt"} <= set(named) | set(emitted)
    assert len(named) >= 4, named
    texts = {r["id"]: (r["title"] or "") + "\n" + r["text"] for r in records}
    assert "Caf\u00e9 owners \u201cwelcome\u201d" in texts["text/cp1252.txt"]
    assert "\u6e2f\u306e\u59d4\u54e1\u4f1a" in texts["text/shift_jis.txt"]
    assert "\ufffd" not in texts["text/cp1252.txt"] + texts["text/shift_jis.txt"]
    for name, n in (("text/utf16.txt", 15), ("text/utf16le.txt", 16)):
        assert story(n).split("\n\n")[1].split(".")[0] in texts[name]


def test_dedupe_all_and_clean_emit_every_input_once(messy: tuple[Path, set[str], set[str]], tmp_path: Path) -> None:
    folder, ids, failing = messy
    for command in (["dedupe", "--all"], ["clean"]):
        errors_path = tmp_path / f"errors-{command[0]}.jsonl"
        code, out, err = run_cli(*command, folder, "--format", "jsonl", "--errors", errors_path)
        assert code == ExitCode.INPUT_ERRORS, command
        check_errors(errors_path, err, failing)
        emitted = [r["id"] for r in jsonl(out)]
        assert Counter(emitted + sorted(failing)) == Counter(ids), command
        assert not set(emitted) & failing
        forked = run_process(*command, folder, "--format", "jsonl", "--jobs", 2)
        assert forked.returncode == ExitCode.INPUT_ERRORS
        assert forked.stdout.decode() == out, command  # the same through a pool of worker processes


def test_only_good_inputs_exit_zero_and_one_bad_input_exits_one(tmp_path: Path) -> None:
    (tmp_path / "good").mkdir()
    for n in range(3):
        (tmp_path / "good" / f"s{n}.txt").write_text(story(100 + n), encoding="utf-8")
    code, out, err = run_cli("dedupe", tmp_path / "good", "--format", "jsonl")
    assert code == ExitCode.SUCCESS, err
    assert len(jsonl(out)) == 3
    (tmp_path / "good" / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    code, out, err = run_cli("dedupe", tmp_path / "good", "--format", "jsonl")
    assert code == ExitCode.INPUT_ERRORS
    assert len(jsonl(out)) == 3
    assert [line for line in err.splitlines() if line.startswith("error:")] == [
        f"error: {tmp_path / 'good' / 'bad.txt'}: binary file (PNG image)"]


# ---------------------------------------------------------------- 2. determinism: --jobs and argument order


def edited(text: str, seed: int, share: float = 0.05) -> str:
    """`text` with a few words replaced, as an edited copy of a story."""
    rng = random.Random(seed)
    words = text.split(" ")
    for _ in range(max(1, int(len(words) * share))):
        words[rng.randrange(len(words))] = rng.choice(VOCAB)
    return " ".join(words)


def make_corpus(root: Path) -> list[str]:
    """Two folders (sharing relative names), loose files and a JSON lines file, with copies, excerpts and
    edited copies across them; returns the arguments, relative to `root`."""
    for name in ("A", "B"):
        (root / name / "sub").mkdir(parents=True)
    for n in range(150):
        folder = root / ("A" if n % 2 else "B")
        text = story(1000 + n, words=60 + (n * 7) % 200)
        (folder / ("sub" if n % 3 == 0 else "") / f"doc{n:03d}.txt").write_text(text, encoding="utf-8")
        if n % 10 == 0:  # the same relative name in both folders: renamed "#2" in (id, path) order
            (root / "A" / f"same{n:03d}.txt").write_text(edited(text, n), encoding="utf-8")
            (root / "B" / f"same{n:03d}.txt").write_text(story(3000 + n), encoding="utf-8")
        if n % 7 == 0:
            (root / "B" / f"copy{n:03d}.txt").write_text(text, encoding="utf-8")
        if n % 9 == 0:
            cut = text.split("\n\n")
            (root / "A" / f"excerpt{n:03d}.txt").write_text("\n\n".join(cut[: max(2, len(cut) // 2)]) + "\n",
                                                           encoding="utf-8")
    (root / "B" / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01")
    (root / "loose.txt").write_text(story(1001), encoding="utf-8")  # a copy of A/doc001.txt
    (root / "page.html").write_text("<html><body><nav>Home | News</nav><article><h1>Held</h1><p>"
                                    + story(2000).replace("\n\n", "</p><p>") + "</p></article></body></html>",
                                    encoding="utf-8")
    records = [json.dumps({"id": f"r{n}", "text": story(2100 + n) if n % 4 else story(1000 + n)})
               for n in range(40)]
    records.insert(5, "{not json")
    (root / "feed.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    return ["A", "B", "loose.txt", "page.html", "feed.jsonl"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    root = tmp_path_factory.mktemp("corpus")
    return root, make_corpus(root)


def test_output_is_byte_identical_whatever_jobs_and_argument_order(corpus: tuple[Path, list[str]]) -> None:
    root, args = corpus
    orders = [args, args[::-1], [args[2], args[0], args[4], args[1], args[3]]]
    runs = [(1, orders[0]), (2, orders[1]), (1, orders[2]), (2, orders[0])]
    outputs = []
    for n, (jobs, order) in enumerate(runs):
        out_dir = root.parent / f"{root.name}-out{n}"
        done = run_process("dedupe", *order, "--all", "--format", "jsonl", "--jobs", jobs, "--output-dir", out_dir,
                           "--errors", root.parent / f"{root.name}-err{n}.jsonl", cwd=root)
        assert done.returncode == ExitCode.INPUT_ERRORS, done.stderr.decode()
        errors = (root.parent / f"{root.name}-err{n}.jsonl").read_bytes()
        outputs.append((done.stdout, tree(out_dir), errors))
    stdout, files, errors = outputs[0]
    records = jsonl(stdout.decode())
    assert sum(1 for r in records if r["canonical_id"]) >= 20  # the corpus has duplicates to order
    assert any(r["id"].endswith("#2") for r in records)
    assert len(jsonl(errors.decode())) == 2
    assert "clusters.json" in files and len(files) > 100
    for n, other in enumerate(outputs[1:], 1):
        assert other[0] == stdout, f"stdout differs in run {runs[n]}"
        assert other[1] == files, f"--output-dir differs in run {runs[n]}"
        assert other[2] == errors, f"--errors differs in run {runs[n]}"


def test_clean_output_is_byte_identical_whatever_jobs_and_argument_order(corpus: tuple[Path, list[str]]) -> None:
    root, args = corpus
    first = run_process("clean", *args, "--format", "jsonl", "--jobs", 1, cwd=root)
    second = run_process("clean", *args[::-1], "--format", "jsonl", "--jobs", 2, cwd=root)
    assert first.returncode == second.returncode == ExitCode.INPUT_ERRORS
    assert first.stdout == second.stdout
    assert len(jsonl(first.stdout.decode())) > 200


# ---------------------------------------------------------------- 3. no escape from --output-dir


HOSTILE_IDS = [
    "../x", "../../y", "/etc/passwd", "a\u0000b", "x" * 300, "\u00e9" * 200, "CON", "con.txt", "NUL", "COM1.log",
    "A.txt", "a.txt", "a", "..", ".", "...", "sub/dir/file", "C:\\Windows\\evil", "\u202etxt.exe",
    "caf\u00e9", "cafe\u0301", " ", "line\nbreak", "clusters.json", "clusters", ".cleanwire-tmp-x", "~", "-rf",
]


@pytest.mark.parametrize("command", ["dedupe", "clean"])
def test_output_dir_stays_inside_its_folder_whatever_the_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             command: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    texts = {doc_id: story(5000 + n) for n, doc_id in enumerate(HOSTILE_IDS)}
    feed = work / "feed.jsonl"
    feed.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in texts.items()), encoding="utf-8")
    passwd = Path("/etc/passwd")
    passwd_before = (passwd.stat().st_mtime_ns, passwd.read_bytes()) if passwd.exists() else None
    before = tree(tmp_path)
    out = work / "out"
    code, stdout, err = run_cli(command, "feed.jsonl", "--format", "jsonl", "--output-dir", "out")
    assert code == ExitCode.SUCCESS, err
    records = jsonl(stdout)
    assert sorted(r["id"] for r in records) == sorted(texts)  # every id came through, none renamed
    # nothing was written anywhere else under tmp_path, or to /etc/passwd
    after = tree(tmp_path)
    assert {k: v for k, v in after.items() if not k.startswith("work/out/")} == before
    if passwd_before is not None:
        assert (passwd.stat().st_mtime_ns, passwd.read_bytes()) == passwd_before
    # one plain file per story, directly in the folder, distinct even where names differ only in case
    entries = list(os.scandir(out))
    assert all(e.is_file(follow_symlinks=False) for e in entries)
    names = [e.name for e in entries]
    assert not any(n.startswith(TEMP_PREFIX) for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert all(len(n.encode()) <= 255 and "/" not in n and "\\" not in n and "\x00" not in n for n in names)
    story_files = [n for n in names if n != "clusters.json"]
    assert len(story_files) == len(texts)
    bodies = sorted((out / n).read_text(encoding="utf-8") for n in story_files)
    assert bodies == sorted(r["text"] + "\n" for r in records)
    if command == "dedupe":
        clusters = json.loads((out / "clusters.json").read_text(encoding="utf-8"))
        assert sorted(c["id"] for c in clusters) == sorted(texts)
        assert sorted(c["file"] for c in clusters) == sorted(story_files)
        by_id = {r["id"]: r["text"] for r in records}
        for cluster in clusters:
            assert (out / cluster["file"]).read_text(encoding="utf-8") == by_id[cluster["id"]] + "\n"


# ---------------------------------------------------------------- 4. interrupted runs


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, bytes]]]:
    """A folder of 3,000 made-up stories, and the --output-dir of an uninterrupted dedupe and clean run over it."""
    root = tmp_path_factory.mktemp("many")
    (root / "docs").mkdir()
    for n in range(3000):
        (root / "docs" / f"doc{n:05d}.txt").write_text(story(10_000 + n, words=60 + n % 120), encoding="utf-8")
    references = {}
    for command in ("dedupe", "clean"):
        done = run_process(command, "docs", "--format", "jsonl", "--output-dir", f"reference-{command}", cwd=root)
        assert done.returncode == ExitCode.SUCCESS, done.stderr.decode()
        references[command] = tree(root / f"reference-{command}")
    return root, references


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, f"the run ended before it could be interrupted: {process.returncode}"
        assert time.monotonic() < deadline, "timed out waiting for the run to get going"
        time.sleep(0.01)


def interrupt_when(condition: Callable[[], bool], process: subprocess.Popen[bytes], signum: int) -> bytes:
    """Send `signum` once `condition` holds and wait for the run to end (killed if it hangs); its stderr."""
    try:
        wait_for(condition, process)
        process.send_signal(signum)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return err


def temp_files(tmpdir: Path) -> list[str]:
    return sorted(p.name for p in tmpdir.iterdir() if p.name.startswith("cleanwire"))


@pytest.mark.parametrize(("command", "signum"),
                         [("dedupe", signal.SIGTERM), ("dedupe", signal.SIGINT), ("clean", signal.SIGTERM)],
                         ids=["dedupe-TERM", "dedupe-INT", "clean-TERM"])
def test_interrupt_while_writing_leaves_only_complete_files_and_a_rerun_finishes(
        many: tuple[Path, dict[str, dict[str, bytes]]], tmp_path: Path, command: str, signum: int) -> None:
    root, references = many
    reference = references[command]
    out = tmp_path / "out"
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    args = [sys.executable, "-m", "cleanwire", command, "docs", "--format", "jsonl", "--output-dir", str(out)]
    # stdout is a pipe nobody reads yet: the run blocks on it once the pipe is full, part way through
    # writing the story files, which is where an interrupt must not leave half a file
    process = subprocess.Popen(args, cwd=root, env=subprocess_env(tmpdir), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    seen: list[int] = []

    def stalled() -> bool:
        seen.append(len(os.listdir(out)) if out.exists() else 0)
        return seen[-1] > 0 and len(seen) > 30 and seen[-30] == seen[-1]

    err = interrupt_when(stalled, process, signum)
    assert process.returncode == ExitCode.INTERRUPTED, err.decode()
    assert "interrupted" in err.decode()
    written = tree(out)
    assert 0 < len(written) < len(reference)
    assert not [name for name in written if name.startswith(TEMP_PREFIX)]
    assert all(reference[name] == data for name, data in written.items())  # complete files only
    assert temp_files(tmpdir) == []  # the spill file went too
    # a killed run's leftover temporary file is cleared; running again completes the job
    (out / f"{TEMP_PREFIX}left-by-kill-9").write_bytes(b"half")
    again = run_process(command, "docs", "--format", "jsonl", "--output-dir", out, "--overwrite", cwd=root,
                        tmpdir=tmpdir)
    assert again.returncode == ExitCode.SUCCESS, again.stderr.decode()
    assert tree(out) == reference
    assert temp_files(tmpdir) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupt_while_cleaning_leaves_no_temporary_files(many: tuple[Path, dict[str, dict[str, bytes]]],
                                                            tmp_path: Path, signum: int) -> None:
    root, _ = many
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    out = tmp_path / "out"
    args = [sys.executable, "-m", "cleanwire", "dedupe", "docs", "--format", "jsonl", "--output-dir", str(out)]
    with open(tmp_path / "stdout", "wb") as stdout:
        process = subprocess.Popen(args, cwd=root, env=subprocess_env(tmpdir), stdout=stdout, stderr=subprocess.PIPE)
        # the spill file exists from the cleaning pass until the run ends
        err = interrupt_when(lambda: any(p.name.endswith(".spill") for p in tmpdir.iterdir()), process, signum)
    assert process.returncode == ExitCode.INTERRUPTED, err.decode()
    assert temp_files(tmpdir) == []
    assert not [name for name in tree(out) if name.startswith(TEMP_PREFIX)]


def test_library_dedupe_removes_its_spill_file_when_the_input_fails(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    passes = []

    def documents() -> Iterator[Document]:
        passes.append(1)
        yield Document(id="a", text=story(1))
        if len(passes) == 2:  # the cleaning pass, after template learning: the spill file exists
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        dedupe(documents, Config(), LocalEngine(1), Counters(), lambda doc: None)
    assert len(passes) == 2
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- 5. linear time on hostile lines


_HEAD = "Harbour fees rise again\n\nThe harbour committee met on Thursday and agreed a new fee for every berth.\n\n"
_TAIL = "\n\nFishermen said the figure was unfair and promised to raise it with the council.\n"
HOSTILE_PAGES: dict[str, tuple[str, Callable[[int], str]]] = {
    "one repeated character": (".txt", lambda n: _HEAD + "a" * n + _TAIL),
    "one repeated capital": (".txt", lambda n: _HEAD + "A " * (n // 2) + _TAIL),
    "punctuation run": (".txt", lambda n: _HEAD + "!?.,;:-" * (n // 7) + _TAIL),
    "dots": (".txt", lambda n: _HEAD + "." * n + _TAIL),
    "separator bars": (".txt", lambda n: _HEAD + "| " * (n // 2) + _TAIL),
    "spaces": (".txt", lambda n: _HEAD + "Start" + " " * n + "end." + _TAIL),
    "tabs and no-break spaces": (".txt", lambda n: _HEAD + "\t\u00a0" * (n // 2) + "x" + _TAIL),
    "short sentences": (".txt", lambda n: _HEAD + "Ab. " * (n // 4) + _TAIL),
    "numbers": (".txt", lambda n: _HEAD + "1,2." * (n // 4) + _TAIL),
    "url": (".txt", lambda n: _HEAD + "http://" + "a/" * (n // 2) + _TAIL),
    "quotes": (".txt", lambda n: _HEAD + "\"'" * (n // 2) + _TAIL),
    "many short lines": (".txt", lambda n: _HEAD + "x\n" * (n // 2) + _TAIL),
    "lines ending in colons": (".txt", lambda n: _HEAD + "".join(f"SPEAKER {i % 5}:\nx{i}\n" for i in range(n // 16))
                               + _TAIL),
    "deep div nesting": (".html", lambda n: "<html><body>" + "<div>" * (n // 5) + "<p>" + _HEAD + "</p>"
                         + "</div>" * (n // 5) + "</body></html>"),
    "unclosed tags": (".html", lambda n: "<html><body>" + "<div><p><b>" * (n // 11) + _HEAD),
    "entities": (".html", lambda n: "<html><body><p>" + _HEAD + "&amp;" * (n // 5) + "</p></body></html>"),
    "long attribute": (".html", lambda n: f'<html><body><p title="{"a" * n}">' + _HEAD + "</p></body></html>"),
    "unclosed comment": (".html", lambda n: "<html><body><p>" + _HEAD + "</p><!--" + "-" * n + "</body></html>"),
}
SIZE = 100_000


def _cli_run(tmp_path: Path, command: str, pages: dict[str, tuple[str, Callable[[int], str]]]) -> Callable[[int], None]:
    """A run of `command` in this process (one job: all the work is counted here) on `pages` made at a size."""
    def run(size: int) -> None:
        folder = tmp_path / f"{command}{size}"
        folder.mkdir(exist_ok=True)
        for n, (ext, make) in enumerate(pages.values()):
            (folder / f"page{n:02d}{ext}").write_text(make(size), encoding="utf-8")
        code, out, err = run_cli(command, folder, "--format", "jsonl", "--jobs", "1")
        assert code == ExitCode.SUCCESS, err
        for record in jsonl(out):  # the story around the hostile line survives
            assert "harbour committee met" in record["text"]

    return run


@pytest.mark.parametrize("case", list(HOSTILE_PAGES))
def test_clean_is_linear_on_hostile_pages(tmp_path: Path, case: str) -> None:
    assert_linear(_cli_run(tmp_path, "clean", {case: HOSTILE_PAGES[case]}), SIZE // 2, case)


QUADRATIC_VERIFY = ("match._blocks aligns two texts with rapidfuzz Indel.opcodes, O(n*m/64) however it is chunked: "
                    "long near-duplicate pairs (and some hostile pages) cost 4x per 2x; reported to the lead")


def test_dedupe_takes_all_hostile_pages_at_once_in_linear_work(tmp_path: Path) -> None:
    # the hostile pages share only their head and tail: no long pair is verified (see the next test for one)
    assert_linear(_cli_run(tmp_path, "dedupe", HOSTILE_PAGES), SIZE // 10, "dedupe")


@pytest.mark.xfail(reason=QUADRATIC_VERIFY, strict=False)
def test_dedupe_verifies_a_long_edited_copy_in_linear_time(tmp_path: Path) -> None:
    times = []
    for size in (250_000, 500_000):  # about 40,000 and 80,000 words
        folder = tmp_path / str(size)
        folder.mkdir()
        line = long_line(size)
        (folder / "original.txt").write_text(_HEAD + line + _TAIL, encoding="utf-8")
        (folder / "edited.txt").write_text(_HEAD + edited(line, size, 0.02) + _TAIL, encoding="utf-8")
        started = time.perf_counter()
        code, out, err = run_cli("dedupe", folder, "--format", "jsonl")
        times.append(time.perf_counter() - started)
        assert code == ExitCode.SUCCESS, err
        assert [d["relation"] for r in jsonl(out) for d in r["duplicates"]] == ["near-duplicate"]
    assert times[1] < 3 * times[0] + 0.1, times


# ---------------------------------------------------------------- 6. huge inputs


MEMORY_LIMIT = 1_500_000_000  # address space for the whole process (Python, numpy, the data): far above need
MB = 1024 * 1024


def long_line(size: int) -> str:
    """One line of `size` characters of made-up sentences (a repeated ~64 KiB block: cheap to build)."""
    block = " ".join(story(n).split("\n\n", 1)[1].replace("\n\n", " ").strip() for n in range(60)) + " "
    return (block * (size // len(block) + 1))[:size].strip()


def sparse_file(path: Path, size: int, head: bytes = b"", tail: bytes = b"") -> None:
    """A file of `size` bytes that costs no disk: `head`, a hole of NUL bytes, `tail`."""
    with open(path, "wb") as f:
        f.write(head)
        f.seek(size - len(tail))
        f.write(tail)
        f.truncate(size)


@pytest.mark.parametrize("ext", [".txt", ".html", ".jsonl"])
def test_a_10_mb_line_is_cleaned_within_bounded_memory(tmp_path: Path, ext: str) -> None:
    line = long_line(10 * MB)
    page = tmp_path / f"page{ext}"
    if ext == ".txt":
        page.write_text(_HEAD + line + "\n", encoding="utf-8")
    elif ext == ".html":
        page.write_text(f"<html><body><article><h1>Long</h1><p>{line}</p></article></body></html>", encoding="utf-8")
    else:
        page.write_text(json.dumps({"id": "long", "text": line}) + "\n"
                        + json.dumps({"id": "short", "text": _HEAD}) + "\n", encoding="utf-8")
    done = run_process("clean", page, "--format", "jsonl", memory_limit=MEMORY_LIMIT)
    assert done.returncode == ExitCode.SUCCESS, done.stderr.decode()[-2000:]
    records = jsonl(done.stdout.decode())
    assert len(records) == (2 if ext == ".jsonl" else 1)
    assert len(records[0]["text"]) > 0.99 * len(line)


def test_200_mb_inputs_are_refused_or_skipped_with_one_line_each_within_bounded_memory(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(story(42), encoding="utf-8")
    # a text file of 200 MB that is NUL bytes after its first line: above the size limit, refused unread
    sparse_file(folder / "zeros.txt", 200 * MB, head=b"Headline\n\nA first paragraph of text.\n")
    # JSON lines with one 200 MB line: that line is skipped unread, the records around it go on
    sparse_file(folder / "feed.jsonl", 200 * MB,
                head=json.dumps({"id": "before", "text": story(43)}).encode() + b'\n{"id": "huge", "text": "',
                tail=b'"}\n' + json.dumps({"id": "after", "text": story(44)}).encode() + b"\n")
    # above the size limit: refused without being read
    sparse_file(folder / "toolarge.txt", 300 * MB, head=story(45).encode())
    done = run_process("dedupe", folder, "--format", "jsonl", "--all", memory_limit=MEMORY_LIMIT)
    assert done.returncode == ExitCode.INPUT_ERRORS
    assert sorted(r["id"] for r in jsonl(done.stdout.decode())) == ["after", "before", "good.txt"]
    errors = [line for line in done.stderr.decode().splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: {folder / 'feed.jsonl'}:2: JSON line longer than {Config().ingest.max_line_bytes} bytes",
        f"error: {folder / 'toolarge.txt'}: too large: {300 * MB} bytes (limit {Config().ingest.max_bytes})",
        f"error: {folder / 'zeros.txt'}: too large: {200 * MB} bytes (limit {Config().ingest.max_bytes})",
    ]


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("CLEANWIRE_SLOW_TESTS"), reason="set CLEANWIRE_SLOW_TESTS=1 (about 30 s)")
def test_a_200_mb_text_page_is_cleaned(tmp_path: Path) -> None:
    page = tmp_path / "huge.txt"
    paragraph = "\n\n".join(story(n) for n in range(50)).encode()
    with open(page, "wb") as f:
        while f.tell() < 200 * MB:
            f.write(paragraph)
    done = run_process("clean", page, "--format", "jsonl", "--max-bytes", 300 * MB, "--max-page-memory", "5G",
                       memory_limit=6_000_000_000,
                       timeout=300)
    assert done.returncode == ExitCode.SUCCESS, done.stderr.decode()[-2000:]
    assert len(jsonl(done.stdout.decode())) == 1


# ---------------------------------------------------------------- real stdin, closed stdout, links in the output folder


def test_real_stdin_and_a_folder_together_lose_nothing(messy: tuple[Path, set[str], set[str]], tmp_path: Path) -> None:
    folder, ids, failing = messy
    feed = (folder / "feed.jsonl").read_bytes()
    (folder / "feed.jsonl").unlink()  # its records now come from stdin, named by their ids or "stdin:<line>"
    ids = {i for i in ids if not i.startswith("feed.jsonl") and not i.startswith("rec-") and i != "7"}
    records = {"rec-a", "rec-a#2", "rec-html", "7", "stdin:9"}
    failed_records = {"stdin:2", "rec-notext", "rec-number", "rec-null", "stdin:8"}
    errors_path = tmp_path / "errors.jsonl"
    done = subprocess.run([sys.executable, "-m", "cleanwire", "dedupe", "-", str(folder), "--all", "--format", "jsonl",
                           "--jobs", "2", "--errors", str(errors_path)], input=feed, capture_output=True,
                          env=subprocess_env(), timeout=120)
    assert done.returncode == ExitCode.INPUT_ERRORS
    errors = check_errors(errors_path, done.stderr.decode(), (failing & ids) | failed_records)
    assert all(e["source"].startswith("stdin:") for e in errors if e["id"] in failed_records)
    emitted = [r["id"] for r in jsonl(done.stdout.decode())]
    assert Counter(emitted + [e["id"] for e in errors]) == Counter(ids | records | failed_records)


def test_a_reader_that_goes_away_ends_the_run_quietly(many: tuple[Path, dict[str, dict[str, bytes]]]) -> None:
    root, _ = many
    process = subprocess.Popen([sys.executable, "-m", "cleanwire", "clean", "docs", "--format", "jsonl"], cwd=root,
                               env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    json.loads(process.stdout.readline())
    process.stdout.close()  # like `| head -1`
    _, err = process.communicate(timeout=60)
    # as a Unix tool killed by SIGPIPE: no message, no traceback, exit code 141
    assert process.returncode == ExitCode.BROKEN_PIPE
    assert err.decode() == ""


def test_links_planted_in_the_output_dir_are_replaced_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "story.txt").write_text(story(77), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("story.txt", "clusters.json"):
        (outside / name).write_text("precious\n", encoding="utf-8")
        (out / name).symlink_to(outside / name)
    code, _, err = run_cli("dedupe", tmp_path / "in", "--format", "jsonl", "--output-dir", out, "--overwrite")
    assert code == ExitCode.SUCCESS, err
    assert tree(outside) == {"story.txt": b"precious\n", "clusters.json": b"precious\n"}
    assert not (out / "story.txt").is_symlink() and not (out / "clusters.json").is_symlink()
    assert json.loads((out / "clusters.json").read_text(encoding="utf-8"))[0]["file"] == "story.txt"


@pytest.mark.parametrize("delay", [0.2, 0.4])
def test_sigterm_to_the_whole_process_group_with_jobs_ends_the_run(many: tuple[Path, dict[str, dict[str, bytes]]],
                                                                   tmp_path: Path, delay: float) -> None:
    """`timeout`, systemd and CI runners signal every process of the job, the pool's workers included."""
    root, _ = many
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    args = [sys.executable, "-m", "cleanwire", "dedupe", "docs", "--format", "jsonl", "--jobs", "2",
            "--output-dir", str(tmp_path / "out")]
    process = subprocess.Popen(args, cwd=root, env=subprocess_env(tmpdir), stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, start_new_session=True)
    try:
        wait_for(lambda: any(p.name.endswith(".spill") for p in tmpdir.iterdir()), process)
        time.sleep(delay)  # into the cleaning pass, while the workers send and receive batches
        os.killpg(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode in (ExitCode.INTERRUPTED, ExitCode.SUCCESS), err.decode()
    assert "Traceback" not in err.decode()
    assert temp_files(tmpdir) == []


def test_a_run_never_reads_its_own_outputs_inside_an_input_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for n in range(3):
        (data / f"s{n}.txt").write_text(story(300 + n), encoding="utf-8")
    args = ("dedupe", data, "--format", "jsonl", "--output-dir", data / "clean", "--errors", data / "errors.jsonl",
            "--stats", data / "stats.json", "--overwrite")
    first = run_cli(*args)
    second = run_cli(*args)  # e.g. the next CI run over the same folder
    assert first[0] == second[0] == ExitCode.SUCCESS, (first[2], second[2])
    assert first[1] == second[1]
    assert sorted(r["id"] for r in jsonl(second[1])) == ["s0.txt", "s1.txt", "s2.txt"]


def test_a_real_run_exits_with_its_code_and_output_and_still_lets_a_profiler_write(tmp_path: Path) -> None:
    done = run_process("dedupe", SEEDS, tmp_path / "missing.txt", "--format", "jsonl")
    assert done.returncode == ExitCode.INPUT_ERRORS
    assert len(jsonl(done.stdout.decode())) == 2  # everything written before the quick exit
    assert b"1 duplicate" in done.stderr and b"missing.txt" in done.stderr
    profile = tmp_path / "run.prof"
    profiled = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "cleanwire", "dedupe",
                               str(SEEDS), "--format", "jsonl"], capture_output=True, env=subprocess_env(), timeout=120)
    assert profiled.returncode == 0 and len(jsonl(profiled.stdout.decode())) == 2
    assert profile.stat().st_size > 0  # cProfile writes its file at exit: no quick exit under it
