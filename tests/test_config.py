"""Options -> Config: one path for every command, defaults kept, validation once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cleanwire.config import (
    DEFAULTS,
    OPTIONS,
    Config,
    DedupConfig,
    EngineConfig,
    config_from_options,
    parse_byte_size,
)
from cleanwire.errors import ConfigError


def test_no_options_give_the_defaults() -> None:
    assert config_from_options({}) == Config() == DEFAULTS
    assert DEFAULTS.engine == EngineConfig(name="local", jobs=1, address=None)


def test_every_option_lands_in_its_field() -> None:
    options = {
        "input_format": "jsonl", "glob_pattern": "*.txt", "text_field": "body", "html_field": "page",
        "id_field": "key", "url_field": "link", "title_field": "headline", "max_bytes": 1000,
        "max_page_memory": "1M", "no_clean": True, "no_templates": True, "line_model": True,
        "near_threshold": 0.5, "excerpt_threshold": 0.6,
        "engine": "ray", "jobs": 4, "ray_address": "auto", "keep": "longest",
    }
    assert set(options) == set(OPTIONS)
    config = config_from_options(options | {"inputs": ("a",), "quiet": True})  # not the Config's business
    assert (config.ingest.input_format, config.ingest.glob, config.ingest.max_bytes) == ("jsonl", "*.txt", 1000)
    assert (config.ingest.text_field, config.ingest.html_field, config.ingest.id_field) == ("body", "page", "key")
    assert (config.ingest.url_field, config.ingest.title_field) == ("link", "headline")
    assert not config.clean.enabled and not config.clean.learn_templates and config.clean.line_model
    assert config.clean.max_page_memory == 1024 * 1024
    assert config.dedup == replace(DedupConfig(), near_threshold=0.5, excerpt_threshold=0.6)
    assert config.engine == EngineConfig(name="ray", jobs=4, address="auto")
    assert config.keep == "longest"


def test_flags_at_their_defaults_give_the_defaults() -> None:
    flags = {"input_format": None, "glob_pattern": None, "text_field": "text", "html_field": "html", "id_field": "id",
             "url_field": "url", "title_field": "title", "max_bytes": DEFAULTS.ingest.max_bytes,
             "max_page_memory": DEFAULTS.clean.max_page_memory, "no_clean": False,
             "no_templates": False, "engine": "local", "jobs": 1, "ray_address": None, "keep": "complete",
             "near_threshold": 0.8, "excerpt_threshold": 0.7}
    assert config_from_options(flags) == DEFAULTS


def test_options_go_over_a_base_and_none_keeps_its_value() -> None:
    base = config_from_options({"jobs": 3, "keep": "first", "glob_pattern": "*.html"})
    config = config_from_options({"jobs": None, "keep": "shortest", "glob_pattern": None}, base)
    assert (config.engine.jobs, config.keep, config.ingest.glob) == (3, "shortest", "*.html")


@pytest.mark.parametrize(("options", "message"), [
    ({"keep": "best"}, "--keep must be one of complete, longest, shortest, first, not 'best'"),
    ({"jobs": 0}, "--jobs must be at least 1, not 0"),
    ({"input_format": "pdf"}, "--input-format must be one of text, html, jsonl, parquet, not 'pdf'"),
])
def test_bad_options_are_config_errors(options: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_options(options)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "size"),
    [("1000", 1000), ("512K", 512 * 1024), ("512k", 512 * 1024), ("10M", 10 * 1024**2), ("10MB", 10 * 1024**2),
     ("10MiB", 10 * 1024**2), ("1G", 1024**3), ("1.5G", 3 * 1024**3 // 2), (" 2 m ", 2 * 1024**2), ("1T", 1024**4),
     ("7B", 7)],
)
def test_byte_sizes_take_binary_suffixes(text: str, size: int) -> None:
    assert parse_byte_size(text) == size
    assert config_from_options({"max_bytes": text}).ingest.max_bytes == size


@pytest.mark.parametrize("text", ["", "M", "ten", "10X", "10MM", "-5M", "0", "0K", "1e3", "0.1B", "nan", "inf"])
def test_garbage_byte_sizes_are_refused(text: str) -> None:
    with pytest.raises(ConfigError, match="size"):
        parse_byte_size(text)
