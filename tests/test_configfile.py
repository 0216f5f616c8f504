"""Config files: --config FILE, ./cleanwire.toml and pyproject.toml [tool.cleanwire] set option defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib
from conftest import SEED_EXCERPT, SEED_FULL, SEEDS, jsonl, run_cli


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding the two seeds that are one story (000 an excerpt of 001)."""
    monkeypatch.chdir(tmp_path)
    for seed in (SEED_EXCERPT, SEED_FULL):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / seed).write_bytes((SEEDS / seed).read_bytes())
    return tmp_path


def stories(*args: str) -> list[dict[str, object]]:
    code, out, err = run_cli("dedupe", "in", "-q", "--format", "jsonl", *args)
    assert code == 0, err
    return jsonl(out)


def test_no_file_means_the_built_in_defaults(folder: Path) -> None:
    records = stories()
    assert len(records) == 1 and "canonical_id" not in records[0]


def test_cleanwire_toml_in_the_working_directory_sets_defaults(folder: Path) -> None:
    (folder / "cleanwire.toml").write_text('[dedupe]\nall = true\nkeep = "shortest"\n')
    records = stories()
    assert len(records) == 2  # --all from the file
    canonical = [r for r in records if r["canonical_id"] is None]
    assert [r["id"] for r in canonical] == [SEED_EXCERPT]  # --keep shortest from the file


def test_flags_override_the_file(folder: Path) -> None:
    (folder / "cleanwire.toml").write_text('[dedupe]\nkeep = "shortest"\n')
    records = stories("--keep", "longest")
    assert [r["id"] for r in records] == [SEED_FULL]


def test_pyproject_tool_table_is_read_when_there_is_no_cleanwire_toml(folder: Path) -> None:
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.cleanwire.dedupe]\nall = true\n')
    assert len(stories()) == 2
    (folder / "cleanwire.toml").write_text("jobs = 1\n")  # cleanwire.toml wins over pyproject.toml
    assert len(stories()) == 1


def test_a_pyproject_without_the_table_is_not_a_config(folder: Path) -> None:
    (folder / "pyproject.toml").write_text('[project]\nname = "x"\n')
    code, _, err = run_cli("config", "show", "dedupe")
    assert code == 0 and "no config file" in err


def test_config_option_replaces_the_working_directory_file_and_no_config_reads_none(folder: Path) -> None:
    (folder / "cleanwire.toml").write_text("[dedupe]\nall = true\n")
    (folder / "ci.toml").write_text('[dedupe]\nkeep = "shortest"\n')
    records = stories("--config", "ci.toml")
    assert [r["id"] for r in records] == [SEED_EXCERPT]  # ci.toml's keep, not cleanwire.toml's --all
    assert len(stories("--no-config")) == 1


def test_top_level_keys_serve_every_command_and_tables_win(folder: Path) -> None:
    (folder / "cleanwire.toml").write_text('text_field = "body"\nkeep = "first"\n[dedupe]\nkeep = "longest"\n')
    code, out, _ = run_cli("config", "show")
    assert code == 0
    shown = tomllib.loads(out)  # the output is TOML a file could hold
    assert shown["clean"]["text-field"] == shown["dedupe"]["text-field"] == shown["explain"]["text-field"] == "body"
    assert shown["dedupe"]["keep"] == "longest"
    assert "keep" not in shown["clean"]  # clean has no --keep


def test_config_show_says_where_each_value_came_from(folder: Path) -> None:
    (folder / "cleanwire.toml").write_text("jobs = 2\n[dedupe]\nnear-threshold = 0.9\n")
    code, out, err = run_cli("config", "show", "dedupe")
    assert code == 0 and "config file: cleanwire.toml" in err
    lines = {line.split("=")[0].strip(): line for line in out.splitlines() if "=" in line}
    assert lines["jobs"].startswith("jobs = 2") and lines["jobs"].endswith("# cleanwire.toml")
    assert lines["near-threshold"].endswith("# cleanwire.toml [dedupe]")
    assert lines["keep"].startswith('keep = "complete"') and lines["keep"].endswith("# default")


@pytest.mark.parametrize(("content", "message"), [
    ("jobz = 2\n", "unknown setting 'jobz'"),
    ("[dedupe]\nexplain = true\n", "[dedupe] has no setting 'explain'"),
    ("[dedup]\nall = true\n", "[dedup] is not a command"),
    ('[dedupe]\nkeep = "best"\n', "keep: 'best' is not one of"),
    ('jobs = "many"\n', "jobs: 'many' is not a valid integer"),
    ('[dedupe]\nall = "yes"\n', "all must be true or false"),
    ("jobs = [\n", "not a valid TOML file"),
    ("max-bytes = \"ten\"\n", "max-bytes"),
])
def test_a_bad_file_is_one_usage_error_naming_it(folder: Path, content: str, message: str) -> None:
    (folder / "cleanwire.toml").write_text(content)
    code, out, err = run_cli("dedupe", "in", "-q")
    assert code == 2 and out == ""
    assert "cleanwire.toml" in err and message in err


def test_a_missing_config_file_is_an_error(folder: Path) -> None:
    code, _, err = run_cli("dedupe", "in", "--config", "nope.toml")
    assert code == 2 and "nope.toml: cannot read config file" in err


def test_config_and_no_config_together_are_refused(folder: Path) -> None:
    (folder / "ci.toml").write_text("jobs = 1\n")
    code, _, err = run_cli("clean", "in", "--config", "ci.toml", "--no-config")
    assert code == 2 and "exclude each other" in err


def test_byte_sizes_and_lists_take_the_forms_the_flags_take(folder: Path) -> None:
    (folder / "cleanwire.toml").write_text('max-bytes = "1K"\n')
    code, _, err = run_cli("clean", "in", "-q", "--format", "jsonl")
    assert code == 1 and err.count("(limit 1024)") == 2  # both seeds are over 1 KiB
    (folder / "cleanwire.toml").write_text('[explain]\nfrom = ["in"]\n')
    code, out, _ = run_cli("explain", SEED_EXCERPT, SEED_FULL, "--format", "json")
    assert code == 0 and '"duplicate": true' in out
