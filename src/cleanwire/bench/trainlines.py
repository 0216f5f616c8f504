"""Train the line model of the text-dump cleaner (cleanwire/clean/linemodel.py) from labelled dev sets.

    python -m cleanwire.bench train-lines SET_DIR... --out src/cleanwire/data/line_model.json

Each SET_DIR is a dev set in one of two layouts:
- snippets (a `labels.json` of "with"/"without" snippets per page): a dump line holding (part of) a
  "with" snippet is article (1), one holding a "without" snippet is junk (0); other lines are unlabelled.
  Each page's labelled lines weigh 1 in all.
- truth (a `truth/` folder, as cleaning2/): a dump line is article when at least half of its 4-shingles
  (score.py's tokens; a shorter line: its tokens as a run) occur in the page's truth. Lines weigh their
  words, each page 1 in all. `--source` keeps only the pages of those pages.tsv sources (e.g. leave
  Dragnet out: its data is AGPL-3.0).

Both dumps (dump_lines, dump_glued) of every page are used, each at half weight. The rules run as in a
run (a template model learnt over each folder), so the features are those the cleaner sees. The fit is a
weighted logistic regression by Newton's method with an L2 penalty: deterministic, no random state
(`--seed` is recorded and only orders nothing). Dev pages are read where they lie and never copied.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import numpy as np

from cleanwire.bench.titles import learnt_model
from cleanwire.clean.linemodel import FEATURES, LineModel, Matrix, line_features
from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.template import TemplateModel
from cleanwire.clean.text import rule_pass
from cleanwire.clean.wrapped import wrapped_paragraphs

DUMPS = ("dump_lines", "dump_glued")
_TOKEN = re.compile(r"\w+")
_SHINGLE = 4
_ARTICLE_SHARE = 0.5  # share of a line's shingles in the truth that makes it article
_L2 = 1.0  # penalty on the standardised weights (the page weights sum to the number of pages)
_NEWTON_STEPS = 30


@dataclass(slots=True)
class PageLines:
    """One dump page as the cleaner sees it: its lines, features, the rules' decisions, labels and weights."""

    set_name: str
    page_id: str
    kind: str
    lines: list[str]
    features: Matrix
    rule_keep: list[bool]
    sure_junk: list[bool]  # END / STRONG_JUNK or a repeat: the model never keeps these
    labels: Matrix  # 1 article, 0 junk, -1 unlabelled
    weights: Matrix


def page_sources(set_dir: Path) -> dict[str, str]:
    """pages.tsv's `source` per page id (empty when the set has none)."""
    path = set_dir / "pages.tsv"
    if not path.is_file():
        return {}
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()]
    if not rows or "source" not in rows[0]:
        return {}
    column = rows[0].index("source")
    return {row[0]: row[column] for row in rows[1:] if len(row) > column}


def dump_pages(set_dir: Path, sources: tuple[str, ...] = (), limit: int | None = None) -> Iterator[PageLines]:
    """Every page of both dumps of a set, with features and (where the set labels them) line labels."""
    snippets = json.loads((set_dir / "labels.json").read_text(encoding="utf-8")) if (
        set_dir / "labels.json").is_file() else None
    source_of = page_sources(set_dir)
    for kind in DUMPS:
        folder = set_dir / kind
        if not folder.is_dir():
            continue
        files = sorted(folder.glob("*.txt"))
        if sources:
            files = [f for f in files if source_of.get(f.stem) in sources]
        files = files[:limit]
        texts = {f.stem: f.read_text(encoding="utf-8", errors="replace") for f in files}
        template = learnt_model(texts.values())
        for page_id, text in texts.items():
            page = _page(set_dir.name, page_id, kind, text, template)
            if page is None:
                continue
            if snippets is not None:
                item = snippets.get(page_id, {})
                page.labels, page.weights = snippet_labels(page.lines, item.get("with", []), item.get("without", []))
            elif (set_dir / "truth" / f"{page_id}.txt").is_file():
                truth = (set_dir / "truth" / f"{page_id}.txt").read_text(encoding="utf-8")
                page.labels, page.weights = truth_labels(page.lines, truth)
            page.weights *= 0.5  # two dumps of one page
            yield page


def _page(set_name: str, page_id: str, kind: str, text: str, template: TemplateModel) -> PageLines | None:
    """The rules' pass over one dump, as clean_text_dump runs it, and the model's features."""
    text = normalize_text(text)
    if not text:
        return None
    lines = text.split("\n")
    groups = wrapped_paragraphs(text, lines)
    if groups is not None:
        lines = [" ".join(lines[i] for i in group) for group in groups]
    _, verdicts, body = rule_pass(lines, template, False)
    features = line_features(lines, verdicts, body.start, body.end, body.keep)
    sure = [cls <= 1 or rep for cls, rep in zip(verdicts.classes, verdicts.repeated)]
    n = len(lines)
    return PageLines(set_name, page_id, kind, lines, features, list(body.keep), sure, -np.ones(n), np.zeros(n))


