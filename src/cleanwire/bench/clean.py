"""Cleaning benchmark: cleanwire against jusText on the dev set's text dumps (and HTML).

Runs on one core in this process: for each dump folder, pass 1 learns a TemplateModel over
all pages (as the pipeline does), pass 2 cleans each page; jusText gets every dump line
wrapped as one <p>. Speed is pages per CPU-second of this process (time.process_time), so
other load on the machine does not skew the comparison. Predictions go to a temporary folder and are scored with the dev
set's own score.py, imported from DEV_DIR.
"""

from __future__ import annotations

import csv
import gzip
import html as html_lib
import re
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from cleanwire.bench import dumps, load_scorer
from cleanwire.bench.titles import html_title, learnt_model, title_matches
from cleanwire.clean import clean_html, clean_text_dump
from cleanwire.ingest.decode import decode_bytes

DUMPS = ("dump_lines", "dump_glued")
Scores = dict[str, Any]  # what score.py returns: figures by name (a total, or one page's)
WRONG_ARTICLE_F1 = 0.5  # a page whose truth has WRONG_ARTICLE_WORDS+ words and scores under this is the wrong text
WRONG_ARTICLE_WORDS = 50
_WORD = re.compile(r"\w+")


def run_cleanwire(
    pages: dict[str, str], html: bool, learn: bool, titles: dict[str, str | None] | None = None
) -> tuple[dict[str, str], float]:
    """Clean every page the way the pipeline does (two passes); return outputs and seconds (titles into `titles`)."""
    start = time.process_time()
    model = learnt_model(pages.values()) if learn else None
    clean = clean_html if html else clean_text_dump
    out = {}
    for page_id, text in pages.items():
        result = clean(text, model)
        out[page_id] = result.body
        if titles is not None:
            titles[page_id] = result.title
    return out, time.process_time() - start


