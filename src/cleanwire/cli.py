"""The command line: parse options, build one Config, call the library.

Standard output carries data only; people read standard error.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from rich.console import Console

from cleanwire import __version__, configfile
from cleanwire.config import (
    DEFAULTS,
    INPUT_FORMATS,
    KEEP_CHOICES,
    EngineConfig,
    config_from_options,
    parse_byte_size,
)
from cleanwire.document import Document, json_line
from cleanwire.emit import (
    default_format,
    document_record,
    error_line,
    error_record,
    open_output_dir,
    progress_bars,
    summary_text,
    write_dedupe_output,
    write_records,
)
from cleanwire.emit.parquet import PARQUET_FILE, require_pyarrow, write_parquet
from cleanwire.engines import ENGINES, get_engine
from cleanwire.errors import EXIT_CODES_HELP, EXPLAIN_EXIT_CODES_HELP, ConfigError, ExitCode, exit_codes_help
from cleanwire.index import DEFAULT_WAIT, Index
from cleanwire.ingest import InputSet
from cleanwire.outdir import OutputDir
from cleanwire.pipeline import Counters, Progress, clean_stream, dedupe
from cleanwire.process import check_stdout, guarded, run_as_process, writing_to
from cleanwire.scratch import sweep

if TYPE_CHECKING:  # click 8.2 made ParamType generic; 8.1, which the package allows, cannot subscript it
    _IntParamType = click.ParamType[int, Any]
else:
    _IntParamType = click.ParamType


class ByteSize(_IntParamType):
    """A size in bytes on the command line: 33554432, 512K, 10M, 1G."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_byte_size(str(value))
        except ConfigError as exc:
            self.fail(str(exc), param, ctx)


