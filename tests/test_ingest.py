"""Ingest: every input comes out as a Document or one error Document, in a deterministic order."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cleanwire.ingest import decode, discover, ids, jsonl, parts, reader, sniff
from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest import RENAMED_FROM_KEY, InputSet

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fixtures" / "seeds"
BAD = ROOT / "fixtures" / "bad"

STORY = ("The harbour committee met on Thursday and agreed a new fee for every berth in the marina. "
         "Fishermen said the figure was unfair and promised to raise it with the council next month.\n")


def read(inputs: list[str | Path], stdin: io.BytesIO | None = None, **cfg: object) -> list[Document]:
    with InputSet([str(i) for i in inputs], IngestConfig(**cfg), stdin=stdin) as inputs_set:  # type: ignore[arg-type]
        return list(inputs_set.documents())


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {doc.id: doc for doc in docs}


def one(inputs: list[str | Path], **cfg: object) -> Document:
    docs = read(inputs, **cfg)
    assert len(docs) == 1, [(d.id, d.error) for d in docs]
    return docs[0]


# ---------------------------------------------------------------- ids, order, formats


def test_folder_ids_are_relative_paths_and_file_ids_are_as_given() -> None:
    docs = read([SEEDS])
    assert [d.id for d in docs] == sorted(p.name for p in SEEDS.iterdir())
    assert all(d.error is None and d.kind == "text" and d.text for d in docs)
    assert docs[0].source == str(SEEDS / docs[0].id)
    given = str(SEEDS / "000_3ff13f3d5dec7158.txt")
    assert one([given]).id == given


def test_nested_folder_ids_use_slashes_and_hidden_entries_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(STORY)
    (tmp_path / ".hidden.txt").write_text(STORY)
    (tmp_path / "b" / "c" / "deep.txt").write_text(STORY)
    (tmp_path / "a.txt").write_text(STORY)
    assert [d.id for d in read([tmp_path])] == ["a.txt", "b/c/deep.txt"]


def test_order_does_not_depend_on_argument_order(tmp_path: Path) -> None:
    for name in ("z.txt", "m.txt", "a.txt"):
        (tmp_path / name).write_text(f"{name}: {STORY}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "k.txt").write_text(STORY)
    args = [tmp_path / "z.txt", tmp_path / "sub", tmp_path / "a.txt", tmp_path / "m.txt"]
    first = [(d.id, d.text) for d in read(args)]
    assert first == [(d.id, d.text) for d in read(list(reversed(args)))]
    assert first == [(d.id, d.text) for d in read(args[1:] + args[:1])]


def test_glob_filters_files_inside_folders_only(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.html", "sub/c.txt", "sub/d.md"):
        (tmp_path / name).write_text(STORY)
    assert [d.id for d in read([tmp_path], glob="*.txt")] == ["a.txt", "sub/c.txt"]
    assert [d.id for d in read([tmp_path], glob="sub/*")] == ["sub/c.txt", "sub/d.md"]
    assert [d.id for d in read([tmp_path], glob="**/*.txt")] == ["a.txt", "sub/c.txt"]
    explicit = tmp_path / "b.html"
    assert [d.id for d in read([explicit], glob="*.txt")] == [str(explicit)]


def test_format_by_extension_then_by_sniffing(tmp_path: Path) -> None:
    html = "<!DOCTYPE html>\n<html><head><title>T</title></head><body><p>" + STORY + "</p></body></html>"
    (tmp_path / "page.htm").write_text(html)
    (tmp_path / "page_no_ext").write_text("\n  " + html)
    (tmp_path / "records.data").write_text(json.dumps({"id": "r1", "text": STORY}) + "\n")
    (tmp_path / "dump.txt").write_text(html)  # .txt is a text dump whatever it holds
    (tmp_path / "less_than.dat").write_text("<3 is a heart, and " + STORY)
    docs = by_id(read([tmp_path]))
    assert docs["page.htm"].kind == "html" and docs["page.htm"].text == html
    assert docs["page_no_ext"].kind == "html"
    assert docs["r1"].kind == "text" and docs["r1"].source.endswith("records.data:1")
    assert docs["dump.txt"].kind == "text"
    assert docs["less_than.dat"].kind == "text"


def test_forced_input_format(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("<p>" + STORY + "</p>")
    assert one([page], input_format="html").kind == "html"
    records = tmp_path / "records.txt"
    records.write_text(json.dumps({"text": STORY}) + "\n")
    assert one([records], input_format="jsonl").id == f"{records}:1"


def test_json_array_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "all.json"
    path.write_text(json.dumps([{"text": STORY}]))
    assert "jq -c" in (one([path]).error or "")


# ---------------------------------------------------------------- the bad-input fixtures


@pytest.mark.parametrize(
    ("name", "error", "kind", "snippet"),
    [
        ("image.png", "binary file (PNG image)", None, None),
        ("page.txt.gz", "binary file (gzip data", None, None),
        ("empty.txt", "empty input", None, None),
        ("whitespace_only.txt", "empty input", None, None),
        ("invalid_utf8.txt", None, "text", "Café prices rose again. The bridge"),
        ("cp1252_page.txt", None, "text", "agreed a “temporary” fee of €12 per berth — a figure"),
        ("latin1_page.txt", None, "text", "a voté mardi soir un budget révisé pour l'école élémentaire. « Nous"),
        ("shift_jis_page.txt", None, "text", "港町の市議会は木曜日、新しい防波堤の建設計画を承認した。"),
        ("deeply_nested.html", None, "html", "<div><div><div>"),
        ("malformed.html", None, "html", "<table><tr><td>unclosed"),
    ],
)
def test_bad_input_fixture(name: str, error: str | None, kind: str | None, snippet: str | None) -> None:
    doc = one([BAD / name])
    assert doc.id == str(BAD / name) and doc.source == str(BAD / name)
    if error is None:
        assert doc.error is None and doc.kind == kind and snippet in doc.text
    else:
        assert doc.text == "" and doc.error is not None and doc.error.startswith(error)
        assert "\n" not in doc.error


def test_bad_folder_accounts_for_every_input() -> None:
    docs = read([BAD])
    files = sorted(p.name for p in BAD.iterdir() if p.suffix != ".jsonl" and not p.name.startswith("."))
    record_lines = [ln for ln in (BAD / "records.jsonl").read_text().splitlines() if ln.strip()]
    assert len(docs) == len(files) + len(record_lines)
    assert len({d.id for d in docs}) == len(docs)


# ---------------------------------------------------------------- decoding


def test_invalid_utf8_keeps_the_valid_text_and_marks_the_bad_bytes() -> None:
    doc = one([BAD / "invalid_utf8.txt"])
    assert "café owners said" in doc.text and "\ufffd" in doc.text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le marché de Noël s'est ouvert samedi à Colmar, où les exposants ont présenté leurs créations. "
         "« C'est une très belle édition », a déclaré l'organisatrice.\n" * 3, "latin-1"),
        ("The council’s “final” offer — €3 million — was rejected… Residents were not surprised.\n" * 3, "cp1252"),
        ("Городской совет в четверг утвердил план строительства нового моста через реку. "
         "Работы начнутся весной следующего года.\n" * 3, "cp1251"),
        ("港町の市議会は木曜日、新しい防波堤の建設計画を承認した。工事は来年春に始まる見通しだ。\n" * 3, "shift_jis"),
        ("Die Stadtverwaltung hat am Donnerstag beschlossen, die Brücke über den Fluss für größere Fahrzeuge "
         "zu sperren. Anwohner äußerten Verständnis.\n" * 3, "cp1252"),
        (STORY + "naïve café\n", "utf-8-sig"),
        (STORY + "naïve café\n", "utf-16"),
        (STORY + "naïve café\n", "utf-16-le"),
        (STORY + "naïve café\n", "utf-32"),
    ],
)
def test_legacy_and_wide_encodings_decode_exactly(tmp_path: Path, text: str, encoding: str) -> None:
    path = tmp_path / "page.txt"
    path.write_bytes(text.encode(encoding))
    doc = one([path])
    assert doc.error is None
    assert doc.text.lstrip("\ufeff") == text


LANGUAGES = {
    "fr": ("Le conseil municipal a voté mardi soir à la mairie un budget révisé pour l'école élémentaire, "
           "où le maître présentera sa leçon. ", "cp1252"),
    "es": ("El ayuntamiento aprobó el jueves el plan para construir un puente nuevo. España celebra. "
           "Señor Muñoz dijo que sí. ", "cp1252"),
    "pt": ("A câmara municipal aprovou na quinta-feira o plano de construção de uma nova ponte. "
           "Não há dúvidas, disse o presidente. ", "cp1252"),
    "it": ("Il consiglio comunale ha approvato giovedì il piano per il nuovo ponte sulla città. "
           "È una novità, ha detto il sindaco. ", "cp1252"),
    "de": ("Die Stadtverwaltung hat am Donnerstag beschlossen, die Brücke über den Fluss für größere "
           "Fahrzeuge zu sperren. ", "cp1252"),
    "da": ("Byrådet godkendte torsdag planen om at bygge en ny bro over åen. Arbejdet begynder næste forår. ",
           "cp1252"),
    "en": ("The council’s “final” offer — €3 million — was rejected… Residents were not surprised. ", "cp1252"),
    "cs": ("Městská rada ve čtvrtek schválila plán výstavby nového mostu přes řeku. Práce začnou příští rok. ",
           "cp1250"),
    "pl": ("Rada miasta w czwartek zatwierdziła plan budowy nowego mostu na rzece. Prace rozpoczną się wiosną. ",
           "cp1250"),
    "hu": ("A városi tanács csütörtökön jóváhagyta az új híd építésének tervét. A munkálatok jövő tavasszal "
           "kezdődnek. ", "cp1250"),
    "ro": ("Consiliul local a aprobat joi planul de construire a unui pod nou peste râu. Lucrările vor începe "
           "în primăvara anului viitor. ", "cp1250"),
    "ru": ("Городской совет в четверг утвердил план строительства нового моста через реку. ", "cp1251"),
    "el": ("Το δημοτικό συμβούλιο ενέκρινε την Πέμπτη το σχέδιο για τη νέα γέφυρα πάνω από τον ποταμό. ",
           "cp1253"),
    "he": ("מועצת העיר אישרה ביום חמישי את התוכנית לבניית גשר חדש מעל הנהר. ", "cp1255"),
    "ja": ("港町の市議会は木曜日、新しい防波堤の建設計画を承認した。", "shift_jis"),
    "zh": ("市议会周四批准了在河上修建新桥的计划。工程将于明年春天开始。", "gb18030"),
    "zh-hant": ("市議會週四批准了在河上修建新橋的計劃。工程將於明年春天開始。", "big5"),
    "ko": ("시의회는 목요일 강 위에 새 다리를 건설하는 계획을 승인했다. ", "euc_kr"),
}


@pytest.mark.parametrize("repeat", [1, 3])
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_legacy_encodings_of_many_languages(lang: str, repeat: int) -> None:
    text, encoding = LANGUAGES[lang]
    assert decode.decode_bytes((text * repeat).encode(encoding)) == text * repeat


def test_invalid_byte_far_into_a_long_utf8_file() -> None:
    data = ("plain ascii line of a story\n" * 100_000 + "naïve café\n" * 100).encode() + b"\xff end\n"
    text = decode.decode_bytes(data)
    assert text is not None and text.endswith("naïve café\n\ufffd end\n")


def test_json_lines_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(json.dumps({"id": "fr", "text": "Réunion à la mairie"}, ensure_ascii=False).encode("cp1252"))
    assert one([path]).text == "Réunion à la mairie"
    wide = tmp_path / "wide.jsonl"
    wide.write_bytes(json.dumps({"text": STORY}).encode("utf-16"))
    assert one([wide]).error == "JSON lines in UTF-16/32; convert to UTF-8 (iconv)"


def test_html_declared_charset_is_used_when_not_utf8(tmp_path: Path) -> None:
    html = ('<html><head><meta charset="windows-1252"><title>Ville</title></head>'
            "<body><p>Réunion du conseil à la mairie, mardi.</p></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp1252"))
    doc = one([path])
    assert doc.kind == "html" and "Réunion du conseil à la mairie" in doc.text


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        gzip.compress(STORY.encode() * 20, mtime=0),
        b"\xff\xd8\xff\xe0" + bytes(200),
        b"PK\x03\x04" + b"\x14\x00" * 50,
        random.Random(7).randbytes(4096),
        STORY.encode() + b"\x00\x00\x01\x02" + STORY.encode(),
        bytes(range(1, 32)) * 50,
    ],
    ids=["png", "gzip", "jpeg", "zip", "random", "nul", "controls"],
)
def test_binary_files_are_one_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "blob.txt"
    path.write_bytes(data)
    doc = one([path])
    assert doc.error is not None and doc.error.startswith("binary file"), doc.error
    assert doc.text == ""


def test_empty_and_whitespace_only_inputs(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text(" \n\t\u00a0\u3000\n")
    (tmp_path / "blank.html").write_text("   \n")
    for doc in read([tmp_path]):
        assert doc.error == "empty input"


# ---------------------------------------------------------------- size limits


def _write_large(path: Path, size: int) -> None:
    line = b"All work and no play makes a dull story. " * 24 + b"\n"
    chunk = line * (1024 * 1024 // len(line) + 1)
    with open(path, "wb") as out:
        written = 0
        while written < size:
            part = chunk[: size - written]
            out.write(part)
            written += len(part)


def test_file_above_max_bytes_is_refused_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as out:  # sparse: 200 MB on paper, nothing on disk, and never read
        out.truncate(200 * 1024 * 1024)
    start = time.perf_counter()
    doc = one([path], max_bytes=10 * 1024 * 1024)
    assert doc.error == f"too large: {200 * 1024 * 1024} bytes (limit {10 * 1024 * 1024})"
    assert time.perf_counter() - start < 1.0


def test_file_of_200_mb_is_read_when_the_limit_allows(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    size = 200 * 1024 * 1024
    _write_large(path, size)
    start = time.perf_counter()
    doc = one([path], max_bytes=256 * 1024 * 1024)
    elapsed = time.perf_counter() - start
    assert doc.error is None and len(doc.text) == size
    assert elapsed < 10, elapsed


def test_single_10_mb_line(tmp_path: Path) -> None:
    line = ("word" * 2_621_440).encode()  # 10 MiB, no newline at all
    (tmp_path / "one_line.txt").write_bytes(line)
    record = json.dumps({"id": "long", "text": line.decode()}).encode()
    (tmp_path / "one_line.jsonl").write_bytes(record + b"\n" + json.dumps({"id": "next", "text": STORY}).encode())
    docs = by_id(read([tmp_path]))
    assert len(docs["one_line.txt"].text) == len(line)
    assert len(docs["long"].text) == len(line) and docs["next"].text == STORY
    limited = by_id(read([tmp_path], max_line_bytes=1024 * 1024))
    assert limited["one_line.jsonl:1"].error == f"JSON line longer than {1024 * 1024} bytes"
    assert limited["one_line.jsonl:1"].source == f"{tmp_path / 'one_line.jsonl'}:1"
    assert limited["next"].text == STORY
    assert len(limited["one_line.txt"].text) == len(line)  # text files are bounded by max_bytes only


# ---------------------------------------------------------------- JSON lines


def test_json_lines_fixture() -> None:
    docs = read([BAD / "records.jsonl"])
    src = str(BAD / "records.jsonl")
    rows = [(d.id, d.source.rsplit(":", 1)[1], d.kind, d.error) for d in docs]
    assert rows == [
        ("a1", "1", "text", None),
        (f"{src}:2", "2", "text", "invalid JSON: Expecting ',' delimiter: line 2 column 1 (char 59)"),
        ("a3", "4", "text", "no 'text' or 'html' field"),
        ("a4", "5", "text", "field 'text' is a number, not a string"),
        ("a5", "6", "html", None),
        (f"{src}:7", "7", "text", "not a JSON object but an array"),
        (f"{src}:8", "8", "text", None),
        ("a1#2", "9", "text", None),
        ("7", "10", "text", None),
    ]
    first = docs[0]
    assert first.metadata == {"lang": "en", "tags": ["civic"]}
    assert docs[7].metadata == {RENAMED_FROM_KEY: "a1"}
    assert docs[8].metadata == {"extra": {"nested": [1, {"k": None}]}}
    assert docs[4].text == "<p>The ferry timetable changed this week.</p>"


def test_json_lines_fields_pass_through_and_configurable_names(tmp_path: Path) -> None:
    record = {"doc_id": "x", "body": STORY, "link": "https://example.org/x", "headline": "Fee agreed",
              "author": "A. Writer", "score": 0.5, "flags": None, "title": 3}
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n")
    doc = one([path], id_field="doc_id", text_field="body", url_field="link", title_field="headline")
    assert (doc.id, doc.text, doc.url, doc.title) == ("x", STORY, "https://example.org/x", "Fee agreed")
    assert (doc.author, doc.date) == ("A. Writer", None)
    assert doc.metadata == {"score": 0.5, "flags": None, "title": 3}


def test_json_lines_edge_records(tmp_path: Path) -> None:
    lines = [
        "\ufeff" + json.dumps({"id": "bom", "text": STORY}),  # a BOM on the first line
        json.dumps({"id": "crlf", "text": STORY}) + "\r",
        "   ",
        json.dumps({"id": "empty", "text": "  "}),
        json.dumps({"id": "nulltext", "text": None}),
        json.dumps({"id": "listhtml", "html": ["<p>"]}),
        '{"id": "nan", "text": "x", "score": NaN}',
        "[" * 100_000 + "]" * 100_000,
        '{"id": "big", "n": ' + "9" * 5000 + ', "text": "x"}',
        json.dumps({"id": "surrogate\ud800", "text": "lone \ud800 surrogate", "title": "t\udfff",
                    "meta\udc00": ["x\ud800", {"k": "\udbff"}]}),
        json.dumps({"id": True, "text": STORY}),
        json.dumps({"id": {"a": 1}, "text": STORY}),
        json.dumps({"id": "", "text": STORY}),
        json.dumps("just a string"),
    ]
    path = tmp_path / "edge.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n\xff\xfe garbage\n")
    docs = read([path])
    got = {d.id: d.error for d in docs}
    assert got["bom"] is None and got["crlf"] is None
    assert got["empty"] == "empty input"
    assert got["nulltext"] == "no 'text' or 'html' field"
    assert got["listhtml"] == "field 'html' is an array, not a string"
    assert got[f"{path}:7"] == "invalid JSON: NaN is not JSON"
    assert got[f"{path}:8"] == "invalid JSON: nested too deeply"
    assert (got[f"{path}:9"] or "").startswith("invalid JSON")
    surrogate = by_id(docs)["surrogate\ufffd"]
    assert surrogate.text == "lone \ufffd surrogate" and surrogate.title == "t\ufffd"
    assert surrogate.metadata == {"meta\ufffd": ["x\ufffd", {"k": "\ufffd"}]}
    json.dumps(surrogate.metadata, ensure_ascii=False).encode("utf-8")
    assert got["true"] is None and got['{"a":1}'] is None and got[f"{path}:13"] is None
    assert got[f"{path}:14"] == "not a JSON object but a string"
    assert (got[f"{path}:15"] or "").startswith("invalid JSON")
    assert len(docs) == 14  # every non-blank line, once


def test_duplicate_ids_get_a_suffix_and_a_note(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"{n} {STORY}"}) for n, i in enumerate(["x", "x", "x#2", "x", "y"])]
    (tmp_path / "a.jsonl").write_text("\n".join(lines))
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "b" / "same.txt").write_text(STORY)
    (tmp_path / "c" / "same.txt").write_text(STORY)
    docs = read([tmp_path / "a.jsonl", tmp_path / "c", tmp_path / "b"])
    ids = [d.id for d in docs]
    assert len(set(ids)) == len(ids)
    # the file argument's id is its absolute path, which sorts before the folder files' "same.txt"
    assert ids == ["x", "x#2", "x#2#2", "x#3", "y", "same.txt", "same.txt#2"]
    renamed = {d.id: d.metadata.get(RENAMED_FROM_KEY) for d in docs}
    assert renamed["x#2"] == "x" and renamed["x#2#2"] == "x#2" and renamed["x#3"] == "x"
    assert renamed["same.txt#2"] == "same.txt" and renamed["y"] is None
    same = [d for d in docs if d.id.startswith("same.txt")]
    assert [d.source for d in same] == [str(tmp_path / "b" / "same.txt"), str(tmp_path / "c" / "same.txt")]
    assert [d.id for d in read([tmp_path / "b", tmp_path / "c", tmp_path / "a.jsonl"])] == ids


# ---------------------------------------------------------------- stdin and FIFOs


def test_stdin_is_spooled_and_read_twice() -> None:
    lines = "\n".join(json.dumps({"text": f"{n} {STORY}", "k": n}) for n in range(3)) + "\n"
    inputs = InputSet(["-"], IngestConfig(), stdin=io.BytesIO(lines.encode()))
    first = [(d.id, d.source, d.text, d.metadata) for d in inputs.documents()]
    second = [(d.id, d.source, d.text, d.metadata) for d in inputs.documents()]
    assert first == second
    assert [row[:2] for row in first] == [("stdin:1", "stdin:1"), ("stdin:2", "stdin:2"), ("stdin:3", "stdin:3")]
    spool = next(inputs.parts()).entries[0].path  # stdin read from its spooled copy
    assert os.path.exists(spool)
    inputs.close()
    assert not os.path.exists(spool)


def test_stdin_text_and_html_have_the_id_stdin() -> None:
    assert one_stdin(STORY.encode()).id == "stdin"
    doc = one_stdin(b"<html><body><p>" + STORY.encode() + b"</p></body></html>")
    assert (doc.id, doc.source, doc.kind) == ("stdin", "stdin", "html")
    assert one_stdin(b"").error == "empty input"


def one_stdin(data: bytes, **cfg: object) -> Document:
    docs = read(["-"], stdin=io.BytesIO(data), **cfg)
    assert len(docs) == 1
    return docs[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_argument_is_spooled(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text(STORY))
    writer.start()
    with InputSet([str(fifo)], IngestConfig()) as inputs:
        first = [d.text for d in inputs.documents()]
        writer.join()
        assert first == [STORY] == [d.text for d in inputs.documents()]


# ---------------------------------------------------------------- file system failures


@pytest.mark.skipif(os.name != "posix", reason="byte file names")
def test_file_names_that_are_not_utf8_get_printable_ids(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(name, "wb") as out:
        out.write(STORY.encode())
    doc = one([tmp_path])
    assert doc.text == STORY and doc.id == "caf\ufffd.txt"
    doc.id.encode("utf-8")
    doc.source.encode("utf-8")


def test_sources_are_one_line_whatever_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "two\nlines.txt").write_text(STORY)
    doc = one([tmp_path])
    assert doc.id == "two\nlines.txt" and doc.source == f"{tmp_path}/two\\nlines.txt"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_special_files_inside_folders_are_named_errors(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "a.txt").write_text(STORY)
    docs = by_id(read([tmp_path]))
    assert docs["pipe"].error == "not a regular file" and docs["a.txt"].text == STORY


def test_deep_folder_tree(tmp_path: Path) -> None:
    deep = tmp_path
    for _ in range(200):
        deep = deep / "d"
    deep.mkdir(parents=True)
    (deep / "story.txt").write_text(STORY)
    assert one([tmp_path]).id == "d/" * 200 + "story.txt"


def test_missing_path_is_one_error(tmp_path: Path) -> None:
    doc = one([tmp_path / "nope.txt"])
    assert doc.error == "no such file or directory (or a broken symlink)"
    assert doc.id == str(tmp_path / "nope.txt")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_symlink_loops_and_broken_links(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "story.txt").write_text(STORY)
    os.symlink("..", corpus / "sub" / "up")  # a folder cycle
    os.symlink("self", corpus / "self")  # a link to itself
    os.symlink("missing.txt", corpus / "dangling.txt")
    os.symlink("sub", corpus / "again")  # the same folder by another route: read once
    docs = by_id(read([corpus]))
    assert docs["sub/story.txt"].text == STORY
    assert docs["sub/up"].error == "symlink loop: this folder links back to a parent"
    assert docs["self"].error == "too many levels of symbolic links"
    assert docs["dangling.txt"].error == "no such file or directory (or a broken symlink)"
    assert set(docs) == {"sub/story.txt", "sub/up", "self", "dangling.txt"} or set(docs) == {
        "again/story.txt", "again/up", "self", "dangling.txt"}
    loop_arg = one([corpus / "self"])
    assert loop_arg.error == "too many levels of symbolic links"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_real(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(STORY)
    path.chmod(0)
    try:
        assert one([path]).error == "cannot read: permission denied"
    finally:
        path.chmod(0o644)


def test_unreadable_file_and_folder_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.txt").write_text(STORY)
    (tmp_path / "secret.txt").write_text(STORY)
    (tmp_path / "fine.txt").write_text(STORY)
    real_open, real_scandir = open, os.scandir

    def fake_open(path: object, *args: object, **kwargs: object) -> object:
        if str(path).endswith("secret.txt"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    def fake_scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(reader, "open", fake_open, raising=False)
    monkeypatch.setattr(discover.os, "scandir", fake_scandir)
    docs = by_id(read([tmp_path]))
    assert docs["secret.txt"].error == "cannot read: permission denied"
    assert docs["locked"].error == "cannot list folder: permission denied"
    assert docs["fine.txt"].text == STORY


def test_an_unexpected_failure_is_an_error_document(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(STORY)
    (tmp_path / "b.txt").write_text(STORY)

    def broken(data: bytes, html: bool = False) -> str:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(reader, "decode_bytes", broken)
    docs = read([tmp_path])
    assert [(d.id, d.error) for d in docs] == [("a.txt", "RuntimeError: boom second line"),
                                               ("b.txt", "RuntimeError: boom second line")]


# ---------------------------------------------------------------- scale


def test_folder_of_100000_small_files(tmp_path: Path) -> None:
    n = 100_000
    for shard in range(10):
        folder = f"{tmp_path}/s{shard}"
        os.mkdir(folder)
        source = f"{tmp_path}/.story{shard}"
        Path(source).write_text(f"Story {shard}. {STORY}")
        for i in range(shard, n, 10):
            # hard links: creating 100,000 new inodes can take 20 s on a fresh ext4 volume, linking takes 1 s
            try:
                os.link(source, f"{folder}/{i:06d}.txt")
            except OSError:
                shutil.copyfile(source, f"{folder}/{i:06d}.txt")
    start = time.perf_counter()
    count = 0
    last = ""
    with InputSet([str(tmp_path)], IngestConfig()) as inputs:
        for doc in inputs.documents():
            assert doc.error is None and doc.id > last
            last = doc.id
            count += 1
    elapsed = time.perf_counter() - start
    assert count == n
    assert elapsed < 30, elapsed


# ---------------------------------------------------------------- properties


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
LINES = st.one_of(
    st.fixed_dictionaries({}, optional={"id": JSON_VALUES, "text": JSON_VALUES, "html": JSON_VALUES,
                                        "title": JSON_VALUES, "x": JSON_VALUES}).map(json.dumps),
    st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40),
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"").decode("latin-1")),
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=3000))
def test_decode_never_crashes(data: bytes) -> None:
    text = decode.decode_bytes(data)
    assert text is None or isinstance(text, str)
    try:
        expected = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if sniff.binary_kind(data[:65536]) is None and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert text in (expected, None) or text == expected.lstrip("\ufeff")


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, max_size=12))
def test_json_lines_lose_nothing(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "replace")
    docs = read(["-"], stdin=io.BytesIO(data), input_format="jsonl")
    non_blank = [ln for ln in data.split(b"\n") if ln.strip()]
    if sniff.magic_kind(data[:65536]) is not None:  # starts like an image or archive: one "binary file" error
        assert len(docs) == 1 and docs[0].error is not None
        return
    assert len(docs) == max(1, len(non_blank))  # no record at all: one "empty input" error for the input
    assert len({d.id for d in docs}) == len(docs)
    for doc in docs:
        assert (doc.error is None) == bool(doc.text)
        assert doc.error is None or "\n" not in doc.error
        json.dumps([doc.id, doc.text, doc.title, doc.url, doc.metadata, doc.error], ensure_ascii=False).encode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.binary(max_size=300), min_size=1, max_size=8))
def test_every_file_of_a_folder_comes_out_once(contents: list[bytes]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for i, data in enumerate(contents):
            Path(folder, f"{i}.txt").write_bytes(data)
        docs = read([folder])
    assert [d.id for d in docs] == sorted(f"{i}.txt" for i in range(len(contents)))
    assert all((d.error is None) == bool(d.text) for d in docs)


def test_device_arguments_are_refused() -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    assert one(["/dev/zero"]).error == "not a regular file"


@pytest.mark.parametrize(
    "data",
    [
        b"<html><meta charset=" + b" " * 60_000 + b"!\xe9",
        b"<meta " * 10_000 + b"\xe9",
        b"<meta" + b"a" * 60_000 + b"\xe9",
        b"<" * 100_000 + b"\xe9",
        b"\xe9" * 100_000,
        b"a\xe9" * 50_000,
        b"\xe9 " * 50_000,
        b"." * 100_000 + b"\xff",
    ],
    ids=["meta-spaces", "metas", "meta-long", "lt", "high", "alternating", "high-spaced", "dots"],
)
def test_hostile_bytes_decode_in_linear_time(data: bytes) -> None:
    start = time.perf_counter()
    decode.decode_bytes(data, html=True)
    sniff.detect_format("x", data[:65536])
    sniff.binary_kind(data[:65536])
    assert time.perf_counter() - start < 1.0


def test_a_record_that_cannot_be_processed_fails_alone(tmp_path: Path) -> None:
    deep = '{"id": "deep", "text": "x", "m": ' + "[" * 5000 + '"\\ud800"' + "]" * 5000 + "}"
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([deep, json.dumps({"id": "after", "text": STORY})]) + "\n")
    docs = read([path])
    assert [d.id for d in docs][-1] == "after" and docs[-1].text == STORY
    assert len(docs) == 2 and docs[0].error


def test_json_lines_sniffing_survives_a_broken_line() -> None:
    lines = [json.dumps({"id": "a", "text": STORY}), "{broken json", json.dumps({"id": "c", "text": 42})]
    docs = read(["-"], stdin=io.BytesIO("\n".join(lines).encode()))
    assert [(d.id, d.error is None) for d in docs] == [("a", True), ("stdin:2", False), ("c", False)]
    docs = read(["-"], stdin=io.BytesIO("\n".join(["{broken", *lines[:1], *lines[:1]]).encode()))
    assert [d.id for d in docs] == ["stdin:1", "a", "a#2"]
    assert one_stdin(b"{not json at all}\nand some text\n").kind == "text"


def test_json_lines_without_records_are_one_empty_input(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n\n")
    assert one([path]).error == "empty input"
    assert one_stdin(b"\n", input_format="jsonl").error == "empty input"


# ---------------------------------------------------------------- parts for workers


def _snapshot(docs: Iterable[Document]) -> list[tuple[str, str, str, str | None]]:
    return [(d.id, d.source, d.text, d.error) for d in docs]


def test_parts_of_a_large_jsonl_file_read_the_same_documents_as_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = []
    for i in range(60):
        if i % 7 == 3:
            lines.append("")  # blank lines count for line numbers, not as records
        elif i % 11 == 5:
            lines.append("{broken")
        else:
            lines.append(json.dumps({"text": f"story {i} " + "word " * (i % 13)}))
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = _snapshot(InputSet([str(path)], IngestConfig()).documents())
    monkeypatch.setattr(parts, "PART_BYTES", 97)
    inputs = InputSet([str(path)], IngestConfig())
    pieces = list(inputs.parts())
    assert len(pieces) > 5
    assert all(p.end > p.start for p in pieces)
    assert _snapshot(inputs.documents()) == whole
    assert _snapshot(d for p in pieces for d in reader.read_part(p, IngestConfig())) == whole
    assert any(source.endswith(":59") for _, source, _, _ in whole)  # line 60 is blank


def test_small_files_are_grouped_into_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(10):
        (tmp_path / f"{i:02}.txt").write_text(f"page {i}\n", encoding="utf-8")
    monkeypatch.setattr(parts, "PART_FILES", 4)
    pieces = list(InputSet([str(tmp_path)], IngestConfig()).parts())
    assert [len(p.entries) for p in pieces] == [4, 4, 2]
    assert [e.id for p in pieces for e in p.entries] == [f"{i:02}.txt" for i in range(10)]


def test_unique_ids_rename_repeats_in_order() -> None:
    unique = ids.UniqueIds()
    assert [unique(i) for i in ["a", "a", "b", "a#2", "a"]] == ["a", "a#2", "b", "a#2#2", "a#3"]


# ---------------------------------------------------------------- fast JSON parsing against the reference


def _deep(levels: int) -> str:
    return "[" * levels + "1" + "]" * levels


JSON_LINE_CASES: list[bytes] = [
    json.dumps({"id": "plain", "text": STORY}).encode(),
    json.dumps({"id": "full", "text": STORY, "title": "Fee agreed", "url": "https://example.org/x",
                "author": "A. Writer", "date": "2024-05-01", "tags": ["port", {"k": None, "b": True}],
                "n": -3}).encode(),
    b'{"text": "one", "id": "d", "text": "two", "x": 1, "id": "d2", "x": [2]}',  # repeated keys: json keeps the last
    b'{"b": 1, "a": 2, "b": 3, "text": "order"}',
    json.dumps({"id": "h", "html": "<p>" + STORY + "</p>"}).encode(),
    json.dumps({"id": "both", "text": " \u00a0 ", "html": "<p>x</p>"}).encode(),
    *(json.dumps({"id": value, "text": STORY}).encode()
      for value in (7, 0, False, True, None, "", [1, "a"], {"b": 1, "a": [2, {"c": None}]}, 2**64 - 1, -2**63)),
    json.dumps({"id": "emoji", "text": "smile \U0001f600 caf\u00e9", "k\U0001f600": "\u00e9"}).encode(),  # \ud83d\ude00
    json.dumps({"id": "utf8", "text": "smile \U0001f600 caf\u00e9 \u2028 \x85"}, ensure_ascii=False).encode(),
    b'{"id": "nul", "text": "a\\u0000b\x7f", "t": "\\/\\b\\f\\n\\r\\t\\"\\\\"}',
    json.dumps({"id": "crlf", "text": STORY}).encode() + b"\r",
    *(json.dumps({"id": f"t{n}", "text": value}).encode()
      for n, value in enumerate((42, ["x"], {"a": "b"}, True, None, ""))),
    json.dumps({"id": "html42", "html": 42}).encode(),
    json.dumps({"id": "nofield", "body": STORY}).encode(),
    json.dumps({"id": "oddtypes", "text": STORY, "title": 3, "url": None, "author": ["x"], "date": 20240501}).encode(),
    *(('{"id": "deep%d", "text": "x", "m": %s}' % (n, _deep(n))).encode()
      for n in (62, 63, 64, 65, 500, 1023, 1025, 5000)),
    *(('{"id": "num%d", "text": "x", "n": %s}' % (i, number)).encode() for i, number in enumerate((
        "0.5", "-0.0", "-0", "1e400", "-1e400", "1.5e-400", "1E5",
        "0.1000000000000000055511151231257827021181583404541015625",
        str(2**64), str(-2**63 - 1), str(10**30), "9" * 5000, "NaN", "Infinity", "-Infinity", "01", "1.", "-", "+1"))),
    b'{"id": "fl", "text": "x", "deep": [[[[{"x": 2.5}]]]]}',
    b'{"id": 1.5, "text": "float id"}',
    b'{"id": "lone", "text": "a \\ud800 b", "title": "t\\udfff", "m\\udc00": ["x\\ud800", {"k": "\\udbff"}]}',
    b'{"id": "rev\\udc00\\ud800", "text": "reversed pair"}',
    b'{"id": "hi", "text": "\\ud800\\ud800\\udc00 and \\ud800\\u0041"}',
    b'{"\\ud800": 1, "\\udc00": 2, "text": "keys that become the same"}',
    '{"id": "mostly", "text": "caf\u00e9 na\u00efve \u00e9t\u00e9 '.encode() + b'\xff"}',
    b'{"id": "cp1252", "text": "caf\xe9 \x93quoted\x94"}',
    b'{"id": "cesu", "text": "x\xed\xa0\x80"}',
    b'{"id": "overlong", "text": "x\xc0\xaf"}',
    b'{"id": "big", "text": "x\xf4\x90\x80\x80"}',
    b'\xef\xbb\xbf{"id": "bom-not-first", "text": "x"}',
    b' \xef\xbb\xbf{"id": "bom-inside", "text": "x"}',
    b'{"id": "ctl", "text": "a\x01b"}',
    b'{"id": "tab", "text": "a\tb"}',
    b'{"id": "garbage", "text": "x"} x',
    b'{"id": "two", "text": "x"}{"id": "three", "text": "y"}',
    b'{"id": "comma", "text": "x",}',
    b"{'id': 'quotes', 'text': 'x'}",
    b'{id: "bare", "text": "x"}',
    b'{"id": "esc", "text": "\\x"}',
    b'{"id": "u", "text": "\\u12"}',
    b"{}", b"[1, 2]", b'"just a string"', b"3", b"null", b"true", b"{broken", b"}",
    b"\x00", b"\x0c{}", b'{"a": 1}\x0c', b'{"a": 1}\x00', b'{"text": "x"}\x1a', b"nan", b"-Infinity",
    b" \t\x0b\x0c ", b"   ",
    json.dumps({"id": "long", "text": "word " * 1000}).encode(),
    json.dumps({"id": "last", "text": STORY}).encode(),
]


def _jsonl_docs(data: bytes, cfg: IngestConfig, fast: bool) -> list[tuple[str, Document]]:
    """The documents of `data`, each with its repr: it shows key order and tells -0.0 from 0.0."""
    entry = discover.Entry("f.jsonl", "f.jsonl", "/in/f.jsonl")
    return [(repr(doc), doc) for doc in jsonl.read_jsonl(io.BytesIO(data), entry, cfg, [0], fast=fast)]


CONFIGS = [
    IngestConfig(),
    IngestConfig(text_field="body", html_field="text", id_field="url", url_field="title", title_field="title"),
    IngestConfig(id_field="text", max_line_bytes=2048),
]


@pytest.mark.parametrize("cfg", CONFIGS, ids=["default", "renamed", "small-lines"])
@pytest.mark.parametrize("first", [b'\xef\xbb\xbf{"id": "bom", "text": "x"}', b"\xef\xbb\xbf", b"", b"[]"],
                         ids=["bom-record", "bom-alone", "no-bom", "array"])
def test_fast_json_lines_read_exactly_what_the_reference_reads(cfg: IngestConfig, first: bytes) -> None:
    data = b"\n".join([first, *JSON_LINE_CASES])  # the last line has no newline
    fast = _jsonl_docs(data, cfg, fast=True)
    assert fast == _jsonl_docs(data, cfg, fast=False)
    assert len(fast) == sum(1 for raw in [first.removeprefix(b"\xef\xbb\xbf"), *JSON_LINE_CASES] if raw.strip())


def test_fast_json_lines_through_parts_read_what_the_reference_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join(JSON_LINE_CASES) + b"\n")
    monkeypatch.setattr(parts, "PART_BYTES", 300)
    fast = [repr(d) for d in read([path])]
    monkeypatch.setattr(jsonl, "_fast_line_document", lambda *args: None)
    assert [repr(d) for d in read([path])] == fast
    assert len(list(InputSet([str(path)], IngestConfig()).parts())) > 10


@pytest.mark.parametrize("raw", [
    json.dumps({"id": "plain", "text": STORY}).encode(),
    json.dumps({"id": "emoji", "text": "smile \U0001f600", "m": {"n": [1, 2**64 - 1, -2**63, None]}}).encode(),
    b'{"text": "one", "id": "d", "text": "two"}',
    ('{"text": "x", "m": %s}' % _deep(jsonl._FAST_DEPTH - 1)).encode(),  # the record is one level
    b'{"text": 5}', b'{"html": ""}',
])
def test_plain_records_take_the_fast_path(raw: bytes) -> None:
    doc = jsonl._fast_line_document(raw, "f", 1, "f:1", IngestConfig())
    assert doc is not None and repr(doc) == repr(jsonl._line_document(raw, "f:1", "f:1", IngestConfig()))


@pytest.mark.parametrize("raw", [
    b'{"text": "x", "n": 0.5}', b'{"text": "x", "n": [[{"f": 1e5}]]}', ('{"text": "x", "n": %d}' % 2**64).encode(),
    ('{"text": "x", "n": %d}' % (-2**63 - 1)).encode(), b'{"text": "x", "n": 1e400}', b'{"text": "x", "n": NaN}',
    ('{"text": "x", "m": %s}' % _deep(jsonl._FAST_DEPTH)).encode(), b'{"text": "\\ud800"}', b'{"text": "\xe9"}',
    b'{"text": "\xed\xa0\x80"}', b'\xef\xbb\xbf{"text": "x"}', b'{"text": "x"} x', b'[1', b'[1]', b'"text"',
])
def test_values_json_might_read_differently_take_the_reference_path(raw: bytes) -> None:
    assert jsonl._fast_line_document(raw, "f", 1, "f:1", IngestConfig()) is None


FIELD_NAMES = st.sampled_from(["id", "text", "html", "title", "url", "author", "date", "x", "\ud800", "\U0001f600"])
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=8)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-2**65, 2**65)
    | st.floats() | ANY_TEXT | st.sampled_from(["", " ", STORY]),
    lambda inner: st.lists(inner, max_size=3) | st.lists(st.tuples(FIELD_NAMES | ANY_TEXT, inner), max_size=4),
    max_leaves=10,
)


def _json_bytes(value: object, ascii_only: bool) -> bytes:
    """JSON text of `value`, where a list of pairs is an object that may repeat keys."""
    if isinstance(value, list) and value and all(isinstance(v, tuple) for v in value):
        items = ",".join(json.dumps(k, ensure_ascii=ascii_only) + ":"
                         + _json_bytes(v, ascii_only).decode("utf-8", "surrogatepass") for k, v in value)
        return ("{" + items + "}").encode("utf-8", "surrogatepass")
    if isinstance(value, list):
        return b"[" + b",".join(_json_bytes(v, ascii_only) for v in value) + b"]"
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.tuples(FIELD_NAMES, ANY_JSON), max_size=6) | ANY_JSON, st.booleans()),
                min_size=1, max_size=8),
       st.sampled_from(CONFIGS))
def test_fast_json_lines_match_the_reference_on_generated_records(
    records: list[tuple[object, bool]], cfg: IngestConfig
) -> None:
    data = b"\n".join(_json_bytes(value, ascii_only) for value, ascii_only in records)
    assert _jsonl_docs(data, cfg, fast=True) == _jsonl_docs(data, cfg, fast=False)


def test_fast_json_lines_match_the_reference_on_mangled_lines() -> None:
    pieces = [b"{", b"}", b"[", b"]", b'"', b":", b",", b" ", b"\\", b"\\ud800", b"\\ud83d\\ude00", b"\\udc00", b"0",
              b"-", b"9" * 20, b"e", b".", b"true", b"null", b"NaN", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\xc3\xa9",
              b"\xe9", b"\xff", b"\x00", b"\x1f", b"\t", b"\r", b"\x0b", b'"id"', b'"text"', b'"title"', b'"x"',
              b"1e400"]
    base = [json.dumps({"id": "a", "text": "story", "title": "t", "m": [1, {"k": None}]}).encode(),
            b'{"text": "x", "a": 1, "b": 2, "a": 3}', b'{"id": 7, "html": "<p>x</p>", "url": "u", "date": "d"}']
    rng = random.Random(5)
    lines = []
    for _ in range(3000):
        raw = bytearray(rng.choice(base))
        for _ in range(rng.randint(1, 3)):
            pos = rng.randint(0, len(raw))
            raw[pos:pos + rng.randint(0, 2)] = rng.choice(pieces)
        lines.append(bytes(raw).replace(b"\n", b""))
    data = b"\n".join(lines)
    assert _jsonl_docs(data, IngestConfig(), fast=True) == _jsonl_docs(data, IngestConfig(), fast=False)


def test_blank_json_lines_are_the_ones_strip_empties() -> None:
    for byte in range(256):
        raw = bytes([byte]) * 3
        assert (not raw or raw.isspace()) == (not raw.strip()), byte


@pytest.mark.parametrize("part_bytes", [1, 7, 50, 97, 301])
def test_parts_start_after_the_lines_before_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part_bytes: int
) -> None:
    lines = [b"", b"x" * 300, b"short", b"", b"\r", b"y" * 120, b"z", b"w" * 40]
    path = tmp_path / "r.jsonl"
    for name, data in (("newline", b"\n".join(lines) + b"\n"), ("no-newline", b"\n".join(lines))):
        path.write_bytes(data)
        monkeypatch.setattr(parts, "PART_BYTES", part_bytes)
        pieces = list(InputSet([str(path)], IngestConfig()).parts())
        assert [(p.start, p.first_line) for p in pieces] == [(p.start, data[:p.start].count(b"\n")) for p in pieces], name
        assert pieces[-1].end == len(data) and all(a.end == b.start for a, b in zip(pieces, pieces[1:]))


def test_parts_are_cut_once_while_they_are_being_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps({"text": f"story {i}"}) + "\n" for i in range(40)), encoding="utf-8")
    monkeypatch.setattr(parts, "PART_BYTES", 64)
    cut: list[int] = []
    ranges = parts._jsonl_ranges

    def counted(*args: Any) -> Iterator[parts.Part]:
        for part in ranges(*args):
            cut.append(part.start)
            yield part

    monkeypatch.setattr(parts, "_jsonl_ranges", counted)
    inputs = InputSet([str(path)], IngestConfig())
    first = inputs.parts()
    head = [next(first), next(first)]
    assert len(cut) == 2  # the rest of the file is not read yet
    again = list(inputs.parts())  # a second pass, while the first is still going
    assert again[:2] == head and len(again) > 5
    assert list(first) == again[2:]
    assert len(cut) == len(again)  # each part was cut once


def test_a_file_that_shrank_after_it_was_listed_is_cut_to_what_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    data = b"".join(json.dumps({"text": f"story {i}"}).encode() + b"\n" for i in range(20))
    path.write_bytes(data)
    pieces = list(parts._jsonl_ranges(discover._named("r.jsonl", str(path)), len(data) + 1000))
    assert pieces[-1].end == len(data)
