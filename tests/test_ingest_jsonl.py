"""Ingest JSON lines: records to documents, one error per bad line, and the fast parser against the reference."""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import BAD, STORY, by_id, one, one_stdin, read

from cleanwire.config import IngestConfig
from cleanwire.document import Document
from cleanwire.ingest import RENAMED_FROM_KEY, InputSet, discover, jsonl, parts, sniff


def test_json_lines_not_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_bytes(json.dumps({"id": "fr", "text": "Réunion à la mairie"}, ensure_ascii=False).encode("cp1252"))
    assert one([path]).text == "Réunion à la mairie"
    wide = tmp_path / "wide.jsonl"
    wide.write_bytes(json.dumps({"text": STORY}).encode("utf-16"))
    assert one([wide]).error == "JSON lines in UTF-16/32; convert to UTF-8 (iconv)"


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


@settings(max_examples=150, deadline=None)
@given(st.lists(LINES, max_size=12))
def test_json_lines_lose_nothing(lines: list[str]) -> None:
    data = "\n".join(lines).encode("utf-8", "replace")
    docs = read(["-"], stdin=io.BytesIO(data), input_format="jsonl")
    non_blank = [ln for ln in data.split(b"\n") if ln.strip()]
    if sniff.magic_kind(data[:65536]) is not None or sniff.jsonl_refusal(data[:65536]) is not None:
        # starts like an image or archive, or holds no JSON object at all: one error for the input
        assert len(docs) == 1 and docs[0].error is not None and docs[0].id == "stdin"
        return
    assert len(docs) == max(1, len(non_blank))  # no record at all: one "empty input" error for the input
    assert len({d.id for d in docs}) == len(docs)
    for doc in docs:
        assert (doc.error is None) == bool(doc.text)
        assert doc.error is None or "\n" not in doc.error
        json.dumps([doc.id, doc.text, doc.title, doc.url, doc.metadata, doc.error], ensure_ascii=False).encode()


def test_a_record_that_cannot_be_processed_fails_alone(tmp_path: Path) -> None:
    deep = '{"id": "deep", "text": "x", "m": ' + "[" * 5000 + '"\\ud800"' + "]" * 5000 + "}"
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([deep, json.dumps({"id": "after", "text": STORY})]) + "\n")
    docs = read([path])
    assert [d.id for d in docs][-1] == "after" and docs[-1].text == STORY
    assert len(docs) == 2 and docs[0].error


def test_json_lines_without_records_are_one_empty_input(tmp_path: Path) -> None:
    path = tmp_path / "blank.jsonl"
    path.write_text("\n  \n\n")
    assert one([path]).error == "empty input"
    assert one_stdin(b"\n", input_format="jsonl").error == "empty input"


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


def test_nul_characters_in_a_record_text_are_removed() -> None:
    record = {"id": "a", "text": "The harbour\u0000 committee met.", "html": "<p>x</p>", "note": "k\u0000eep"}
    doc = one_stdin((json.dumps(record) + "\n").encode())
    assert doc.text == "The harbour committee met." and doc.metadata == {"note": "k\u0000eep"}
    doc = one_stdin((json.dumps({"id": "b", "html": "<p>Harbour\u0000 fees</p>"}) + "\n").encode())
    assert doc.kind == "html" and doc.text == "<p>Harbour fees</p>"


@pytest.mark.parametrize("name", ["notes.jsonl", "notes.ndjson"])
def test_a_text_file_named_jsonl_is_one_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("The harbour committee met on Thursday.\n\nFishermen said the fee was unfair.\n" * 40)
    doc = one([path])
    assert (doc.id, doc.error) == (str(path), "not JSON lines: no JSON object on its first lines")
    forced = tmp_path / "notes.txt"
    forced.write_text(path.read_text())
    assert one([forced], input_format="jsonl").error == "not JSON lines: no JSON object on its first lines"


def test_a_jsonl_file_with_an_object_among_its_first_lines_is_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text("# exported by a tool\n\n" + json.dumps({"id": "a", "text": STORY}) + "\nnot json\n")
    assert [(d.id, d.error is None) for d in read([path])] == [
        (f"{path}:1", False), ("a", True), (f"{path}:4", False)]
    short = tmp_path / "short.jsonl"
    short.write_text("{not quite json\n")  # starts like a record: a broken line, not a text file
    assert one([short]).id == f"{short}:1"