def _apply(options: list[Callable[[Any], Any]], fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate `fn` with `options`, which --help then lists in this order."""
    for option in reversed(options):
        fn = option(fn)
    return fn


def reading_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """How inputs are read, cleaned and run: the options of every command that reads inputs."""
    return _apply([
        click.option("--input-format", type=click.Choice(INPUT_FORMATS),
                     help="Force the input format instead of detecting it per input."),
        click.option("--glob", "glob_pattern", metavar="PATTERN",
                     help="Only files matching PATTERN inside folders, e.g. '*.txt'."),
        click.option("--text-field", default="text", show_default=True, help="JSON lines: field with page text."),
        click.option("--html-field", default="html", show_default=True, help="JSON lines: field with page HTML."),
        click.option("--id-field", default="id", show_default=True, help="JSON lines: field with the record id."),
        click.option("--url-field", default="url", show_default=True, help="JSON lines: field with the URL."),
        click.option("--title-field", default="title", show_default=True, help="JSON lines: field with the title."),
        click.option("--max-bytes", type=ByteSize(), default=f"{DEFAULTS.ingest.max_bytes // 1024**2}M",
                     show_default=True,
                     help="Text and HTML files larger than this are reported as errors, not read "
                          "(bytes, or with a unit: 512K, 10M, 1G)."),
        click.option("--max-page-memory", type=ByteSize(),
                     default=f"{DEFAULTS.clean.max_page_memory // 1024**2}M", show_default=True,
                     help="A page whose cleaning would take more memory than this (estimated from its lines, "
                          "words and HTML tags) is reported as an error, not cleaned."),
        click.option("--no-clean", is_flag=True, help="Inputs are already clean: only normalise the text."),
        click.option("--no-templates", is_flag=True,
                     help="Do not learn template lines that repeat across documents of the run."),
        click.option("--line-model/--no-line-model", default=None,
                     help="Text dumps: let the learnt line model keep or drop lines where it is confident "
                          "(default: off, the rules alone)."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=DEFAULTS.engine.jobs, show_default=True,
                     help="Processes for cleaning and fingerprinting."),
        click.option("--engine", type=click.Choice(ENGINES), default=DEFAULTS.engine.name, show_default=True,
                     help="Where the stages run; ray needs the ray extra."),
        click.option("--ray-address", metavar="ADDRESS", help="Join a running Ray cluster (with --engine ray)."),
    ], fn)


def input_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options every command that reads inputs shares."""
    return _apply([
        click.argument("inputs", nargs=-1, required=True),
        reading_options,
        click.option("--errors", "errors_path", type=click.Path(dir_okay=False, writable=True),
                     help="Write failed inputs as JSON lines to this file."),
        click.option("--stats", "stats_path", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
                     help="Write the run's counters as JSON to this file; - writes them to stdout as one JSON "
                          "line after the data."),
        click.option("--quiet", "-q", is_flag=True, help="Nothing on stderr but errors."),
    ], fn)


def output_options(format_help: str, output_dir_help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--format and --output-dir, with the help text of the command they serve."""
    return functools.partial(_apply, [
        click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "text", "csv", "tsv", "parquet"]),
                     help=format_help + " parquet writes <output-dir>/records.parquet."),
        click.option("--output-dir", type=click.Path(file_okay=False), help=output_dir_help),
        click.option("--overwrite", is_flag=True,
                     help="Use an --output-dir that is not empty: first remove the files an earlier run listed in "
                          "its clusters.json, and clusters.json (never other files)."),
    ])


def dedupe_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """How duplicates are chosen, matched and reported."""
    return _apply([
        click.option("--keep", type=click.Choice(KEEP_CHOICES), default=DEFAULTS.keep, show_default=True,
                     help="Which version of a story is canonical: the most complete (contains the others, else "
                          "the longest), the longest, the shortest or the first in input order."),
        click.option("--all", "include_all", is_flag=True,
                     help="Emit every document; duplicates carry canonical_id and how they matched."),
        click.option("--passages", is_flag=True,
                     help="With --all, a duplicate's record also lists the passages only it or its canonical has "
                          "(only_in): one more alignment per duplicate."),
        click.option("--fail-on-duplicates", is_flag=True,
                     help=f"Exit with code {ExitCode.DUPLICATES_FOUND.value} when any duplicate is found (a CI gate)."),
        threshold_options,
    ], fn)


def threshold_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """When two texts are duplicates: dedupe and explain judge a pair alike."""
    return _apply([
        click.option("--near-threshold", type=click.FloatRange(0, 1), default=DEFAULTS.dedup.near_threshold,
                     show_default=True, help="Similarity at which two texts are near-duplicates."),
        click.option("--excerpt-threshold", type=click.FloatRange(0, 1), default=DEFAULTS.dedup.excerpt_threshold,
                     show_default=True, help="Share of the shorter text contained in the longer for a duplicate "
                                             "(an excerpt when it is clearly shorter, see README)."),
    ], fn)


def config_file_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--config FILE and --no-config: where the defaults of the other options come from (see configfile.py)."""
    return _apply([
        click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), is_eager=True,
                     expose_value=False, callback=_use_config_file,
                     help=f"Take option defaults from this TOML file instead of ./{configfile.PROJECT_FILE} or "
                          f"{configfile.PYPROJECT} [tool.cleanwire]; flags still win. "
                          "See 'cleanwire config show'."),
        click.option("--no-config", is_flag=True, is_eager=True, expose_value=False, callback=_use_config_file,
                     help=f"Read no config file, not even ./{configfile.PROJECT_FILE}."),
    ], fn)


