"""Compressed inputs: gzip, zstd, bzip2, xz, by signature and by name, streamed, cut into pieces for workers;
a truncated or corrupt archive is one error after the records before the damage."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import json
import lzma
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from ingest_helpers import STORY, read

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest import InputSet, parts
from cleanwire.ingest.compressed import ArchiveError, compression_of, open_decompressed

COMPRESSORS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip": (".gz", lambda data: gzip.compress(data, mtime=0)),
    "zstd": (".zst", lambda data: zstandard.ZstdCompressor(write_checksum=True).compress(data)),
    "bzip2": (".bz2", bz2.compress),
    "xz": (".xz", lzma.compress),
}


def records(n: int, start: int = 0) -> bytes:
    """JSON lines whose texts differ (hex words), so they compress about as much as real text does."""
    return "".join(json.dumps({"id": f"r{i}", "text": f"Record {i}. {STORY}{_words(i)}", "lang": "en"}) + "\n"
                   for i in range(start, start + n)).encode()


def _words(i: int) -> str:
    return " ".join(hashlib.blake2b(f"{i}.{j}".encode(), digest_size=4).hexdigest() for j in range(40))


def fields(docs: list[Document]) -> list[tuple[str, str, str | None, dict[str, object]]]:
    return [(d.id, d.text, d.error, d.metadata) for d in docs]


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_json_lines_read_as_the_plain_file(tmp_path: Path, kind: str) -> None:
    ext, compress = COMPRESSORS[kind]
    data = records(40)
    (tmp_path / "plain.jsonl").write_bytes(data)
    (tmp_path / f"packed.jsonl{ext}").write_bytes(compress(data))
    plain, packed = read([tmp_path / "plain.jsonl"]), read([tmp_path / f"packed.jsonl{ext}"])
    assert len(plain) == 40 and fields(plain) == fields(packed)
    assert packed[3].source == f"{tmp_path / f'packed.jsonl{ext}'}:4"
    assert compression_of(compress(data)) == kind


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_compressed_by_signature_whatever_the_name(tmp_path: Path, kind: str) -> None:
    _, compress = COMPRESSORS[kind]
    (tmp_path / "shard-0001").write_bytes(compress(records(3)))  # no extension: JSON lines found inside
    (tmp_path / "page.html.bin").write_bytes(compress(f"<html><body><p>{STORY}</p></body></html>".encode()))
    (tmp_path / "dump.txt").write_bytes(compress(STORY.encode()))  # named as text, compressed anyway
    docs = read([tmp_path / "shard-0001", tmp_path / "page.html.bin", tmp_path / "dump.txt"])
    assert [(d.id.rsplit("/", 1)[-1], d.kind, d.error) for d in docs] == [
        ("dump.txt", "text", None), ("page.html.bin", "html", None),
        ("r0", "text", None), ("r1", "text", None), ("r2", "text", None)]


def test_a_gz_name_on_plain_data_is_read_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl.gz").write_bytes(records(2))
    assert [(d.id, d.error) for d in read([tmp_path / "a.jsonl.gz"])] == [("r0", None), ("r1", None)]


def test_compressed_stdin_and_folders(tmp_path: Path) -> None:
    data = records(5)
    docs = read(["-"], stdin=io.BytesIO(gzip.compress(data)))
    assert [d.id for d in docs] == [f"r{i}" for i in range(5)] and docs[0].source == "stdin:1"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    (tmp_path / "in" / "b.txt.xz").write_bytes(lzma.compress(STORY.encode()))
    docs = read([tmp_path / "in"])
    assert [d.id for d in docs] == ["r0", "r1", "r2", "r3", "r4", "b.txt.xz"]
    assert all(d.error is None for d in docs)


def test_concatenated_members_and_frames_are_one_stream(tmp_path: Path) -> None:
    data = records(6)
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(data[:100]) + gzip.compress(data[100:]) + b"\x00" * 8)
    frames = zstandard.ZstdCompressor()
    (tmp_path / "b.jsonl.zst").write_bytes(frames.compress(data[:500]) + frames.compress(data[500:]))
    for name in ("a.jsonl.gz", "b.jsonl.zst"):
        assert [(d.id, d.error) for d in read([tmp_path / name])] == [(f"r{i}", None) for i in range(6)]


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
@pytest.mark.parametrize("damage", ["truncated", "corrupt"])
def test_a_damaged_archive_keeps_the_records_before_and_is_one_error(tmp_path: Path, kind: str,
                                                                     damage: str) -> None:
    ext, compress = COMPRESSORS[kind]
    data = records(3000)
    packed = compress(data)
    cut = len(packed) * 2 // 3
    if damage == "truncated":
        bad = packed[:cut]
    else:  # flipped bytes: caught by the format's checks (a CRC, a block check, zstd's checksum)
        bad = packed[:cut] + bytes(b ^ 0xA5 for b in packed[cut:cut + 64]) + packed[cut + 64:]
    path = tmp_path / f"x.jsonl{ext}"
    path.write_bytes(bad)
    docs = read([path])
    archive_errors = [d for d in docs if (d.error or "").startswith(("truncated", "corrupt"))]
    assert len(archive_errors) == 1 and docs[-1] is archive_errors[0]
    error = docs[-1]
    assert error.source == str(path) and error.error is not None and kind in error.error
    assert "records before it are kept" in error.error
    lines = int(error.error.split("after line ")[1].split(",")[0])
    texts = [json.loads(line)["text"] for line in data.splitlines()]
    before = next(n for n, d in enumerate(docs) if d.id != f"r{n}" or d.text != texts[n])
    assert 500 < before <= lines < 3000  # the records before the damage, in order, whole
    if damage == "truncated":  # found where it is: every line before it is a record
        assert before == lines == len(docs) - 1
    # else a format's check (a gzip member's CRC, a bzip2 block's, a zstd frame's checksum) may come after
    # lines decoded from the damage: they are what they are (mostly invalid lines), and the run ends with
    # this error, so its exit code says the output is not to be trusted


@pytest.mark.parametrize("name", ["x.jsonl.gz", "-"])
def test_a_small_truncated_archive_keeps_the_records_before_the_cut(tmp_path: Path, name: str) -> None:
    # all of it within the first bytes that are sniffed: those that came before the cut still count
    data = records(20)
    packed = gzip.compress(data, mtime=0)[:-12]
    path = tmp_path / "x.jsonl.gz"
    path.write_bytes(packed)
    docs = read(["-"], stdin=io.BytesIO(packed)) if name == "-" else read([path])
    assert [d.error for d in docs[:-1]] == [None] * (len(docs) - 1) and len(docs) > 15
    assert "the records before it are kept" in (docs[-1].error or "")


def test_a_damaged_compressed_page_is_one_error(tmp_path: Path) -> None:
    packed = gzip.compress((STORY * 200).encode())
    (tmp_path / "page.txt.gz").write_bytes(packed[: len(packed) // 2])
    docs = read([tmp_path / "page.txt.gz"])
    assert len(docs) == 1 and (docs[0].error or "").startswith("truncated gzip data")


def test_compressed_pages_obey_the_size_limit_decompressed(tmp_path: Path) -> None:
    (tmp_path / "big.txt.gz").write_bytes(gzip.compress(STORY.encode() * 1000))
    docs = read([tmp_path / "big.txt.gz"], max_bytes=10_000)
    assert len(docs) == 1 and "too large" in (docs[0].error or "") and "decompressed" in (docs[0].error or "")


def test_stream_reads_in_bounded_pieces() -> None:
    data = b"a" * (10 * 1024 * 1024)  # compresses 1000:1: the stream must not make it in one piece
    reader = open_decompressed(io.BytesIO(gzip.compress(data)), "gzip")
    raw = reader.raw
    buffer = bytearray(1024 * 1024)
    assert raw.readinto(buffer) == len(buffer)  # type: ignore[attr-defined]
    assert len(raw._out) <= 64 * 1024  # type: ignore[attr-defined]  # made a piece at a time
    assert len(buffer) + len(reader.read()) == len(data)


def test_stream_hands_out_what_came_before_the_damage() -> None:
    packed = lzma.compress(records(2000))
    reader = open_decompressed(io.BytesIO(packed[: len(packed) // 2]), "xz")
    lines = []
    with pytest.raises(ArchiveError, match="truncated xz data"):
        for line in reader:
            lines.append(line)
    assert len(lines) > 500 and all(line.endswith(b"\n") for line in lines)


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of 8 KiB, so a small file is cut into many pieces."""
    monkeypatch.setattr(parts, "PART_BYTES", 8 * 1024)
    monkeypatch.setattr(parts, "COMPRESSED_PART_BYTES", 1024)