def snippet_labels(lines: list[str], with_: list[str], without: list[str]) -> tuple[Matrix, Matrix]:
    """Lines holding part of a "with" snippet are 1, of a "without" snippet 0; each page weighs 1."""
    flat = [" ".join(line.split()) for line in lines]
    joined = " ".join(flat)
    starts, at = [], 0
    for line in flat:
        starts.append(at)
        at += len(line) + 1
    labels = -np.ones(len(lines))
    for snippets, value in ((without, 0.0), (with_, 1.0)):  # "with" wins a line that holds both
        for snippet in snippets:
            needle = " ".join(snippet.split())
            if not needle:
                continue
            pos = joined.find(needle)
            while pos >= 0:
                first = int(np.searchsorted(starts, pos, side="right")) - 1
                last = int(np.searchsorted(starts, pos + len(needle) - 1, side="right")) - 1
                labels[first:last + 1] = value
                pos = joined.find(needle, pos + 1)
    labelled = labels >= 0
    weights = np.where(labelled, 1.0 / max(int(labelled.sum()), 1), 0.0)
    return labels, weights


def truth_labels(lines: list[str], truth: str) -> tuple[Matrix, Matrix]:
    """A line is article when half its 4-shingles are in the truth; lines weigh their words, a page 1."""
    truth_tokens = _TOKEN.findall(truth)
    truth_shingles = {tuple(truth_tokens[i:i + _SHINGLE]) for i in range(len(truth_tokens) - _SHINGLE + 1)}
    truth_run = " " + " ".join(truth_tokens) + " "
    labels = np.zeros(len(lines))
    words = np.zeros(len(lines))
    for i, line in enumerate(lines):
        toks = _TOKEN.findall(line)
        words[i] = len(toks)
        if len(toks) < _SHINGLE:
            labels[i] = float(bool(toks) and f" {' '.join(toks)} " in truth_run)
            continue
        grams = [tuple(toks[k:k + _SHINGLE]) for k in range(len(toks) - _SHINGLE + 1)]
        labels[i] = float(sum(g in truth_shingles for g in grams) >= _ARTICLE_SHARE * len(grams))
    total = words.sum()
    weights = words / total if total else words
    labels[words == 0] = -1.0
    return labels, weights


def fit(pages: list[PageLines], l2: float = _L2) -> LineModel:
    """A weighted logistic regression on the labelled lines of `pages` (Newton's method, L2 penalty)."""
    rows = [(p.features[p.labels >= 0], p.labels[p.labels >= 0], p.weights[p.labels >= 0]) for p in pages]
    x = np.vstack([r[0] for r in rows])
    y = np.concatenate([r[1] for r in rows])
    w = np.concatenate([r[2] for r in rows])
    if not len(y) or y.min() == y.max():
        raise click.ClickException("train-lines: the sets give no lines of both kinds to learn from")
    mean = np.average(x, axis=0, weights=w)
    scale = np.sqrt(np.average((x - mean) ** 2, axis=0, weights=w))
    scale[scale < 1e-6] = 1.0
    z = np.column_stack([(x - mean) / scale, np.ones(len(y))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not penalised
    for _ in range(_NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (w * (p - y)) + penalty * beta
        hess = (z * (w * p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return LineModel(mean, scale, beta[:-1], float(beta[-1]), 0.5, 0.5)


def parse_set(spec: str) -> tuple[Path, tuple[str, ...]]:
    """`DIR` or `DIR:source,source` (only those pages.tsv sources)."""
    path, _, sources = spec.partition(":")
    return Path(path), tuple(s for s in sources.split(",") if s)


@click.command()
@click.argument("sets", nargs=-1, required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The model file to write.")
@click.option("--limit", type=int, default=None, help="Only the first N pages of each dump folder.")
@click.option("--seed", type=int, default=13, show_default=True, help="Recorded; the fit has no random state.")
@click.option("--keep-threshold", type=float, default=0.5, show_default=True,
              help="P(article) at which a line the rules drop is kept.")
@click.option("--drop-threshold", type=float, default=0.5, show_default=True,
              help="P(article) under which a line the rules keep is dropped.")
def command(
    sets: tuple[str, ...], out: Path, limit: int | None, seed: int, keep_threshold: float, drop_threshold: float
) -> None:
    """Train the text-dump line model on SETS (DIR or DIR:source,...) and write it to --out."""
    np.random.seed(seed)
    pages: list[PageLines] = []
    for spec in sets:
        path, sources = parse_set(spec)
        if not path.is_dir():
            raise click.ClickException(f"train-lines: {path}: no such folder")
        found = list(dump_pages(path, sources, limit))
        click.echo(f"{spec}: {len(found)} dump pages, {sum(int((p.labels >= 0).sum()) for p in found)} labelled "
                   "lines", err=True)
        pages += found
    model = fit(pages)
    model = LineModel(model.mean, model.scale, model.weights, model.bias, keep_threshold, drop_threshold)
    provenance = {
        "trained_on": list(sets), "command": "python -m cleanwire.bench " + " ".join(sys.argv[1:]),
        "date": datetime.date.today().isoformat(), "seed": seed, "pages": len(pages),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(model.to_json({"provenance": provenance}), encoding="utf-8")
    click.echo(f"wrote {out}: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, model.weights)), err=True)
