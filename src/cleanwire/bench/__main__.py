"""Benchmark commands, each in its own module, imported only when run."""

from __future__ import annotations

import importlib

import click

COMMANDS = {
    "clean": ("cleanwire.bench.clean", "Cleaning quality and speed on the cleaning dev set, against jusText."),
    "dedupe": ("cleanwire.bench.dedupe", "Duplicate detection on the dedup dev set, against datasketch."),
    "make-corpus": ("cleanwire.bench.corpus", "Write a synthetic corpus of page dumps with known duplicates."),
    "scale": ("cleanwire.bench.scale", "Throughput and memory on a generated corpus, against datasketch."),
    "train-lines": ("cleanwire.bench.trainlines", "Train the text-dump line model from labelled dev sets."),
    "formats": ("cleanwire.bench.formats", "One corpus read as .jsonl and as .jsonl.zst, side by side."),
    "warc": ("cleanwire.bench.warcform", "The same HTML pages read as .warc.gz and as JSON lines, side by side."),
    "index": ("cleanwire.bench.index", "The persistent index: size per document, one batch against 100k and 1M."),
}


class LazyGroup(click.Group):
    """A group whose commands live in modules imported only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[name][0])
        command: click.Command = module.command
        command.help = command.help or COMMANDS[name][1]
        return command


@click.group(cls=LazyGroup)
def bench() -> None:
    """cleanwire benchmarks (need `pip install '.[bench]'`)."""


if __name__ == "__main__":
    bench()