def run_justext(pages: dict[str, str]) -> tuple[dict[str, str], float]:
    """jusText as the dev README describes: each dump line one <p>, English stoplist."""
    import justext

    stoplist = justext.get_stoplist("English")
    start = time.process_time()
    out = {}
    for page_id, text in pages.items():
        body = "".join(f"<p>{html_lib.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
        doc = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>".encode()
        paragraphs = justext.justext(doc, stoplist)
        out[page_id] = "\n".join(p.text for p in paragraphs if not p.is_boilerplate)
    return out, time.process_time() - start


def run_trafilatura(pages: dict[str, str]) -> tuple[dict[str, str], float]:
    """trafilatura alone on the HTML, the reference the dev README reports."""
    import trafilatura

    start = time.process_time()
    out = {pid: trafilatura.extract(text, include_comments=False) or "" for pid, text in pages.items()}
    return out, time.process_time() - start


def score_outputs(scorer: ModuleType, dev_dir: Path, outputs: dict[str, str]) -> tuple[Scores, Scores]:
    """Write outputs to a temporary folder and score them with score.py."""
    with tempfile.TemporaryDirectory(prefix="cleanwire-bench-") as tmp:
        for page_id, body in outputs.items():
            (Path(tmp) / f"{page_id}.txt").write_text(body, encoding="utf-8")
        # a snippet-judged set (labels.json) takes its data folder, the others their truth folder
        data = dev_dir if is_snippet_set(dev_dir) else dev_dir / "truth"
        scores: tuple[Scores, Scores] = scorer.score_dir(Path(tmp), data)
        return scores


def is_snippet_set(dev_dir: Path) -> bool:
    """Whether the set is judged by with/without snippets (labels.json) rather than truth texts."""
    return (dev_dir / "labels.json").is_file()


def html_titles(folder: Path, limit: int | None) -> dict[str, str]:
    """Each HTML page's <title>, by page id: the reference for the title cleanwire finds."""
    if not folder.is_dir():
        return {}
    found = {page_id: html_title(page) for page_id, page in read_pages(folder, limit).items()}
    return {page_id: title for page_id, title in found.items() if title}


def title_accuracy(titles: dict[str, str | None], references: dict[str, str]) -> str:
    """The share of pages with a <title> whose found title matches it (bench.titles.title_matches)."""
    pages = [page_id for page_id in titles if page_id in references]
    if not pages:
        return "-"
    return f"{sum(title_matches(titles[p], references[p]) for p in pages) / len(pages):.3f}"


def read_pages(folder: Path, limit: int | None) -> dict[str, str]:
    """The pages of a folder by page id (the file name without `.txt`, `.html` or `.html.gz`)."""
    files = sorted(p for p in folder.iterdir() if p.is_file())[:limit]
    return {page_id_of(p): read_page(p) for p in files}


def page_id_of(path: Path) -> str:
    """A page's id: its file name without its extensions (`x.html.gz` -> `x`)."""
    name = path.name
    return name[: -len(".gz")].rsplit(".", 1)[0] if name.endswith(".gz") else path.stem


def read_page(path: Path) -> str:
    """One page's text; `.gz` files are decompressed, HTML decoded as cleanwire decodes its inputs."""
    if path.suffix == ".txt":
        return path.read_text(encoding="utf-8", errors="replace")
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    return decode_bytes(data, html=True) or data.decode("utf-8", errors="replace")


@click.command()
@click.argument("dev_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--worst", type=int, default=0, show_default=True, help="List the N worst cleanwire pages per input.")
@click.option("--html/--no-html", "with_html", default=True, show_default=True, help="Also run the HTML path on html/.")
@click.option("--justext/--no-justext", "with_justext", default=True, show_default=True, help="Run jusText too.")
@click.option("--dumps/--no-dumps", "with_dumps", default=True, show_default=True, help="Run the text-dump rows.")
@click.option("--learn/--no-learn", default=True, show_default=True, help="Learn site templates across the run.")
@click.option("--limit", type=int, default=None, help="Only the first N pages (quick runs).")
@click.option("--verbose", is_flag=True, help="List the wrong-article pages of cleanwire on the dumps.")
@click.option("--model-without-set", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Dump rows: a line model trained without this set (train-lines writes one), for the --line-model "
                   "row not tuned on it; without it, that row uses the shipped model unless the shipped model was "
                   "trained on this set (then none).")
def command(
    dev_dir: Path, worst: int, with_html: bool, with_justext: bool, with_dumps: bool, learn: bool,
    limit: int | None, verbose: bool, model_without_set: Path | None,
) -> None:
    """Cleaning quality (score.py) and speed (one core) for cleanwire and jusText."""
    scorer = load_scorer(dev_dir, "devset_score")
    err = Console(stderr=True)
    table = Table(title=f"Cleaning on {dev_dir} (one core)")
    references = html_titles(dev_dir / "html", limit)
    for column in ("input", "tool", "P", "R", "F1", "mean page F1", "share F1>=0.9", "empty", "title acc.",
                   "pages/s"):
        table.add_column(column, justify="left" if column in ("input", "tool") else "right")
    worst_lists: list[tuple[str, list[tuple[str, Scores]]]] = []
    speeds: dict[tuple[str, str], float] = {}
    page_scores: dict[tuple[str, str], Scores] = {}
    times: dict[tuple[str, str], float] = {}

    def add_row(kind: str, tool: str, runner: Callable[..., tuple[dict[str, str], float]]) -> None:
        err.print(f"[dim]{kind}: {tool}...[/dim]")
        titles: dict[str, str | None] = {}
        outputs, seconds = runner(titles=titles) if tool == "cleanwire" else runner()
        accuracy = title_accuracy(titles, references) if titles else "-"
        summary, pages = score_outputs(scorer, dev_dir, outputs)
        speed = len(outputs) / seconds if seconds else float("inf")
        speeds[kind, tool] = speed
        page_scores[kind, tool], times[kind, tool] = pages, seconds
        table.add_row(
            kind, tool, f"{summary['precision']:.3f}", f"{summary['recall']:.3f}", f"{summary['f1']:.3f}",
            f"{summary['mean_page_f1']:.3f}", _figure(summary, "share_f1_ge_0.9"),
            str(summary.get("empty_pred", summary.get("empty", "-"))), accuracy, f"{speed:,.0f}",
        )
        if tool == "cleanwire" and worst:
            worst_lists.append((kind, sorted(pages.items(), key=lambda kv: kv[1]["f1"])[:worst]))

    dump_tables: list[Table] = []
    wrong_lines: list[str] = []
    for kind in DUMPS if with_dumps else ():
        # the dump rows: per source or language, with the leave-one-set-out cleaner (bench.dumps)
        pages = read_pages(dev_dir / kind, limit)
        err.print(f"[dim]{kind}...[/dim]")
        dump_table, wrong, dump_speeds = dumps.dump_report(
            scorer, dev_dir, kind, pages, with_justext, verbose, partial(title_accuracy, references=references),
            model_without_set,
        )
        dump_tables.append(dump_table)
        wrong_lines += wrong
        speeds[kind, "cleanwire"] = dump_speeds["cleanwire"]
        speeds[kind, dumps.LINE_MODEL_ROW] = dump_speeds[dumps.LINE_MODEL_ROW]
        if "jusText, page lang" in dump_speeds:
            speeds[kind, "jusText"] = dump_speeds["jusText, page lang"]
    if with_html:
        pages = read_pages(dev_dir / "html", limit)
        add_row("html", "cleanwire", partial(run_cleanwire, pages, html=True, learn=learn))
        add_row("html", "trafilatura", partial(run_trafilatura, pages))
    console = Console(width=max(110, Console().width))
    for dump_table in dump_tables:
        console.print(dump_table)
    if table.row_count:
        console.print(table)
    for kind in DUMPS:
        if (kind, "jusText") in speeds:
            ratio = speeds[kind, "cleanwire"] / speeds[kind, "jusText"]
            console.print(f"{kind}: cleanwire is {ratio:.1f}x jusText's pages per second")
            ratio = speeds[kind, dumps.LINE_MODEL_ROW] / speeds[kind, "jusText"]
            console.print(f"{kind}: {dumps.LINE_MODEL_ROW} is {ratio:.1f}x jusText's pages per second")
    if ("html", "trafilatura") in page_scores:
        print_html_comparison(console, scorer, dev_dir, page_scores, times)
    if wrong_lines:
        console.print("wrong-article pages of cleanwire (truth 50+ words and F1 < 0.5; snippets: no \"with\" found):")
        for line in wrong_lines:
            console.print(line)
    for kind, rows in worst_lists:
        console.print(f"worst cleanwire pages on {kind}:")
        for page_id, row in rows:
            console.print(f"  {page_id}  P={row['precision']:.3f} R={row['recall']:.3f} F1={row['f1']:.3f}")


def _figure(summary: Scores, key: str) -> str:
    """A summary figure to three places, or "-" when the set's scorer does not report it."""
    value = summary.get(key)
    return f"{value:.3f}" if isinstance(value, float) else "-"


def print_html_comparison(
    console: Console, scorer: ModuleType, dev_dir: Path, page_scores: dict[tuple[str, str], Scores],
    times: dict[tuple[str, str], float],
) -> None:
    """The HTML path next to trafilatura alone: by source (or language), wrong-article pages, time."""
    ours, theirs = page_scores["html", "cleanwire"], page_scores["html", "trafilatura"]
    snippets = is_snippet_set(dev_dir)
    groups = page_groups(dev_dir, list(ours))
    wrong = {tool: wrong_article_pages(scorer, dev_dir, page_scores["html", tool])
             for tool in ("cleanwire", "trafilatura")}
    measure = "F1 (snippets)" if snippets else "mean page F1"
    table = Table(title=f"HTML path on {dev_dir}: cleanwire against trafilatura alone, same run")
    for column in ("pages", "n", f"cleanwire {measure}", f"trafilatura {measure}", "wrong article (cleanwire)",
                   "wrong article (trafilatura)"):
        table.add_column(column, justify="left" if column == "pages" else "right")
    for name, ids in groups.items():
        table.add_row(
            name, str(len(ids)), f"{group_score(scorer, ours, ids, snippets):.3f}",
            f"{group_score(scorer, theirs, ids, snippets):.3f}",
            _count_share(wrong["cleanwire"], ids), _count_share(wrong["trafilatura"], ids),
        )
    console.print(table)
    ratio = times["html", "cleanwire"] / times["html", "trafilatura"] if times["html", "trafilatura"] else float("inf")
    console.print(
        f"html: cleanwire {times['html', 'cleanwire']:.1f} s (template learning included), trafilatura alone "
        f"{times['html', 'trafilatura']:.1f} s: {ratio:.2f}x trafilatura's time"
    )
    what = "no 'with' snippet found" if snippets else (
        f"truth {WRONG_ARTICLE_WORDS}+ words, page F1 < {WRONG_ARTICLE_F1}")
    console.print(f"wrong-article pages of the HTML path ({what}), cleanwire page F1 / trafilatura page F1:")
    for page in sorted(wrong["cleanwire"]):
        ours_f1, theirs_f1 = page_f1(scorer, ours[page], snippets), page_f1(scorer, theirs[page], snippets)
        console.print(f"  {page}  {ours_f1:.3f} / {theirs_f1:.3f}")


def _count_share(marked: set[str], ids: list[str]) -> str:
    """How many of `ids` are marked, and their share."""
    count = sum(i in marked for i in ids)
    return f"{count} ({count / len(ids):.1%})"


def page_groups(dev_dir: Path, ids: list[str]) -> dict[str, list[str]]:
    """All pages, then the pages of each source (pages.tsv `source`) or, without sources, of each language."""
    groups: dict[str, list[str]] = {"all": sorted(ids)}
    tsv = dev_dir / "pages.tsv"
    if not tsv.is_file():
        return groups
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    column = "source" if rows and "source" in rows[0] else "lang"
    by_group: dict[str, list[str]] = {}
    wanted = set(ids)
    for row in rows:
        if row.get("id") in wanted and row.get(column):
            by_group.setdefault(f"{column} {row[column]}", []).append(row["id"])
    if len(by_group) > 1:
        groups.update(sorted(by_group.items(), key=lambda kv: (-len(kv[1]), kv[0])))
    return groups


def group_score(scorer: ModuleType, pages: Scores, ids: list[str], snippets: bool) -> float:
    """A group's figure: pooled snippet F1 on a snippet set, else the mean page F1."""
    if snippets:
        return float(scorer.summarise([pages[i] for i in ids])["f1"])
    return sum(float(pages[i]["f1"]) for i in ids) / len(ids)


def page_f1(scorer: ModuleType, page: Scores, snippets: bool) -> float:
    """One page's F1 as its scorer defines it."""
    return float(scorer.page_f1(page) if snippets else page["f1"])


def wrong_article_pages(scorer: ModuleType, dev_dir: Path, pages: Scores) -> set[str]:
    """Pages whose output is the wrong text: no "with" snippet found, or a 50+ word truth scored under 0.5."""
    if is_snippet_set(dev_dir):
        return {i for i, p in pages.items() if p["tp"] == 0 and p["tp"] + p["fn"] > 0}
    wrong = set()
    for i, p in pages.items():
        truth = dev_dir / "truth" / f"{i}.txt"
        if p["f1"] < WRONG_ARTICLE_F1 and len(_WORD.findall(truth.read_text(encoding="utf-8"))) >= WRONG_ARTICLE_WORDS:
            wrong.add(i)
    return wrong
