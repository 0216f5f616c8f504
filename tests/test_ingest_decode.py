"""Ingest decoding: UTF-8, wide and legacy encodings, declared charsets, in linear time."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
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
