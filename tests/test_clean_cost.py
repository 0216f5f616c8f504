"""A page whose cleaning would take too much memory is reported, not cleaned; the rest of the run goes on."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import jsonl, paragraphs, run_process

from cleanwire.clean.cost import cleaning_memory
from cleanwire.config import DEFAULTS
from cleanwire.document import Document
from cleanwire.errors import ExitCode
from cleanwire.stages import StageState, clean_document

MB = 1024 * 1024


def _short_lines(size: int) -> str:
    """A page of one- and two-word lines: the cleaner's worst case, over 100 bytes of memory per byte."""
    words = "ba ko ri tu me sa lo ne vi da".split()
    lines = [words[i % 10] if i % 3 else f"{words[i % 10]} {words[(i * 7) % 10]}" for i in range(size // 4)]
    return "\n".join(lines)[:size]


def _small_elements(size: int) -> str:
    return "<html><body>" + "\n".join("<div><span>ko</span></div>" for _ in range(size // 28)) + "</body></html>"


def test_the_estimate_follows_lines_and_tags_not_bytes() -> None:
    prose = "\n".join(paragraphs(1, 40, 200))
    short = _short_lines(len(prose))
    assert cleaning_memory(short, "text") > 5 * cleaning_memory(prose, "text")
    assert cleaning_memory(_small_elements(len(prose)), "html") > 5 * cleaning_memory(prose, "html")
    # a page of 24 MB short lines (it took 2.46 GB) is over the default limit; 10 MB of prose is not
    assert cleaning_memory(_short_lines(24 * MB), "text") > DEFAULTS.clean.max_page_memory
    assert cleaning_memory(prose * (10 * MB // len(prose)), "text") < DEFAULTS.clean.max_page_memory // 2


def test_a_page_over_the_limit_becomes_an_error_naming_the_estimate() -> None:
    config = replace(DEFAULTS, clean=replace(DEFAULTS.clean, max_page_memory=MB))
    doc = clean_document(Document(id="big", text=_short_lines(100_000), source="big.txt"), StageState(config))
    assert doc.error == "too large: cleaning it would take about 13 MiB of memory (limit 1 MiB, --max-page-memory)"
    assert doc.text == ""
    small = clean_document(Document(id="small", text="\n".join(paragraphs(2)), source="s.txt"), StageState(config))
    assert small.error is None and small.text


def test_under_a_memory_cap_huge_pages_are_reported_and_the_normal_one_emitted(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "huge.txt").write_text(_short_lines(24 * MB), encoding="utf-8")  # 6M short lines
    (folder / "huge_html.html").write_text(_small_elements(8 * MB), encoding="utf-8")
    (folder / "normal.txt").write_text("Harbour fees rise again\n\n" + "\n\n".join(paragraphs(3)), encoding="utf-8")
    done = run_process("dedupe", folder, "--format", "jsonl", "--all", memory_limit=1_500_000_000)
    assert done.returncode == ExitCode.INPUT_ERRORS, done.stderr.decode()[-2000:]
    assert [r["id"] for r in jsonl(done.stdout.decode())] == ["normal.txt"]
    errors = [line for line in done.stderr.decode().splitlines() if line.startswith("error: ")]
    assert [e.split(": too large: cleaning it would take about ")[0] for e in errors] == [
        f"error: {folder / 'huge.txt'}", f"error: {folder / 'huge_html.html'}"]
