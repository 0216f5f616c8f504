"""The streaming stages: one document that fails to clean is reported, the others go on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import jsonl, paragraphs, run_cli, subprocess_env

import cleanwire.stages as stages
from cleanwire.clean import CleanedText
from cleanwire.config import Config
from cleanwire.document import Document
from cleanwire.stages import StageState, clean_document


def _story(seed: int) -> str:
    return "Local news\n" + "\n".join(paragraphs(seed, count=5)) + "\n"


def _raise_on_boom(error: BaseException):  # type: ignore[no-untyped-def]
    real = stages.clean_text_dump

    def clean(text: str, *args: object, **kwargs: object) -> CleanedText:
        if "BOOM" in text:
            raise error
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    return clean


@pytest.mark.parametrize(("error", "message"), [
    (MemoryError(), "cannot clean: out of memory"),
    (ModuleNotFoundError("No module named 'lxml_html_clean'", name="lxml_html_clean"),
     "cannot clean: lxml_html_clean is not installed (pip install lxml_html_clean)"),
    (ValueError("bad\nthing"), "cannot clean: ValueError: bad thing"),
])
def test_a_document_that_fails_to_clean_becomes_an_error_document(
    monkeypatch: pytest.MonkeyPatch, error: BaseException, message: str
) -> None:
    monkeypatch.setattr(stages, "clean_text_dump", _raise_on_boom(error))
    doc = clean_document(Document(id="x", text="BOOM " + _story(1)), StageState(Config()))
    assert doc.error == message and doc.text == ""
    good = clean_document(Document(id="y", text=_story(2)), StageState(Config()))
    assert good.error is None and good.text


@pytest.mark.parametrize("command", ["clean", "dedupe"])
def test_one_failing_document_does_not_abort_the_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: str
) -> None:
    monkeypatch.setattr(stages, "clean_text_dump", _raise_on_boom(MemoryError()))
    for i in range(4):
        (tmp_path / f"{i}.txt").write_text(("BOOM " if i == 2 else "") + _story(i), encoding="utf-8")
    code, out, err = run_cli(command, tmp_path, "--format", "jsonl", "--jobs", "1")
    assert code == 1
    assert f"error: {tmp_path / '2.txt'}: cannot clean: out of memory" in err
    assert sorted(r["id"] for r in jsonl(out)) == ["0.txt", "1.txt", "3.txt"]


def test_html_cleaning_without_its_module_is_one_error_per_page(tmp_path: Path) -> None:
    fake = tmp_path / "fake"
    fake.mkdir()
    # trafilatura as a stock pip 23 leaves it: importing it fails on a module that was not installed
    (fake / "trafilatura.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'lxml_html_clean'\", name='lxml_html_clean')\n")
    data = tmp_path / "in"
    data.mkdir()
    (data / "a.txt").write_text(_story(1), encoding="utf-8")
    (data / "b.html").write_text(f"<html><body><p>{paragraphs(2)[0]}</p></body></html>", encoding="utf-8")
    (data / "c.txt").write_text(_story(3), encoding="utf-8")
    env = subprocess_env()
    env["PYTHONPATH"] = str(fake) + os.pathsep + env["PYTHONPATH"]
    run = subprocess.run([sys.executable, "-m", "cleanwire", "clean", str(data), "--format", "jsonl", "--jobs", "1"],
                         capture_output=True, env=env, timeout=120)
    err = run.stderr.decode()
    assert run.returncode == 1, err
    assert "Traceback" not in err
    assert "b.html: cannot clean: lxml_html_clean is not installed (pip install lxml_html_clean)" in err
    assert sorted(json.loads(line)["id"] for line in run.stdout.decode().splitlines()) == ["a.txt", "c.txt"]


@pytest.mark.parametrize("command", ["clean", "dedupe"])
def test_a_document_that_cleans_to_nothing_is_named_as_a_warning(tmp_path: Path, command: str) -> None:
    (tmp_path / "menu.txt").write_text("Home\nNews\nSport\nWeather\n", encoding="utf-8")
    (tmp_path / "story.txt").write_text(_story(1), encoding="utf-8")
    (tmp_path / "short.txt").write_text("Residents welcomed the decision.\n", encoding="utf-8")
    code, out, err = run_cli(command, tmp_path, "--format", "jsonl")
    assert code == 0  # a warning, not an error: the document is emitted with an empty text
    assert f"warning: {tmp_path / 'menu.txt'}: empty after cleaning" in err.splitlines()
    assert "short.txt" not in err and "story.txt" not in err
    assert "1 empty after cleaning" in err
    assert {r["id"] for r in jsonl(out)} >= {"story.txt", "short.txt"}
