"""Clean a plain-text page dump: decide per line whether it is article or page junk.

The cleaning is a short list of passes over one page's lines: classify each line on its
own (lines.py), mark teasers and announced lists, pick the body region (region.py), then
read the metadata above it (metadata.py). Hard-wrapped pages are judged paragraph by
paragraph (wrapped.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import compress

from cleanwire.clean.linemodel import LineModel, line_changes, shipped_model
from cleanwire.clean.lines import (
    END,
    JUNK,
    MEDIUM,
    SHORT,
    LineVerdicts,
    PageLines,
    classify_lines,
    ends_sentence,
    hold_announced_lists,
    read_page,
)
from cleanwire.clean.metadata import find_metadata
from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.region import Body, Teased, mark_excerpt_closers, mark_teasers, select_body, unmark_teasers
from cleanwire.clean.template import TemplateModel
from cleanwire.clean.wrapped import wrapped_paragraphs

_FALLBACK_WORDS = 10  # an empty result keeps the lines at least this long
# A page of at most this many words that would clean to nothing keeps its sentences of at
# least _SHORT_TEXT_LINE_WORDS words (not junk, not repeats): a short article or a one-sentence
# record is all there is, not page junk around an article.
_SHORT_TEXT_WORDS = 60
_SHORT_TEXT_LINE_WORDS = 3
# A body this short that holds under this share of the words of the page's lines that no rule
# calls junk may be the wrong choice on a page with no article-like run (a list, lyrics, a forum
# index): when unsure, keep all those lines rather than a scrap.
_UNSURE_BODY_WORDS = 100
_UNSURE_SHARE = 0.1


@dataclass(slots=True, frozen=True)
class LineDecision:
    """Why one input line was kept or dropped."""

    line: str
    keep: bool
    rule: str
    score: float


@dataclass(slots=True)
class CleanedText:
    """The article body (one paragraph per line) and the metadata found around it."""

    body: str
    title: str | None
    author: str | None
    date: str | None
    decisions: list[LineDecision]
    # letters and digits of the kept lines that are likely not the story: the region's weak tail (it ran on
    # across a comment marker or into a comment thread); the canonical choice prefers a copy without them
    beyond_story: int = 0


def clean_text_dump(
    text: str, template: TemplateModel | None = None, *, explain: bool = False, line_model: LineModel | bool = False
) -> CleanedText:
    """Clean one page dump; `explain` fills `decisions` with every line's keep/drop reason.

    `line_model`: the learnt line model (linemodel.py) that may overrule the rules where it is confident:
    True for the shipped one, False (the default) for the rules alone, or a model of one's own.
    """
    if line_model is True:
        line_model = shipped_model()
    text = normalize_text(text)
    if not text:
        return CleanedText("", None, None, None, [])
    lines = text.split("\n")
    groups = wrapped_paragraphs(text, lines)
    if groups is None:
        return clean_lines(lines, template, explain=explain, line_model=line_model or None)
    # hard-wrapped text (plain-text press releases): judge whole paragraphs, report input lines
    merged = [" ".join(lines[i] for i in group) for group in groups]
    result = clean_lines(merged, template, explain=explain, line_model=line_model or None)
    if explain:
        result.decisions = [
            LineDecision(lines[i], d.keep, d.rule, d.score) for d, group in zip(result.decisions, groups) for i in group
        ]
    return result


def clean_lines(
    lines: list[str], template: TemplateModel | None = None, *, explain: bool = False, extracted: bool = False,
    line_model: LineModel | None = None,
) -> CleanedText:
    """Clean normalised lines (no empty ones) of one page.

    `extracted`: the lines come from an HTML extractor that already dropped most junk, so
    short lines inside the body region (subheadings, list items) are kept.
    """
    page, verdicts, body = rule_pass(lines, template, extracted)
    if line_model is not None and not extracted:
        refine_with_model(lines, verdicts, body, line_model)
    title, author, date = find_metadata(lines, verdicts.classes, body.start, page.low_lines)
    decisions = _decisions(lines, verdicts, body, title) if explain else []
    beyond = sum(sum(c.isalnum() for c in lines[i]) for i in range(body.weak, body.end) if body.keep[i])
    return CleanedText("\n".join(compress(lines, body.keep)), title, author, date, decisions, beyond)


def rule_pass(
    lines: list[str], template: TemplateModel | None, extracted: bool
) -> tuple[PageLines, LineVerdicts, Body]:
    """The rules' verdicts on every line and the body they keep (what the line model reads)."""
    page = read_page(lines)
    flags = template.template_flags(lines, page.low_text) if template is not None else None
    verdicts = classify_lines(page, flags)
    teased = mark_teasers(verdicts)
    hold_announced_lists(page, verdicts)
    closers = mark_excerpt_closers(page, verdicts)
    body = select_body(lines, verdicts, closers, extracted)
    if teased and _teasers_outweigh_body(verdicts, teased, body):
        # a page holding one excerpt that links on: that excerpt is its article
        unmark_teasers(verdicts, teased)
        body = select_body(lines, verdicts, closers, extracted)
    _keep_repeated_lede(verdicts, body)
    if not any(body.keep):
        _keep_fallback_prose(verdicts, body)
        if not any(body.keep) and sum(verdicts.words) <= _SHORT_TEXT_WORDS:
            _keep_short_text(lines, verdicts, body)
    if not extracted:
        _keep_all_when_unsure(lines, verdicts, body)
    return page, verdicts, body


