"""One frozen Config for a run, built once at the boundary (CLI or library caller)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from cleanwire.errors import ConfigError

INPUT_FORMATS = ("text", "html", "jsonl", "parquet")
KEEP_CHOICES = ("complete", "longest", "shortest", "first")


@dataclass(frozen=True)
class IngestConfig:
    """How inputs are found and read."""

    input_format: str | None = None  # None: detect per input
    glob: str | None = None  # filter for files found inside folders
    text_field: str = "text"
    html_field: str = "html"
    id_field: str = "id"
    url_field: str = "url"
    title_field: str = "title"
    max_bytes: int = 32 * 1024 * 1024  # larger text/HTML files are reported, not read (no news page is this big)
    max_line_bytes: int = 64 * 1024 * 1024  # one JSON line larger than this is reported


@dataclass(frozen=True)
class CleanConfig:
    """How page text is cleaned."""

    enabled: bool = True  # False: inputs are already clean, only normalise
    learn_templates: bool = True  # drop lines that repeat across different articles of a run
    line_model: bool = False  # text dumps: let the learnt line model (clean/linemodel.py) overrule the rules
    template_min_docs: int = 3  # a line seen in this many unrelated documents is template
    # a page whose cleaning would take more memory than this (clean/cost.py estimates it) is reported, not
    # cleaned: with the worker's own ~50 MB, peak memory stays under 1 GB per worker
    max_page_memory: int = 768 * 1024 * 1024


@dataclass(frozen=True)
class DedupConfig:
    """How duplicates are found and verified."""

    shingle_chars: int = 20  # character n-gram length over the text without spaces and punctuation
    sample_mod: int = 32  # keep about 1 in sample_mod n-gram hashes (h % sample_mod == 0)
    max_hashes: int = 64  # fingerprints kept per document at most: bounds memory
    lead_chars: int = 1000  # all sampled fingerprints of a text's first characters are kept (excerpts are leads)
    max_doc_freq: int = 50  # a fingerprint in more documents links them only as a chain, not all pairs
    min_shared: int = 2  # shared fingerprints for a pair to become a candidate
    min_estimate: float = 0.2  # candidates whose sampled containment is lower are not verified
    min_block: int = 4  # words in a row that count as a shared passage in verification
    near_threshold: float = 0.80  # similarity for a near-duplicate
    excerpt_threshold: float = 0.70  # containment of the smaller in the larger for an excerpt
    narrative_share: float = 0.5  # share of one side's unquoted words a duplicate must share (quotes alone are no copy)
    short_words: int = 30  # texts shorter than this match only by near-exact text
    teaser_words: int = 12  # a shorter text found whole at the top of a longer one is its teaser (an excerpt)
    short_similarity: float = 0.97  # character similarity for texts under short_words to match
    batch_pairs: int = 2000  # candidate pairs verified per batch (texts of one batch in memory)
    seed: int = 0x5EED  # seed of the fingerprint hash


@dataclass(frozen=True)
class EngineConfig:
    """Where the streaming stages run."""

    name: str = "local"  # "local" (a process pool on this machine) or "ray"
    jobs: int = 1  # processes for cleaning and fingerprinting
    address: str | None = None  # a running Ray cluster to join (ray only)


@dataclass(frozen=True)
class Config:
    """Everything one run needs; validated once."""

    ingest: IngestConfig = field(default_factory=IngestConfig)
    clean: CleanConfig = field(default_factory=CleanConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    keep: str = "complete"

    def __post_init__(self) -> None:
        if self.keep not in KEEP_CHOICES:
            raise ConfigError(f"--keep must be one of {', '.join(KEEP_CHOICES)}, not {self.keep!r}")
        if self.engine.jobs < 1:
            raise ConfigError(f"--jobs must be at least 1, not {self.engine.jobs}")
        fmt = self.ingest.input_format
        if fmt is not None and fmt not in INPUT_FORMATS:
            raise ConfigError(f"--input-format must be one of {', '.join(INPUT_FORMATS)}, not {fmt!r}")


DEFAULTS = Config()


def _same(value: Any) -> Any:
    """The flag's value is the field's."""
    return value


def _negated(value: Any) -> bool:
    """A --no-X flag sets a field that says X."""
    return not value


_BYTE_SIZE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(?:([kmgt])(?:i?b)?|b)?", re.IGNORECASE)
_BYTE_UNITS = {None: 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_byte_size(text: str) -> int:
    """A size in bytes from "33554432", "512K", "10M", "1.5G" (binary units; "10MB" and "10MiB" alike)."""
    match = _BYTE_SIZE.fullmatch(text.strip())
    size = 0
    if match is not None:
        size = int(Decimal(match.group(1)) * _BYTE_UNITS[(match.group(2) or "").lower() or None])
    if size < 1:
        raise ConfigError(f"{text!r} is not a size in bytes: a positive number, or one with a unit, "
                          "e.g. 512K, 10M, 1G")
    return size


def _byte_size(value: Any) -> int:
    """A flag's or a config file's size: bytes as a number, or text such as "10M"."""
    return parse_byte_size(value) if isinstance(value, str) else int(value)


# option name (as the command line passes it) -> (part of Config or "" for Config itself, field, flag -> value)
OPTIONS: dict[str, tuple[str, str, Callable[[Any], Any]]] = {
    "input_format": ("ingest", "input_format", _same),
    "glob_pattern": ("ingest", "glob", _same),
    "text_field": ("ingest", "text_field", _same),
    "html_field": ("ingest", "html_field", _same),
    "id_field": ("ingest", "id_field", _same),
    "url_field": ("ingest", "url_field", _same),
    "title_field": ("ingest", "title_field", _same),
    "max_bytes": ("ingest", "max_bytes", _byte_size),
    "max_page_memory": ("clean", "max_page_memory", _byte_size),
    "no_clean": ("clean", "enabled", _negated),
    "no_templates": ("clean", "learn_templates", _negated),
    "line_model": ("clean", "line_model", _same),
    "near_threshold": ("dedup", "near_threshold", _same),
    "excerpt_threshold": ("dedup", "excerpt_threshold", _same),
    "engine": ("engine", "name", _same),
    "jobs": ("engine", "jobs", _same),
    "ray_address": ("engine", "address", _same),
    "keep": ("", "keep", _same),
}


def config_from_options(options: Mapping[str, Any], base: Config = DEFAULTS) -> Config:
    """Options -> Config, the one place every command builds its Config: `base` with the options over it.

    `options` maps the names in OPTIONS to values; a name that is absent or None keeps `base`'s value, and
    names not in OPTIONS (inputs, --quiet ...) are not the Config's business. `base` is the defaults; a
    config file read into a Config slots in here, under the flags.
    """
    changes: dict[str, dict[str, Any]] = {}
    for name, (part, attribute, convert) in OPTIONS.items():
        if options.get(name) is not None:
            changes.setdefault(part, {})[attribute] = convert(options[name])
    parts = {part: replace(getattr(base, part), **values) for part, values in changes.items() if part}
    return replace(base, **parts, **changes.get("", {}))