def _use_config_file(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Once --config and --no-config are both known, load the file and make its values the defaults."""
    seen = ctx.meta.setdefault("cleanwire.config", {})
    seen[param.name] = value
    if len(seen) < 2 or ctx.resilient_parsing:
        return
    file = ctx.meta["cleanwire.config_file"] = _chosen_config(seen["config_file"], seen["no_config"])
    if file is not None:
        ctx.default_map = configfile.file_defaults(ctx.command, ctx, file)


def _chosen_config(path: Path | None, no_config: bool) -> configfile.ConfigFile | None:
    """The config file a command reads: --config FILE, none with --no-config, else the working directory's."""
    if path is not None and no_config:
        raise click.UsageError("--config and --no-config exclude each other")
    if path is None and not no_config:
        path = configfile.discover()
    if path is None:
        return None
    commands = _configurable_commands()
    file = configfile.load(path, set(commands))
    configfile.check_keys(file, commands)
    return file


def _configurable_commands() -> dict[str, click.Command]:
    """The commands a config file may set options of, by name."""
    return {name: command for name, command in cli.commands.items() if name in ("clean", "dedupe", "explain")}
def index_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """A persistent index to dedupe against (and add to): see "Incremental runs" in the README."""
    return _apply([
        click.option("--index", "index_path", type=click.Path(dir_okay=False), metavar="FILE",
                     help="Dedupe against the documents in this index (SQLite; created when missing) and add this "
                          "run's documents to it, in one transaction at the end. Stories already in it are not "
                          "emitted again: their new copies count as duplicates (with --all they carry canonical_id "
                          "of the indexed story); a new canonical lists the indexed ids it absorbed in "
                          "absorbed_indexed."),
        click.option("--against", "against_path", type=click.Path(dir_okay=False, exists=True), metavar="FILE",
                     help="As --index, but read only: match against the index, change nothing."),
        click.option("--index-wait", type=click.FloatRange(min=0), default=DEFAULT_WAIT, show_default=True,
                     metavar="SECONDS", help="How long to wait for another run that holds the --index."),
    ], fn)


def open_index(params: dict[str, Any], config: Any, stack: ExitStack) -> Index | None:
    """The --index or --against of a dedupe run, opened and checked before any input is read."""
    index_path, against_path = params.pop("index_path"), params.pop("against_path")
    wait = params.pop("index_wait")
    if index_path and against_path:
        raise click.UsageError("--index and --against exclude each other: --against is a read-only --index")
    if not (index_path or against_path):
        return None
    if against_path:
        index = Index.open(against_path, config, readonly=True, wait=wait, option="--against")
    else:
        index = Index.open(index_path, config, wait=wait)
    stack.callback(index.close)
    return index


class Run:
    """What one command invocation shares: consoles, the error sink, counters, the exit code."""

    def __init__(self, params: dict[str, Any], stack: ExitStack, output_dir: str | None = None) -> None:
        sweep()  # $TMPDIR folders of runs that were killed
        self.quiet: bool = params["quiet"]
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self.counters = Counters()
        self.errors_file: IO[str] | None = None
        self.errors_path: str | None = params["errors_path"]
        self.wrote: tuple[OutputDir, str, str] | None = None  # the output folder, as given, and what it holds
        for option, path in (("--errors", params["errors_path"]), ("--stats", params["stats_path"])):
            if output_dir and path and path != "-" and _inside(path, output_dir):
                raise click.UsageError(f"{option} {path} is inside --output-dir {output_dir}: choose a file "
                                       f"outside the folder")
        if params["errors_path"]:
            self.errors_file = open(params["errors_path"], "w", encoding="utf-8")  # noqa: SIM115 - closed below
            stack.callback(self._close_errors)
        self.stats_path: str | None = params["stats_path"]
        self.started = time.perf_counter()
        self.live = False  # progress bars are on the terminal

    def outputs(self, output_dir: str | None) -> list[str]:
        """The paths this run writes, which it must never read as inputs."""
        return [path for path in (output_dir, self.errors_path, self.stats_path) if path and path != "-"]

    def wrote_to(self, folder: OutputDir | None, path: str | None, what: str) -> None:
        """Say at the end how many `what` (stories, documents) went to the folder `path`."""
        if folder is not None and path is not None:
            self.wrote = (folder, path, what)

    def _say(self, line: str) -> None:
        """One line on stderr; above the bars when they are live, whole: not cut nor wrapped at the width."""
        if self.live:
            self.err.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)
        else:
            click.echo(line, err=True)

    def report_error(self, doc: Document) -> None:
        """One line on stderr naming the failed input; a record in --errors FILE."""
        self._say(error_line(doc))
        if self.errors_file is not None:
            with writing_to(self.errors_path or ""):
                self.errors_file.write(json_line(error_record(doc)) + "\n")

    def _close_errors(self) -> None:
        if self.errors_file is not None:
            with writing_to(self.errors_path or ""):
                self.errors_file.close()

    def warn(self, line: str) -> None:
        """A warning line on stderr, unless --quiet."""
        if not self.quiet:
            self._say(f"warning: {line}")

    def report_empty(self, name: str) -> None:
        """A warning line on stderr naming a document that cleaned to nothing, unless --quiet (exit code: 0)."""
        if not self.quiet:
            self._say(f"warning: {name}: empty after cleaning")

    def progress(self, stack: ExitStack) -> Progress | None:
        """Progress bars on stderr when it is a terminal, unless --quiet."""
        advance = progress_bars(self.err, stack, quiet=self.quiet)
        self.live = advance is not None
        return advance

    def finish(self, exit_code: ExitCode) -> None:
        """Summary on stderr, counters to --stats, and the exit code (input errors take precedence)."""
        if self.counters.errors:
            exit_code = ExitCode.INPUT_ERRORS
        if self.wrote is not None and not self.quiet:
            folder, path, what = self.wrote
            self.err.print(f"wrote {folder.files_written} {what} to {path.rstrip('/')}/", markup=False)
        if not self.quiet:
            self.err.print(summary_text(self.counters, time.perf_counter() - self.started), markup=False)
        if self.stats_path:
            wall = round(time.perf_counter() - self.started, 3)
            counts = self.counters.as_dict()
            counts = {("stories" if key == "clusters" else key): value for key, value in counts.items()}
            stats = counts | {"wall_seconds": wall, "exit_code": int(exit_code)}
            if self.stats_path == "-":  # after the data, one line: a JSON lines reader still reads lines
                with writing_to("standard output"):
                    sys.stdout.write(json.dumps(stats) + "\n")
                    sys.stdout.flush()
            else:
                with writing_to(self.stats_path):
                    Path(self.stats_path).write_text(json.dumps(stats, indent=2) + "\n", encoding="utf-8")
        sys.exit(int(exit_code))


