"""The three seeds come out clean: must-contain / must-not-contain snippets and metadata."""

from __future__ import annotations

import pytest
from conftest import SEED_EXCERPT, SEED_FULL, SEED_OTHER, SEEDS

from cleanwire.clean import CleanedText, TemplateModel, clean_text_dump

FILES = {
    "000": SEEDS / SEED_EXCERPT,
    "001": SEEDS / SEED_FULL,
    "002": SEEDS / SEED_OTHER,
}

EXPECTED = {
    "000": {
        "first": "After a long diplomatic slumber",
        "last": "take years to recover.",
        "contains": ["threatsmissile testsfiery op-eds", "page one in its diplomatic playbook"],
        "absent": [
            "North Korean Chonma-ho Tank",
            "Image: KCNA",
            "You can read the rest here",
            "Harry J. Kazianis",
            "Written By",
            "Connect with us",
            "Hermit Kingdom",
            "what are you looking for",
        ],
        "paragraphs": 3,
        "title": "Don’t Pay North Korea to Engage in Diplomacy",
    },
    "001": {
        "first": "After a long diplomatic slumber",
        "last": "but not at any price.",
        "contains": ["threats, missile tests, fiery op-eds", "Let me be clear, I am for engagement"],
        "absent": [
            "Follow us on social",
            "Analysis | Asia-Pacific",
            "Diplomacy Watch",
            "keep reading",
            "Show less",
            "GOP candidates",
            "Gaetz speaking",
            "cluster munitions",
            "Ukraine War Crisis",
            "REUTERS/Jorge Silva",
        ],
        "title": "Diplomacy, yes, bribery, no. The US shouldn't 'pay' to get NoKo to talk",
    },
    "002": {
        "first": "WASHINGTON — Former President",
        "last": "used in the past.”",
        "contains": ["Frank Aum, senior expert on North Korea", "Yasuyo Sakata"],
        "absent": [
            "Loading...",
            "Saul Loeb/AFP",
            "FOR USE WITH THIS STORY ONLY",
            "In The News",
            "European Green Deal",
            "Read More",
            "by Kate Michael",
            "Exit mobile version",
            "News From The Well",
        ],
        "title": "Reinvigorating Diplomacy with North Korea May Mean Compromise",
        "author": "Kate Michael",
        "date": "2021-04-02",  # ISO 8601, from "April 2, 2021"
    },
}


def check(seed: str, result: CleanedText) -> None:
    expected = EXPECTED[seed]
    body = result.body
    assert body.startswith(expected["first"]), body[:200]
    assert body.endswith(expected["last"]), body[-200:]
    for snippet in expected["contains"]:
        assert snippet in body
    for snippet in expected["absent"]:
        assert snippet not in body, snippet
    if "paragraphs" in expected:
        assert len(body.split("\n")) == expected["paragraphs"]
    assert result.title == expected["title"]
    for field in ("author", "date"):
        if field in expected:
            assert getattr(result, field) == expected[field]


@pytest.mark.parametrize("seed", sorted(FILES))
def test_seed_alone(seed: str) -> None:
    check(seed, clean_text_dump(FILES[seed].read_text(encoding="utf-8")))


@pytest.mark.parametrize("seed", sorted(FILES))
def test_seed_with_template_model(seed: str) -> None:
    texts = {name: path.read_text(encoding="utf-8") for name, path in FILES.items()}
    model = TemplateModel()
    for text in texts.values():
        model.add(text)
    model.freeze()
    check(seed, clean_text_dump(texts[seed], model))
    assert clean_text_dump(texts[seed], model).body == clean_text_dump(texts[seed]).body


def test_seed_explain_names_the_reasons() -> None:
    result = clean_text_dump(FILES["000"].read_text(encoding="utf-8"), explain=True)
    rules = {d.line[:30]: d.rule for d in result.decisions}
    assert rules["You can read the rest here at "] in ("junk-phrase", "end-marker")
    assert rules["North Korean Chonma-ho Tank. I"] == "junk-phrase"
    assert rules["Harry J. Kazianis (@Grecianfor"] in ("bio", "outside-main-region")
