"""The command line, run through click's CliRunner: exit codes, stdout schema, stderr lines."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEED_EXCERPT, SEED_FULL, SEED_OTHER, SEEDS, jsonl, run_cli

from cleanwire.errors import ExitCode

RECORD_KEYS = {"id", "source", "url", "title", "author", "date", "text", "duplicates"}


@pytest.mark.parametrize("command", [[], ["clean"], ["dedupe"], ["explain"]])
def test_every_command_has_help_with_exit_codes(command: list[str]) -> None:
    code, out, _ = run_cli(*command, "--help")
    assert code == 0
    assert "Usage:" in out and "Exit codes:" in out
    assert "some inputs failed" in out


@pytest.mark.parametrize("command", [["clean"], ["explain"]])
def test_help_of_commands_without_fail_on_duplicates_does_not_list_exit_code_3(command: list[str]) -> None:
    out = run_cli(*command, "--help")[1]
    assert "internal error" in out and "--fail-on-duplicates" not in out
    assert not [line for line in out.splitlines() if line.strip().startswith(f"{ExitCode.DUPLICATES_FOUND.value} ")]


def test_dedupe_help_lists_exit_code_3() -> None:
    out = run_cli("dedupe", "--help")[1]
    assert [line for line in out.splitlines() if line.strip().startswith(f"{ExitCode.DUPLICATES_FOUND.value} ")]


@pytest.mark.parametrize("flag", ["-V", "--version"])
def test_version_flags(flag: str) -> None:
    code, out, _ = run_cli(flag)
    assert code == 0 and out.startswith("cleanwire, version ")


def test_ray_address_without_the_ray_engine_is_a_usage_error() -> None:
    code, _, err = run_cli("dedupe", str(SEEDS), "--ray-address", "127.0.0.1:6379")
    assert code == ExitCode.USAGE
    assert "--ray-address" in err and "--engine ray" in err


def test_dedupe_seeds_emits_two_stories_with_the_excerpt_absorbed() -> None:
    code, out, err = run_cli("dedupe", str(SEEDS), "--format", "jsonl")
    assert code == ExitCode.SUCCESS, err
    records = jsonl(out)
    assert [r["id"] for r in records] == [SEED_FULL, SEED_OTHER]
    full, other = records
    assert RECORD_KEYS <= set(full)
    assert [d["id"] for d in full["duplicates"]] == [SEED_EXCERPT]
    dup = full["duplicates"][0]
    assert dup["relation"] == "excerpt"
    assert 0.8 <= dup["containment"] <= 1.0
    assert 0.0 <= dup["similarity"] < dup["containment"]
    assert other["duplicates"] == []
    assert full["text"].startswith("After a long diplomatic slumber")
    assert "3 documents, 2 stories, 1 duplicate (1 excerpt), 0 errors" in err


def test_dedupe_all_names_every_input_and_the_canonical_of_each_duplicate() -> None:
    code, out, _ = run_cli("dedupe", str(SEEDS), "--all", "--format", "jsonl", "--quiet")
    assert code == 0
    records = {r["id"]: r for r in jsonl(out)}
    assert set(records) == {SEED_EXCERPT, SEED_FULL, SEED_OTHER}
    assert records[SEED_EXCERPT]["canonical_id"] == SEED_FULL
    assert records[SEED_EXCERPT]["relation"] == "excerpt"
    assert records[SEED_FULL]["canonical_id"] is None


def test_fail_on_duplicates_gives_its_own_exit_code() -> None:
    code, _, err = run_cli("dedupe", str(SEEDS), "--fail-on-duplicates", "--quiet", "--format", "jsonl")
    assert code == ExitCode.DUPLICATES_FOUND
    assert err == ""
    code, _, _ = run_cli("dedupe", str(SEEDS / SEED_OTHER), "--fail-on-duplicates", "-q", "--format", "jsonl")
    assert code == ExitCode.SUCCESS


def test_keep_shortest_makes_the_excerpt_canonical() -> None:
    code, out, _ = run_cli("dedupe", str(SEEDS), "--keep", "shortest", "--format", "jsonl", "-q")
    assert code == 0
    assert [r["id"] for r in jsonl(out)] == [SEED_EXCERPT, SEED_OTHER]


def test_bad_inputs_are_named_on_stderr_and_the_rest_is_processed(tmp_path: Path) -> None:
    shutil.copy(SEEDS / SEED_FULL, tmp_path / "good.txt")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    (tmp_path / "image.html").write_bytes(png)  # named as a page: an input, and a binary one
    (tmp_path / "image.png").write_bytes(png)  # not an input format: skipped and counted, not an error
    (tmp_path / "empty.txt").write_bytes(b"")
    errors_file = tmp_path.parent / "errors.jsonl"
    code, out, err = run_cli("dedupe", str(tmp_path), str(tmp_path / "missing.txt"), "--format", "jsonl",
                         "--errors", str(errors_file))
    assert code == ExitCode.INPUT_ERRORS
    assert [r["id"] for r in jsonl(out)] == ["good.txt"]
    error_lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 3
    assert any("image.html: binary file (PNG image)" in line for line in error_lines)
    assert any("empty.txt" in line for line in error_lines)
    assert any("missing.txt" in line for line in error_lines)
    assert {r["id"] for r in jsonl(errors_file.read_text())} == {"image.html", "empty.txt",
                                                                  str(tmp_path / "missing.txt")}
    assert "3 errors, 1 file skipped (not an input format)" in err


def test_usage_errors_exit_2_before_reading_anything() -> None:
    assert run_cli("dedupe", str(SEEDS), "--jobs", "0")[0] == ExitCode.USAGE
    assert run_cli("dedupe", str(SEEDS), "--keep", "best")[0] == ExitCode.USAGE
    assert run_cli("dedupe")[0] == ExitCode.USAGE
    assert run_cli("clean", str(SEEDS), "--input-format", "pdf")[0] == ExitCode.USAGE


def test_stats_file_holds_the_run_counters(tmp_path: Path) -> None:
    stats = tmp_path / "stats.json"
    code, _, _ = run_cli("dedupe", str(SEEDS), "-q", "--format", "jsonl", "--stats", str(stats))
    assert code == 0
    counters = json.loads(stats.read_text())
    assert counters["documents"] == 3
    assert counters["stories"] == 2  # the summary's word
    assert "clusters" not in counters
    assert counters["duplicates"] == 1
    assert counters["relations"] == {"excerpt": 1}
    assert counters["errors"] == 0 and counters["exit_code"] == 0


def test_output_dir_has_one_text_per_story_and_clusters_json(tmp_path: Path) -> None:
    out_dir = tmp_path / "clean"
    code, _, _ = run_cli("dedupe", str(SEEDS), "--output-dir", str(out_dir), "-q", "--format", "jsonl")
    assert code == 0
    texts = sorted(p.name for p in out_dir.glob("*.txt"))
    assert len(texts) == 2
    clusters = json.loads((out_dir / "clusters.json").read_text())
    assert [c["id"] for c in clusters] == [SEED_FULL, SEED_OTHER]
    assert clusters[0]["duplicates"][0]["id"] == SEED_EXCERPT
    body = (out_dir / clusters[0]["file"]).read_text()
    assert body.startswith("After a long diplomatic slumber")


def test_formats_json_and_text() -> None:
    code, out, _ = run_cli("dedupe", str(SEEDS), "--format", "json", "-q")
    assert code == 0
    assert [r["id"] for r in json.loads(out)] == [SEED_FULL, SEED_OTHER]
    code, out, _ = run_cli("dedupe", str(SEEDS), "--format", "text", "-q")
    assert code == 0
    assert f"=== {SEED_FULL} (absorbs {SEED_EXCERPT})" in out


def test_clean_jsonl_from_stdin_passes_unknown_fields_through() -> None:
    page = (SEEDS / SEED_FULL).read_text()
    lines = [
        json.dumps({"id": "a", "text": page, "lang": "en", "crawl": {"day": 3}}),
        "{broken json",
        json.dumps({"id": "c", "text": 42}),
    ]
    code, out, err = run_cli("clean", "-", "--format", "jsonl", stdin="\n".join(lines) + "\n")
    assert code == ExitCode.INPUT_ERRORS
    records = jsonl(out)
    assert [r["id"] for r in records] == ["a"]
    assert records[0]["lang"] == "en" and records[0]["crawl"] == {"day": 3}
    assert "After a long diplomatic slumber" in records[0]["text"]
    assert "Follow us on social" not in records[0]["text"]
    assert "stdin:2" in err and "error:" in err


def test_clean_explain_shows_each_line_with_its_decision() -> None:
    code, out, _ = run_cli("clean", str(SEEDS / SEED_EXCERPT), "--explain", "-q")
    assert code == 0
    assert "drop" in out and "keep" in out
    kept = [line for line in out.splitlines() if line.startswith("keep")]
    assert any("After a long diplomatic slumber" in line for line in kept)
    assert any("Connect with us" in line for line in out.splitlines() if line.startswith("drop"))


def test_explain_two_files_as_json() -> None:
    code, out, _ = run_cli("explain", str(SEEDS / SEED_EXCERPT), str(SEEDS / SEED_FULL), "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert result["relation"] == "excerpt"
    assert result["containment"] >= 0.8
    code, out, _ = run_cli("explain", str(SEEDS / SEED_OTHER), str(SEEDS / SEED_FULL), "--format", "json")
    assert code == ExitCode.NOT_DUPLICATES
    assert json.loads(out)["relation"] is None


def test_explain_ids_from_an_input_folder() -> None:
    code, out, _ = run_cli("explain", SEED_EXCERPT, SEED_FULL, "--from", str(SEEDS), "--format", "json")
    assert code == 0
    assert json.loads(out)["relation"] == "excerpt"
    code, _, err = run_cli("explain", SEED_EXCERPT, "nope.txt", "--from", str(SEEDS))
    assert code == ExitCode.USAGE
    assert "nope.txt" in err


@pytest.mark.parametrize("command", ["clean", "dedupe"])
def test_max_bytes_takes_k_m_g_suffixes(tmp_path: Path, command: str) -> None:
    page = tmp_path / "page.txt"
    page.write_text("The harbour committee met on Thursday and agreed a new fee for every berth. " * 30)
    code, _, err = run_cli(command, page, "--max-bytes", "1K", "-q")
    assert code == ExitCode.INPUT_ERRORS and "too large" in err and "(limit 1024)" in err
    code, out, err = run_cli(command, page, "--max-bytes", "10M", "--format", "jsonl", "-q")
    assert code == ExitCode.SUCCESS and len(jsonl(out)) == 1, err


@pytest.mark.parametrize("value", ["ten", "10X", "-1M", "0"])
def test_max_bytes_garbage_is_a_usage_error(tmp_path: Path, value: str) -> None:
    code, out, err = run_cli("clean", tmp_path, "--max-bytes", value)
    assert code == ExitCode.USAGE and out == ""
    assert "Invalid value for '--max-bytes'" in err and "e.g. 512K, 10M, 1G" in err

def test_explain_json_names_the_documents_by_id_and_source() -> None:
    code, out, err = run_cli("explain", SEED_EXCERPT, SEED_FULL, "--from", str(SEEDS), "--format", "json")
    assert code == ExitCode.SUCCESS, err
    result = json.loads(out)
    assert (result["a"], result["b"]) == (SEED_EXCERPT, SEED_FULL)
    assert result["sources"] == {"a": str(SEEDS / SEED_EXCERPT), "b": str(SEEDS / SEED_FULL)}
    assert result["contained"] == SEED_EXCERPT


def test_explain_accepts_an_id_without_its_extension_and_suggests_close_ids() -> None:
    stem = SEED_EXCERPT.removesuffix(".txt")
    code, out, err = run_cli("explain", stem, SEED_FULL.removesuffix(".txt"), "--from", str(SEEDS), "--format", "json")
    assert code == ExitCode.SUCCESS, err
    assert json.loads(out)["a"] == SEED_EXCERPT
    code, _, err = run_cli("explain", stem[:-1], SEED_FULL, "--from", str(SEEDS))
    assert code == ExitCode.USAGE
    assert f"not found: {stem[:-1]}" in err and SEED_EXCERPT in err


def test_explain_exits_with_its_own_code_when_the_pair_is_not_a_duplicate() -> None:
    code, out, _ = run_cli("explain", SEED_OTHER, SEED_FULL, "--from", str(SEEDS), "--format", "json")
    assert code == ExitCode.NOT_DUPLICATES == 5
    assert json.loads(out)["duplicate"] is False
    # the thresholds are the dedupe command's options
    code, out, _ = run_cli("explain", SEED_EXCERPT, SEED_FULL, "--from", str(SEEDS), "--format", "json",
                           "--excerpt-threshold", "1")
    assert code == ExitCode.NOT_DUPLICATES
    assert json.loads(out)["thresholds"]["excerpt_threshold"] == 1
    code, out, _ = run_cli("explain", "--help")
    assert "5  the two documents are not duplicates" in out and "--id-field" in out and "--near-threshold" in out


def test_explain_reads_json_lines_with_the_dedupe_commands_field_options(tmp_path: Path) -> None:
    from conftest import paragraphs

    body = paragraphs(21, count=6)
    lines = [{"key": "full", "body": "\n".join(body)}, {"key": "lead", "body": "\n".join(body[:2])}]
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    code, out, err = run_cli("explain", "full", "lead", "--from", str(tmp_path), "--id-field", "key",
                             "--text-field", "body", "--no-clean", "--format", "json")
    assert code == ExitCode.SUCCESS, err
    assert json.loads(out)["relation"] == "excerpt"


def _explain_corpus(tmp_path: Path) -> Path:
    """The seeds and an edited copy of the full story, as a folder of page dumps.

    Each duplicate is verified with its canonical itself (a member that joins a story through another
    member is listed with how it matched that one, which the output does not name).
    """
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    full = (SEEDS / SEED_FULL).read_text(encoding="utf-8").splitlines()
    edited = [line.replace("North Korea", "Pyongyang") for line in full]
    (corpus / "003_edited.txt").write_text("\n".join(edited) + "\n", encoding="utf-8")
    return corpus


def test_explain_judges_a_pair_as_the_dedupe_run_that_produced_it(tmp_path: Path) -> None:
    corpus = _explain_corpus(tmp_path)
    for keep, thresholds in (([], []), (["--keep", "shortest"], ["--near-threshold", "0.9"])):
        code, out, _ = run_cli("dedupe", corpus, "--all", "--format", "jsonl", "-q", *keep, *thresholds)
        assert code == ExitCode.SUCCESS
        duplicates = [r for r in jsonl(out) if r["canonical_id"]]
        assert len(duplicates) >= 2
        for dup in duplicates:
            code, out, err = run_cli("explain", dup["canonical_id"], dup["id"], "--from", corpus, "--format", "json",
                                     *thresholds)
            assert code == ExitCode.SUCCESS, err
            result = json.loads(out)
            assert (result["similarity"], result["containment"]) == (dup["similarity"], dup["containment"])
            expected = {"extends": ("excerpt", dup["canonical_id"]), "excerpt": ("excerpt", dup["id"])}
            assert (result["relation"], result["contained"]) == expected.get(dup["relation"], (dup["relation"], None))


def test_explain_from_a_folder_cleans_only_the_two_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cleanwire.stages

    corpus = _explain_corpus(tmp_path)
    cleaned: list[str] = []
    real = cleanwire.stages.clean_text_dump

    def counting(text: str, *args: object, **kwargs: object) -> object:
        cleaned.append(text)
        return real(text, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cleanwire.stages, "clean_text_dump", counting)
    code, _, err = run_cli("explain", SEED_FULL, "003_edited.txt", "--from", corpus, "--format", "json")
    assert code == ExitCode.SUCCESS, err
    assert len(cleaned) == 2