def parquet_output(fmt: str | None, output_dir: str | None) -> str | None:
    """The file `--format parquet` writes, <output-dir>/records.parquet, else None; checked before any input is
    read: Parquet is a file format, never written to standard output."""
    if fmt != "parquet":
        return None
    if output_dir is None:
        raise click.UsageError(f"--format parquet writes a file, not standard output: add --output-dir DIR "
                               f"(it writes DIR/{PARQUET_FILE})")
    require_pyarrow(f"--format parquet ({os.path.join(output_dir, PARQUET_FILE)})")
    return os.path.join(output_dir, PARQUET_FILE)


def _inside(path: str, folder: str) -> bool:
    """Whether `path` is in `folder` or below it (symlinks resolved)."""
    real, root = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, root]) == root


def open_engine(config: EngineConfig, stack: ExitStack) -> Any:
    """The engine `config` names, closed when the command ends."""
    if config.address and config.name != "ray":
        raise click.UsageError("--ray-address needs --engine ray")
    options = {"address": config.address} if config.name == "ray" else {}
    engine = get_engine(config.name, config.jobs, **options)
    stack.callback(engine.close)
    return engine


@click.group(epilog=exit_codes_help(duplicates=True))
@click.version_option(__version__, "-V", "--version", prog_name="cleanwire")
def cli() -> None:
    """Turn scraped news pages into clean canonical text, one per story.

    Inputs are files, folders (searched recursively) or - for standard input: plain-text page
    dumps, HTML pages or JSON lines, detected per input.
    """


@cli.command(epilog=EXIT_CODES_HELP)
@input_options
@output_options(format_help="Output format [default: jsonl on a pipe, text on a terminal].",
                output_dir_help="Write one clean .txt per document here.")
@click.option("--explain", is_flag=True, help="Show each input line with keep or drop and the reason.")
@config_file_options
@guarded
def clean(fmt: str | None, output_dir: str | None, overwrite: bool, explain: bool, **params: Any) -> None:
    """Clean page junk from every input and emit the clean documents."""
    check_stdout(output_dir)
    parquet_path = parquet_output(fmt, output_dir)
    with ExitStack() as stack:
        run = Run(params, stack, output_dir)
        config = config_from_options(params)
        engine = open_engine(config.engine, stack)
        inputs = stack.enter_context(InputSet(params["inputs"], config.ingest, stdin=sys.stdin.buffer,
                                                  exclude=run.outputs(output_dir)))
        writer = open_output_dir(output_dir, overwrite)
        if writer is not None:
            stack.callback(writer.close)
        run.wrote_to(writer, output_dir, "documents")
        fmt = default_format(fmt, "text")
        documents = clean_stream(inputs, config, engine, run.counters, explain=explain,
                                 progress=run.progress(stack))

        def good() -> Iterator[dict[str, Any]]:
            for doc in documents:
                if doc.error is not None:
                    run.report_error(doc)
                    continue
                if not doc.text:
                    run.report_empty(doc.source or doc.id)
                if explain:
                    _print_explain(doc)
                if writer is not None:
                    with writing_to(str(writer.root)):
                        writer.write_text(doc.id, doc.text, doc.source)
                yield document_record(doc)

        if explain:
            for _ in good():
                pass
        elif parquet_path is not None:
            with writing_to(parquet_path):
                write_parquet(good(), parquet_path, warn=run.warn)
        else:
            write_records(good(), fmt, sys.stdout)
        run.finish(ExitCode.SUCCESS)


