"""Benchmarks: `python -m cleanwire.bench --help`. Not part of the unit tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import click


def load_scorer(dev_dir: Path, name: str) -> ModuleType:
    """Import DEV_DIR/score.py where it lies (the dev sets' licence keeps it out of the project)."""
    spec = importlib.util.spec_from_file_location(name, Path(dev_dir) / "score.py")
    if spec is None or spec.loader is None:
        raise click.ClickException(f"no score.py in {dev_dir}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
