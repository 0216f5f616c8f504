"""The text-dump rows of the cleaning benchmark: per source and per language, with wrong-article counts.

A dev set is scored the way its README says: `cleaning/` and `cleaning2/` with score.py's 4-shingle
page F1 against `truth/` (one group per `source` of pages.tsv: CleanEval, Dragnet and
CleanPortalEval define main content differently), `snippets/` with its "with"/"without"
snippets (labels.json), one group per language of pages.tsv. Each group gets four rows:
cleanwire as shipped, cleanwire with the rules tuned on this set switched off (leave one set
out), jusText with the stoplist of the page's language, and the dump as it is.

A wrong-article page is one whose truth has 50 words or more and whose output scores F1 < 0.5
(on snippets: that finds none of its "with" snippets).
"""

from __future__ import annotations

import csv
import html as html_lib
import re
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import ModuleType
from typing import Any

from rich.table import Table

from cleanwire.bench.titles import learnt_model
from cleanwire.clean import clean_text_dump, lexicon, lines, region, text
from cleanwire.clean.linemodel import LineModel, load_model, shipped_model, shipped_training_sets

LINE_MODEL_ROW = "cleanwire --line-model"
WRONG_TRUTH_WORDS = 50
WRONG_F1 = 0.5
# jusText's stoplist for a pages.tsv language code; a page of another language gets English's
JUSTEXT_STOPLISTS = {
    "en": "English", "de": "German", "es": "Spanish", "fr": "French", "pl": "Polish", "pt": "Portuguese",
    "it": "Italian", "ru": "Russian", "nl": "Dutch", "ko": "Korean",
}


@contextmanager
def _without_thread_and_unsure_rules() -> Iterator[None]:
    """The cleaner before the comment-thread and keep-when-unsure rules (both tuned on cleaning2/)."""
    saved = region._THREAD_STAMPS, text._UNSURE_BODY_WORDS
    region._THREAD_STAMPS, text._UNSURE_BODY_WORDS = 10**9, 0
    try:
        yield
    finally:
        region._THREAD_STAMPS, text._UNSURE_BODY_WORDS = saved


@contextmanager
def _without_other_language_junk() -> Iterator[None]:
    """The cleaner before the other languages' junk phrases and cookie notices (read off snippets/)."""
    never = re.compile(r"(?!)")
    names = vars(lines)  # the rules read these module globals
    saved = names["JUNK_PHRASES_BY_WORD"], names["COOKIE_NOTICE"], lexicon.JUNK_PHRASES_OTHER
    lexicon.JUNK_PHRASES_OTHER = ()
    english = lexicon._phrases_by_word()
    names["JUNK_PHRASES_BY_WORD"] = {word: english.get(word, never) for word in saved[0]}
    names["COOKIE_NOTICE"] = never
    try:
        yield
    finally:
        names["JUNK_PHRASES_BY_WORD"], names["COOKIE_NOTICE"], lexicon.JUNK_PHRASES_OTHER = saved


# The rules whose constants were tuned on each dev set, switched off to score that set with a
# cleaner not tuned on it. The base line rules were tuned on cleaning/ (L3S-GN1) before any other
# set existed: no cleaner without them exists, so that set has no leave-one-out row.
TUNED_ON: dict[str, Callable[[], Any]] = {
    "cleaning2": _without_thread_and_unsure_rules, "snippets": _without_other_language_junk,
}


def page_meta(dev_dir: Path) -> dict[str, dict[str, str]]:
    """pages.tsv by page id."""
    path = dev_dir / "pages.tsv"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        return {row["id"]: row for row in csv.DictReader(f, delimiter="\t")}


def run_cleanwire(
    pages: dict[str, str], titles: dict[str, str | None], line_model: LineModel | None = None
) -> tuple[dict[str, str], float]:
    """Two passes as in a run: learn the template model over the folder, then clean each page."""
    start = time.process_time()
    model = learnt_model(pages.values())
    out = {}
    for page_id, page in pages.items():
        result = clean_text_dump(page, model, line_model=line_model or False)
        out[page_id], titles[page_id] = result.body, result.title
    return out, time.process_time() - start


def run_justext(pages: dict[str, str], meta: dict[str, dict[str, str]]) -> tuple[dict[str, str], float]:
    """jusText with each dump line one <p> and the stoplist of the page's language."""
    import justext

    stoplists: dict[str, frozenset[str]] = {}
    start = time.process_time()
    out = {}
    for page_id, page in pages.items():
        name = JUSTEXT_STOPLISTS.get(meta.get(page_id, {}).get("lang", "en"), "English")
        if name not in stoplists:
            stoplists[name] = justext.get_stoplist(name)
        body = "".join(f"<p>{html_lib.escape(line)}</p>\n" for line in page.splitlines() if line.strip())
        doc = f"<html><head><meta charset='utf-8'></head><body>{body}</body></html>".encode()
        paragraphs = justext.justext(doc, stoplists[name])
        out[page_id] = "\n".join(p.text for p in paragraphs if not p.is_boilerplate)
    return out, time.process_time() - start


def group_of(dev_dir: Path, meta: dict[str, dict[str, str]], page_id: str) -> str:
    """The page's group: its source (cleaning sets) or its language (snippets)."""
    row = meta.get(page_id, {})
    return row.get("lang", "?") if is_snippets(dev_dir) else row.get("source", "all")