def _print_explain(doc: Document) -> None:
    """Every input line of `doc` with its decision, on stdout (it is what was asked for)."""
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"=== {doc.id}", style="bold", markup=False)
    for decision in doc.decisions or []:
        mark, style = ("keep", "green") if decision.keep else ("drop", "red")
        console.print(f"[{style}]{mark}[/] {decision.rule:<20} {decision.score:6.2f}  ", end="")
        console.print(decision.line, markup=False, style=None if decision.keep else "dim")


@cli.command(epilog=exit_codes_help(duplicates=True))
@input_options
@output_options(format_help="Output format [default: jsonl on a pipe, a table of stories on a terminal].",
                output_dir_help="Write one clean .txt per story and clusters.json here.")
@dedupe_options
@config_file_options
@index_options
@guarded
def dedupe_command(
    fmt: str | None, output_dir: str | None, overwrite: bool, include_all: bool, passages: bool,
    fail_on_duplicates: bool, **params: Any,
) -> None:
    """Clean every input, find documents that carry the same story, emit one record per story."""
    check_stdout(output_dir)
    parquet_output(fmt, output_dir)
    with ExitStack() as stack:
        run = Run(params, stack, output_dir)
        config = config_from_options(params)
        index = open_index(params, config, stack)
        engine = open_engine(config.engine, stack)
        inputs = stack.enter_context(InputSet(params["inputs"], config.ingest, stdin=sys.stdin.buffer,
                                              exclude=[*run.outputs(output_dir), *(index.files() if index else [])]))
        writer = open_output_dir(output_dir, overwrite)
        if writer is not None:
            stack.callback(writer.close)
        run.wrote_to(writer, output_dir, "stories")
        progress = run.progress(stack)
        result = dedupe(inputs, config, engine, run.counters, run.report_error, progress=progress,
                        on_empty=run.report_empty, passages=include_all and passages, index=index)
        stack.callback(result.close)
        written = None
        if progress is not None:
            records = len(result.ids) if include_all else len(result.ids) - len(result.member_match)
            if index is not None:  # the indexed documents that took part are not written
                records = run.counters.documents - run.counters.errors if include_all else run.counters.clusters
            progress("writing", 0, records, unit="documents" if include_all else "stories")
            written = functools.partial(progress, "writing")
        write_dedupe_output(result, fmt, writer, engine, run.counters, sys.stdout, include_all=include_all,
                            written=written)
        if index is not None and not index.readonly:  # the output is out: the index takes the run, all at once
            started = time.perf_counter()
            run.counters.index.update(index.commit(result))
            run.counters.seconds["index commit"] = time.perf_counter() - started
            if index.upgraded:
                run.warn(f"--index {index.path}: upgraded from an older cleanwire's format (its documents stay "
                         f"readable; new ones are stored smaller)")
        found = run.counters.duplicates and fail_on_duplicates
        run.finish(ExitCode.DUPLICATES_FOUND if found else ExitCode.SUCCESS)


cli.add_command(dedupe_command, name="dedupe")


@cli.group(name="index")
def index_group() -> None:
    """Look after a dedupe index (made by `dedupe --index FILE`): its figures, retention."""


@index_group.command(name="stats")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, exists=True))
@guarded
def index_stats(path: str) -> None:
    """Documents, stories, size on disk, format version, created/updated and settings of the index FILE, as JSON."""
    index = Index.open(path, readonly=True, option="index")
    try:
        stats = index.stats()
    finally:
        index.close()
    click.echo(json.dumps(stats, indent=2))


@index_group.command(name="remove")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, exists=True))
@click.option("--before", metavar="DATE", help="Remove the documents added before DATE (ISO: 2026-01-01, or a time "
                                                "2026-01-01T12:00:00Z, UTC).")
@click.option("--id", "doc_ids", multiple=True, metavar="ID", help="Remove the document with this id (repeatable).")
@click.option("--index-wait", type=click.FloatRange(min=0), default=DEFAULT_WAIT, show_default=True,
              metavar="SECONDS", help="How long to wait for a run that holds the index.")
