"""Shared test helpers: fixture paths, the seeds, made-up text, the CLI run in this process or as a real one.

Test modules import these names (`from conftest import SEEDS, run_cli`): pytest puts this folder on
sys.path, and this module is imported once, before any test module.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
FIXTURES = ROOT / "fixtures"
SEEDS = FIXTURES / "seeds"  # three pages: an excerpt, the full story it comes from, and an unrelated one
SEED_EXCERPT, SEED_FULL, SEED_OTHER = "000_3ff13f3d5dec7158.txt", "001_145a5d41464ce8e0.txt", "002_e8401ba1ab69d7ed.txt"
CLEAN_FIXTURES = FIXTURES / "clean"
BAD_FIXTURES = FIXTURES / "bad"

SYLLABLES = "ba ko ri tu me sa lo ne vi da ru pe mo ki zu la fo gi".split()


def word(rng: random.Random) -> str:
    """A made-up word of 1 to 4 syllables (a large vocabulary, so unrelated texts share no phrases)."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4)))


def paragraphs(seed: int, count: int = 8, words: int = 60) -> list[str]:
    """Made-up article paragraphs of random sentences."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sentences: list[str] = []
        while sum(len(s.split()) for s in sentences) < words:
            body = " ".join(word(rng) for _ in range(rng.randint(8, 18)))
            sentences.append(body.capitalize() + ", " + word(rng) + ".")
        out.append(" ".join(sentences))
    return out


def seed_body(name: str, first: str, last: str) -> str:
    """The clean body of a seed: its lines from the one starting with `first` to the one ending with `last`."""
    lines = [line.strip() for line in (SEEDS / name).read_text(encoding="utf-8").splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    end = next(i for i, line in enumerate(lines) if i >= start and line.endswith(last))
    return "\n".join(line for line in lines[start:end + 1] if line)


def seeds() -> tuple[str, str, str]:
    """The clean bodies of the three seeds: the excerpt, the full story, the unrelated one."""
    excerpt = seed_body(SEED_EXCERPT, "After a long", "years to recover.")
    full = seed_body(SEED_FULL, "After a long", "but not at any price.")
    other = seed_body(SEED_OTHER, "WASHINGTON — Former President", "used in the past.”")
    return excerpt, full, other


def run_cli(*args: str | Path | int, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """The CLI in this process (click's CliRunner): exit code, stdout, stderr; exceptions are not caught."""
    from cleanwire.cli import cli  # here, not at the top: a session that never runs the CLI does not load it

    result = CliRunner().invoke(cli, [str(a) for a in args], input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def jsonl(text: str) -> list[dict[str, Any]]:
    """The records of JSON lines output, blank lines skipped."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def subprocess_env(tmpdir: Path | None = None) -> dict[str, str]:
    """The environment for a child Python that imports this checkout's cleanwire (and uses `tmpdir` for temp files)."""
    env = dict(os.environ, PYTHONPATH=str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return env


def run_process(*args: str | Path | int, cwd: Path | None = None, tmpdir: Path | None = None,
                memory_limit: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    """`python -m cleanwire ARGS` in a real process (worker pools fork, signals are real)."""
    def limit() -> None:
        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run([sys.executable, "-m", "cleanwire", *map(str, args)], capture_output=True, cwd=cwd,
                          env=subprocess_env(tmpdir), timeout=timeout, preexec_fn=limit)


@pytest.fixture
def days(tmp_path: Path) -> tuple[Path, Path]:
    """Two days of a crawl from the seeds: day 1 holds the excerpt, day 2 the full story and the other one."""
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    day1.mkdir()
    day2.mkdir()
    (day1 / SEED_EXCERPT).write_bytes((SEEDS / SEED_EXCERPT).read_bytes())
    for name in (SEED_FULL, SEED_OTHER):
        (day2 / name).write_bytes((SEEDS / name).read_bytes())
    return day1, day2