def is_snippets(dev_dir: Path) -> bool:
    return (dev_dir / "labels.json").is_file()


def page_results(
    scorer: ModuleType, dev_dir: Path, outputs: dict[str, str], meta: dict[str, dict[str, str]]
) -> dict[str, dict[str, Any]]:
    """Per page: its score dict, with "f1" (page F1) and "wrong" (a wrong-article page) set."""
    results: dict[str, dict[str, Any]] = {}
    if is_snippets(dev_dir):
        labels = scorer.load_labels(dev_dir)
        for page_id in outputs:
            item = labels[page_id]
            counts = scorer.page_counts(item, outputs[page_id])
            counts["f1"] = scorer.page_f1(counts)
            counts["wrong"] = bool(item["with"]) and counts["tp"] == 0
            results[page_id] = counts
        return results
    for page_id in outputs:
        truth = (dev_dir / "truth" / f"{page_id}.txt").read_text(encoding="utf-8")
        row = scorer.page_scores(truth, outputs[page_id])
        words = int(meta.get(page_id, {}).get("truth_words") or len(truth.split()))
        row["wrong"] = words >= WRONG_TRUTH_WORDS and row["f1"] < WRONG_F1
        results[page_id] = row
    return results


def summary(scorer: ModuleType, dev_dir: Path, rows: list[dict[str, Any]]) -> dict[str, float]:
    """The set's headline figure (snippets: pooled F1; else mean page F1), pages under 0.5, wrong pages."""
    if is_snippets(dev_dir):
        headline = scorer.summarise(rows)["f1"]
    else:
        headline = statistics.mean(r["f1"] for r in rows)
    return {
        "pages": len(rows), "f1": headline, "under": sum(r["f1"] < WRONG_F1 for r in rows),
        "wrong": sum(r["wrong"] for r in rows),
    }


def dump_report(
    scorer: ModuleType, dev_dir: Path, kind: str, pages: dict[str, str], with_justext: bool, verbose: bool,
    title_accuracy: Callable[[dict[str, str | None]], str], model_without_set: Path | None = None,
) -> tuple[Table, list[str], dict[str, float]]:
    """The table of one dump folder (a row per group and tool), the wrong-article lines, pages/s by tool.

    Rows: cleanwire as shipped (the rules), the rules not tuned on this set (those read off it switched off),
    cleanwire with its line model (`--line-model`), the same not tuned on this set (rules read off it off, and
    a line model not trained on it: `model_without_set`, else the shipped one unless it was trained on this
    set, then none), jusText and the dump as it is.
    """
    meta = page_meta(dev_dir)
    titles: dict[str, str | None] = {}
    shipped = shipped_model()
    name = dev_dir.resolve().name
    runs: dict[str, tuple[dict[str, str], float]] = {"cleanwire": run_cleanwire(pages, titles)}
    if name in TUNED_ON:
        with TUNED_ON[name]():
            runs["cleanwire, not tuned here"] = run_cleanwire(pages, {})
    runs[LINE_MODEL_ROW] = run_cleanwire(pages, {}, shipped)
    unseen = load_model(model_without_set) if model_without_set else (
        None if name in shipped_training_sets() else shipped)
    if name in TUNED_ON or unseen is not shipped:  # else the row above is already not tuned here
        with TUNED_ON.get(name, nullcontext)():
            runs[LINE_MODEL_ROW + ", not tuned here"] = run_cleanwire(pages, {}, unseen)
    if with_justext:
        runs["jusText, page lang"] = run_justext(pages, meta)
    runs["none (dump as is)"] = dict(pages), 0.0
    headline = "F1 (snippets)" if is_snippets(dev_dir) else "mean page F1"
    table = Table(title=f"{kind} of {dev_dir} by {'language' if is_snippets(dev_dir) else 'source'} (one core)")
    for column in ("group", "tool", "pages", headline, "pages < 0.5", "wrong article", "title acc.", "pages/s"):
        table.add_column(column, justify="left" if column in ("group", "tool") else "right")
    speeds = {tool: (len(out) / seconds if seconds else float("inf")) for tool, (out, seconds) in runs.items()}
    wrong_lines: list[str] = []
    results = {tool: page_results(scorer, dev_dir, out, meta) for tool, (out, _) in runs.items()}
    groups = sorted({group_of(dev_dir, meta, p) for p in results["cleanwire"]})
    for group in [*groups, "all"] if len(groups) > 1 else groups:
        for tool, by_page in results.items():
            rows = [r for p, r in by_page.items() if group == "all" or group_of(dev_dir, meta, p) == group]
            figures = summary(scorer, dev_dir, rows)
            accuracy = title_accuracy(titles) if tool == "cleanwire" and group == groups[0] else ""
            table.add_row(
                group, tool, str(len(rows)), f"{figures['f1']:.3f}", str(figures["under"]),
                f"{figures['wrong']:.0f} ({figures['wrong'] / len(rows):.1%})", accuracy,
                f"{speeds[tool]:,.0f}" if group == groups[0] and runs[tool][1] else "",
            )
        table.add_section()
    for page_id, row in sorted(results["cleanwire"].items(), key=lambda kv: kv[1]["f1"]):
        if row["wrong"] and verbose:
            wrong_lines.append(f"  {kind} {page_id} ({group_of(dev_dir, meta, page_id)}) F1={row['f1']:.3f}")
    return table, wrong_lines, speeds
