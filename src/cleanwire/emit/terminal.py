"""What people read: text blocks, the table of stories, progress bars and the summary line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from contextlib import ExitStack
from typing import IO, TYPE_CHECKING, Any

from rich.console import Console
from rich.filesize import decimal, pick_unit_and_suffix
from rich.table import Table
from rich.text import Text

from cleanwire.results import Counters
from cleanwire.spill import Record

if TYPE_CHECKING:
    from cleanwire.pipeline import Progress as StageProgress


def text_block(record: dict[str, Any] | Record) -> str:
    """A record as plain text: a header line, the title, the body, a blank line."""
    header = f"=== {record['id']}"
    if record.get("canonical_id"):
        header += f" ({record['relation']} of {record['canonical_id']})"
    elif record.get("duplicates"):
        header += " (absorbs " + ", ".join(d["id"] for d in record["duplicates"]) + ")"
    lines = [header]
    if record.get("title"):
        lines.append(f"# {record['title']}")
    lines.append(record.get("text") or "")
    return "\n".join(lines) + "\n\n"


def render_clusters(records: Iterable[dict[str, Any] | Record], console: Console) -> int:
    """The terminal view of a dedupe run: one row per story and one per duplicate."""
    rows: list[tuple[Text, str, str, str, str, str]] = []
    for record in records:
        words = len((record.get("text") or "").split())
        rows.append((Text(record["id"], style="bold"), record.get("title") or "", str(words), "canonical", "", ""))
        for dup in record.get("duplicates", []):
            rows.append((Text(" └ " + dup["id"], style="dim"), "", "", dup["relation"],
                         f"{dup['similarity']:.2f}", f"{dup['containment']:.2f}"))
    id_width = max((len(row[0]) for row in rows), default=2)
    # the title takes what the other columns leave; ids are never cut, since people copy them
    title_width = max(10, console.width - id_width - 46)
    table = Table(title="cleanwire: stories")
    table.add_column("id", no_wrap=True)
    table.add_column("title", no_wrap=True, overflow="ellipsis", max_width=title_width)
    for name in ("words", "relation", "sim", "cont"):
        table.add_column(name, no_wrap=True, justify="left" if name == "relation" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return sum(1 for row in rows if row[3] == "canonical")


def progress_bars(err: Console, stack: ExitStack, *, quiet: bool) -> StageProgress | None:
    """A rich progress bar per stage on a terminal (count, rate, time left); None on a pipe or with `quiet`.

    The first pass over the inputs counts their bytes, of the input's size; a stage after it that counts
    documents (no unit, no total given) counts them of as many as the first pass found. Other stages give
    their totals (pairs, records) as they learn them; a stage called with 0 as it starts shows its label,
    a spinner and its time.
    """
    if quiet or not err.is_terminal:
        return None
    from rich.progress import (
        BarColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        Task,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class _CountColumn(ProgressColumn):
        """Done of total: a size for a stage that counts bytes ("3.1/12.0 MB"), else a count with its unit."""

        def render(self, task: Task) -> Text:
            if task.fields.get("unit") == "bytes":
                base = int(task.total) if task.total is not None else int(task.completed)
                scale, suffix = pick_unit_and_suffix(base, ["bytes", "kB", "MB", "GB", "TB", "PB"], 1000)
                precision = 0 if scale == 1 else 1
                total = f"{task.total / scale:,.{precision}f}" if task.total is not None else "?"
                return Text(f"{task.completed / scale:,.{precision}f}/{total} {suffix}", style="progress.download")
            total = f"{int(task.total):,}" if task.total is not None else "?"
            unit = task.fields.get("unit") or ""
            return Text(f"{int(task.completed):,}/{total}" + (f" {unit}" if unit else ""), style="progress.download")

    columns = (SpinnerColumn(), TextColumn("{task.description:<18}"), BarColumn(), _CountColumn(),
               TextColumn("{task.fields[rate]:>10}"), TimeElapsedColumn(), TimeRemainingColumn())
    # the records are written to sys.stdout while the bars are live: rich must not take them over onto
    # stderr's terminal (its redirect_stdout), unless stdout is that same terminal, where printing them
    # above the bars keeps the two apart. Lines to sys.stderr (errors) are printed above the bars.
    bar = stack.enter_context(Progress(*columns, console=err, transient=True,
                                       redirect_stdout=_same_terminal(sys.stdout, err.file), redirect_stderr=True))
    tasks: dict[str, TaskID] = {}
    items: dict[str, int] = {}  # items done per stage (documents, also where the bar counts bytes)

    def advance(stage: str, done: int, total: int | None = None, *, unit: str = "",
                size: tuple[int, int | None] | None = None) -> None:
        if stage not in tasks:
            previous = bar.tasks[-1] if bar.tasks else None
            if total is None and size is None and not unit and previous is not None \
                    and previous.fields["unit"] == "bytes":
                total = items[previous.description]  # the stage after the first pass: as many documents
            shown_unit = "bytes" if size is not None else unit
            tasks[stage] = bar.add_task(stage, total=size[1] if size is not None else total, rate="",
                                        unit=shown_unit)
            items[stage] = 0
            bar.refresh()  # each stage is shown, even one that ends before the next timed refresh
        elif size is None:  # a total (and its unit) learnt as the stage runs
            if total is not None:
                bar.update(tasks[stage], total=total)
            if unit:
                bar.update(tasks[stage], unit=unit)
        items[stage] += done
        step = size[0] if size is not None else done
        task = bar.tasks[-1]
        elapsed = task.elapsed or 1e-9
        rate = (task.completed + step) / elapsed
        shown = f"{decimal(int(rate))}/s" if task.fields["unit"] == "bytes" else f"{rate:,.0f}/s"
        bar.update(tasks[stage], advance=step, rate=shown)

    return advance


def _same_terminal(first: IO[str], second: IO[str]) -> bool:
    """Whether two streams are the same terminal device."""
    try:
        return first.isatty() and os.path.samestat(os.fstat(first.fileno()), os.fstat(second.fileno()))
    except (AttributeError, OSError, ValueError):  # a stream without a file (closed, a test's buffer)
        return False


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def summary_text(counters: Counters, seconds: float) -> str:
    """One line for people, on stderr."""
    parts = [_count(counters.documents, "document")]
    if counters.clusters:
        parts.append(_count(counters.clusters, "story").replace("storys", "stories"))
        relations = ", ".join(f"{n} {r}" for r, n in sorted(counters.relations.items()))
        parts.append(_count(counters.duplicates, "duplicate") + (f" ({relations})" if relations else ""))
    if counters.index.get("duplicates_of_indexed"):
        parts.append(f"{counters.index['duplicates_of_indexed']} of them of indexed stories")
    if counters.index.get("absorbed_indexed"):
        parts.append(f"{counters.index['absorbed_indexed']} indexed documents absorbed by new canonicals")
    if counters.empty:
        parts.append(f"{counters.empty} empty after cleaning")
    parts.append(_count(counters.errors, "error"))
    if counters.skipped:
        parts.append(_count(counters.skipped, "file") + " skipped (not an input format)")
    if counters.skipped_records:
        parts.append(_count(counters.skipped_records, "WARC record") + " skipped (not HTML, or HTTP status not 200)")
    return "cleanwire: " + ", ".join(parts) + f" in {seconds:.2f}s"