def _parts_and_docs(paths: list[Path]) -> tuple[list[parts.Part], list[Document]]:
    with InputSet([str(p) for p in paths], IngestConfig()) as inputs:
        cut = list(inputs.parts())
        docs = list(inputs.documents())
        docs_again = list(inputs.documents())  # a second pass (templates, then cleaning) reads the same
        assert fields(docs) == fields(docs_again)
    return cut, docs


@pytest.mark.usefixtures("small_parts")
@pytest.mark.parametrize("kind", ["gzip", "zstd"])
def test_large_compressed_json_lines_are_cut_into_pieces_for_workers(tmp_path: Path, kind: str) -> None:
    ext, compress = COMPRESSORS[kind]
    data = records(300)
    long_line = json.dumps({"id": "long", "text": STORY * 200}).encode() + b"\n"  # longer than a part
    data = data[:30000].rsplit(b"\n", 1)[0] + b"\n" + long_line + b"\n\n" + data[30000:].split(b"\n", 1)[1]
    (tmp_path / "plain.jsonl").write_bytes(data)
    (tmp_path / f"packed.jsonl{ext}").write_bytes(compress(data))
    _, plain = _parts_and_docs([tmp_path / "plain.jsonl"])
    cut, packed = _parts_and_docs([tmp_path / f"packed.jsonl{ext}"])
    assert len(cut) > 5 and all(p.entries[0].format == "jsonl" for p in cut)
    assert fields(plain) == fields(packed)
    assert [d.source.rsplit(":", 1)[1] for d in plain] == [d.source.rsplit(":", 1)[1] for d in packed]
    assert any(d.id == "long" for d in packed)


