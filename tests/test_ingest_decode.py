"""Ingest decoding: UTF-8, wide and legacy encodings, declared charsets, in linear time."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from charset_normalizer import from_bytes
from hypothesis import given, settings
from hypothesis import strategies as st
from ingest_helpers import BAD, STORY, one

from cleanwire.ingest import decode, sniff


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


def test_html_declared_charset_is_used_when_not_utf8(tmp_path: Path) -> None:
    html = ('<html><head><meta charset="windows-1252"><title>Ville</title></head>'
            "<body><p>Réunion du conseil à la mairie, mardi.</p></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp1252"))
    doc = one([path])
    assert doc.kind == "html" and "Réunion du conseil à la mairie" in doc.text


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


class _Windows:
    """A compiled pattern that records the size of every window it is asked to search."""

    def __init__(self, pattern: re.Pattern[Any], sizes: list[int]) -> None:
        self._pattern, self._sizes = pattern, sizes

    def search(self, text: Any, pos: int = 0, endpos: int = sys.maxsize) -> Any:
        self._sizes.append(min(endpos, len(text)) - pos)
        return self._pattern.search(text, pos, endpos)


@pytest.mark.parametrize(
    "make",
    [
        lambda n: b"<html><meta charset=" + b" " * n + b"!\xe9",
        lambda n: b"<meta " * (n // 6) + b"\xe9",
        lambda n: b"<meta" + b"a" * n + b"\xe9",
        lambda n: b"<" * n + b"\xe9",
        lambda n: b"\xe9" * n,
        lambda n: b"a\xe9" * (n // 2),
        lambda n: b"\xe9 " * (n // 2),
        lambda n: b"." * n + b"\xff",
    ],
    ids=["meta-spaces", "metas", "meta-long", "lt", "high", "alternating", "high-spaced", "dots"],
)
def test_hostile_bytes_decode_in_linear_time(monkeypatch: pytest.MonkeyPatch, make: Callable[[int], bytes]) -> None:
    # linear by construction, counted rather than timed: the patterns that could backtrack see at most
    # 8 KB whatever the input's size, and charset detection at most one MiB
    regex_windows: list[int] = []
    detected: list[int] = []
    monkeypatch.setattr(decode, "_DECLARED_CHARSET", _Windows(decode._DECLARED_CHARSET, regex_windows))
    monkeypatch.setattr(sniff, "_HTML_TAG", _Windows(sniff._HTML_TAG, regex_windows))
    monkeypatch.setattr(decode, "from_bytes", lambda sample: detected.append(len(sample)) or from_bytes(sample))
    for size in (100_000, 3_000_000):
        data = make(size)
        decode.decode_bytes(data, html=True)
        sniff.detect_format("x", data[:65536])
        sniff.binary_kind(data[:65536])
    assert max(regex_windows, default=0) <= 8192 and max(detected, default=0) <= 1024 * 1024
    assert len(regex_windows) <= 4 and len(detected) <= 2  # once per input at most