@guarded
def index_remove(path: str, before: str | None, doc_ids: tuple[str, ...], index_wait: float) -> None:
    """Remove documents from the index FILE (retention); stories that lose their canonical get a new one.

    Prints what changed as JSON.
    """
    if not before and not doc_ids:
        raise click.UsageError("give --before DATE or --id ID")
    if before is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z?)?", before):
        raise click.UsageError(f"--before {before!r}: not an ISO date such as 2026-01-01")
    index = Index.open(path, readonly=False, wait=index_wait, option="index", create=False)
    try:
        settings = json.loads(index.meta()["settings"])
        config = replace(DEFAULTS, keep=settings["keep"],
                         dedup=replace(DEFAULTS.dedup, **{k: v for k, v in settings.items() if k != "keep"}))
        changes = index.remove(config, before, doc_ids)
    finally:
        index.close()
    click.echo(json.dumps(changes))




@cli.command(epilog=EXPLAIN_EXIT_CODES_HELP)
@click.argument("first")
@click.argument("second")
@click.option("--from", "sources", multiple=True, metavar="INPUT",
              help="Look FIRST and SECOND up as ids in this input (file or folder; repeatable), as dedupe of the "
                   "same inputs names them; an id's extension may be left out (d0001 for d0001.txt).")
@click.option("--format", "fmt", type=click.Choice(["json", "rich"]),
              help="Output format [default: rich on a terminal, json on a pipe].")
@reading_options
@threshold_options
@click.option("--quiet", "-q", is_flag=True, help="Nothing on stderr but errors.")
@config_file_options
@guarded
def explain(first: str, second: str, sources: tuple[str, ...], fmt: str | None, quiet: bool, **params: Any) -> None:
    """Show why two documents match or not: scores, relation, thresholds and aligned passages.

    FIRST and SECOND are two files, or two ids of documents in the inputs given with --from. Give the
    options of the dedupe run (fields, --no-clean, --no-templates, thresholds) and explain judges the
    pair exactly as that run did. With --from, every input is read to learn the run's templates
    (on --jobs processes, as dedupe does), and only the two documents are cleaned.
    """
    from cleanwire.explain import UnknownId, explain_pair, find_pair, render_explain

    check_stdout(None)
    config = config_from_options(params)
    with ExitStack() as stack:
        engine = open_engine(config.engine, stack)
        inputs = stack.enter_context(InputSet(list(sources) or [first, second], config.ingest))
        progress = progress_bars(Console(stderr=True), stack, quiet=quiet)
        try:
            docs = find_pair(inputs, (first, second), config, engine, progress)
        except UnknownId as exc:
            raise click.UsageError(str(exc)) from exc
    for doc in docs:
        if doc.error is not None:
            click.echo(error_line(doc), err=True)
            sys.exit(ExitCode.INPUT_ERRORS)
    a, b = docs
    result = explain_pair(a.text, b.text, config.dedup, labels=(a.id, b.id), sources=(a.source, b.source),
                          beyond_story=(a.beyond_story, b.beyond_story))
    fmt = fmt or ("rich" if sys.stdout.isatty() else "json")
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        Console().print(render_explain(result))
    sys.exit(ExitCode.SUCCESS if result["duplicate"] else ExitCode.NOT_DUPLICATES)


@cli.group(name="config")
def config_group() -> None:
    """Settings from config files: cleanwire.toml, pyproject.toml [tool.cleanwire] or --config FILE."""


@config_group.command(name="show")
@click.argument("commands", nargs=-1, type=click.Choice(["clean", "dedupe", "explain"]))
@config_file_options
@guarded
def config_show(commands: tuple[str, ...]) -> None:
    """Print each command's settings as TOML, each with where it came from (a file, or the default).

    Flags given to a command override these. With no COMMANDS, all of them.
    """
    ctx = click.get_current_context()
    file: configfile.ConfigFile | None = ctx.meta["cleanwire.config_file"]
    if file is None:
        click.echo(f"# no config file: ./{configfile.PROJECT_FILE} and ./{configfile.PYPROJECT} "
                   "[tool.cleanwire] not found", err=True)
    elif file is not None:
        click.echo(f"# config file: {file.label}", err=True)
    available = _configurable_commands()
    chosen = commands or tuple(available)
    with writing_to("standard output"):
        click.echo(configfile.render({
            name: configfile.settings(available[name], ctx, file) for name in chosen
        }), nl=False)


def main() -> None:
    """Entry point of earlier installs' console script: cleanwire.process.main sets the process up first."""
    run_as_process(cli, prog_name="cleanwire")