@pytest.mark.usefixtures("small_parts")
def test_a_truncated_large_archive_keeps_its_pieces_then_one_error(tmp_path: Path) -> None:
    data = records(400)
    packed = gzip.compress(data)
    (tmp_path / "x.jsonl.gz").write_bytes(packed[: len(packed) * 3 // 4])
    _, docs = _parts_and_docs([tmp_path / "x.jsonl.gz"])
    good = [d for d in docs if d.error is None]
    assert [d.error is None for d in docs] == [True] * len(good) + [False]
    assert [d.id for d in good] == [f"r{i}" for i in range(len(good))] and len(good) > 100
    assert f"after line {len(good)}," in (docs[-1].error or "")


@pytest.mark.usefixtures("small_parts")
def test_a_large_archive_of_blank_lines_is_an_empty_input(tmp_path: Path) -> None:
    (tmp_path / "blank.jsonl.gz").write_bytes(gzip.compress(b"\n" * 200_000))
    docs = read([tmp_path / "blank.jsonl.gz"], input_format="jsonl")
    assert [(d.error) for d in docs] == ["empty input"]


def test_outputs_of_every_form_of_one_corpus_are_byte_identical(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from cleanwire.cli import cli

    lines = [json.dumps({"id": f"d{i}", "text": f"{STORY}{_words(i % 7)}", "url": f"https://x.test/{i}",
                         "lang": "en"}) for i in range(30)]
    data = ("\n".join(lines) + "\n").encode()
    forms = {"jsonl": data, "jsonl.gz": gzip.compress(data, mtime=0),
             "jsonl.zst": zstandard.ZstdCompressor().compress(data)}
    runner = CliRunner()
    outputs = {}
    for form, payload in forms.items():
        # on stdin every form is named alike ("stdin:<line>"): the whole output is byte for byte the same
        done = runner.invoke(cli, ["dedupe", "-", "--all", "--format", "jsonl", "-q"], input=payload)
        assert done.exit_code == 0, done.output
        outputs[form] = done.stdout_bytes
        # as files, only `source` differs: it names the file read
        (tmp_path / f"corpus.{form}").write_bytes(payload)
        done = runner.invoke(cli, ["dedupe", str(tmp_path / f"corpus.{form}"), "--all", "--format", "jsonl", "-q"])
        assert done.exit_code == 0, done.output
        named = done.stdout_bytes.replace(f"corpus.{form}:".encode(), b"corpus:")
        outputs[form + " file"] = named
    assert len(outputs["jsonl"].splitlines()) == 30
    assert outputs["jsonl"] == outputs["jsonl.gz"] == outputs["jsonl.zst"]
    assert outputs["jsonl file"] == outputs["jsonl.gz file"] == outputs["jsonl.zst file"]