def refine_with_model(lines: list[str], verdicts: LineVerdicts, body: Body, model: LineModel) -> None:
    """Change the rules' decision on the lines where the model is confident; sure junk stays dropped.

    A line the rules drop is kept when P(article) >= the model's keep threshold, unless a rule found
    strong evidence against it (an end marker, a junk phrase, a template line) or it repeats a line above;
    a line the rules keep is dropped when P(article) < the drop threshold.
    """
    if not lines:
        return
    keep, rules, scores = body.keep, verdicts.rules, verdicts.scores
    changes, probs = line_changes(lines, verdicts, body.start, body.end, keep, model)
    for i in changes:
        keep[i] = not keep[i]
        rules[i], scores[i] = "line-model-keep" if keep[i] else "line-model-drop", round(float(probs[i]), 3)


def _teasers_outweigh_body(verdicts: LineVerdicts, teased: list[Teased], body: Body) -> bool:
    """Whether the "teasers" hold more prose than the body found without them."""
    words = verdicts.words
    return sum(words[i] for i, cls, _, _ in teased if cls >= MEDIUM) > sum(w for w, k in zip(words, body.keep) if k)


def _keep_repeated_lede(verdicts: LineVerdicts, body: Body) -> None:
    """Keep a lede shown first as a standfirst apart from the body, then again at its head."""
    classes, keep = verdicts.classes, body.keep
    for i, first in verdicts.repeats:
        if body.start - 1 <= i < body.end and not keep[first] and classes[first] >= MEDIUM:
            keep[i], verdicts.rules[i] = True, "repeated-lede"
            break


def _keep_fallback_prose(verdicts: LineVerdicts, body: Body) -> None:
    """Keep the lines that read as prose on a page with no article-like run (a stub, a list page)."""
    classes, rules, words, repeated = verdicts.classes, verdicts.rules, verdicts.words, verdicts.repeated
    keep = body.keep
    for i in range(len(keep)):
        if words[i] >= _FALLBACK_WORDS and classes[i] >= JUNK and not repeated[i]:
            keep[i], rules[i] = True, "fallback"


def _keep_all_when_unsure(lines: list[str], verdicts: LineVerdicts, body: Body) -> None:
    """Keep every line no rule calls junk when the body is a scrap of them: a page with no article run.

    Lines of one or two words, or all in Title Case or capitals (menus, link labels) are not counted or kept,
    nor the lines after an end marker that follows the body; a page with no more words than a short text in
    the other lines keeps what it had.
    """
    classes, rules, words, repeated = verdicts.classes, verdicts.rules, verdicts.words, verdicts.repeated
    keep = body.keep
    kept = sum(w for w, k in zip(words, keep) if k)
    if kept >= _UNSURE_BODY_WORDS:
        return
    # an end marker after the body ("Comments (30)", "Related stories") is the page saying where its article
    # ends: what follows it is comments or teasers, not lines the scrap left out
    last = max((i for i, k in enumerate(keep) if k), default=-1)
    stop = next((i for i in range(last + 1, len(classes)) if last >= 0 and classes[i] == END), len(classes))
    plain = [
        i for i, cls in enumerate(classes[:stop])
        if cls >= SHORT and words[i] > 2 and not repeated[i] and not (lines[i].istitle() or lines[i].isupper())
    ]
    total = sum(words[i] for i in plain)
    if total > _SHORT_TEXT_WORDS and kept < _UNSURE_SHARE * total:
        for i in plain:
            if not keep[i]:
                keep[i], rules[i] = True, "unsure-keep-all"


def _keep_short_text(lines: list[str], verdicts: LineVerdicts, body: Body) -> None:
    """Keep the sentences of a short page that holds nothing else worth keeping."""
    classes, rules, words, repeated = verdicts.classes, verdicts.rules, verdicts.words, verdicts.repeated
    keep = body.keep
    for i, line in enumerate(lines):
        if words[i] >= _SHORT_TEXT_LINE_WORDS and classes[i] >= SHORT and not repeated[i] and ends_sentence(line):
            keep[i], rules[i] = True, "short-text"


def _decisions(lines: list[str], verdicts: LineVerdicts, body: Body, title: str | None) -> list[LineDecision]:
    """Every line's keep/drop decision and the rule behind it."""
    classes, rules, scores, keep = verdicts.classes, verdicts.rules, verdicts.scores, body.keep
    decisions: list[LineDecision] = []
    for i, line in enumerate(lines):
        rule = rules[i]
        if not keep[i] and classes[i] >= SHORT and not (body.start <= i < body.end):
            rule = "outside-main-region"
        if line == title:
            rule = "title"
        decisions.append(LineDecision(line, keep[i], rule, round(scores[i], 3)))
    return decisions
