"""Digests and live blogs: pages that hold several distinct stories are not a version of any of them.

A "News in Brief" page or a live blog carries several stories, each whole or as its lead, so each
of them verifies as an excerpt of it. Left as excerpt matches, the page would become the canonical
of every story it holds and join them all into one cluster. A page is taken for a digest when it
holds two or more stories in separate places of its text (their shared passages do not overlap):
its matches to them become "contained-in" (the story is contained in the digest), which report the
relation but never join clusters. The page's own copies (near-duplicates of it, or copies that
span several of its stories) stay its duplicates, and so do the digests' copies' matches.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from cleanwire.config import DedupConfig
from cleanwire.verify import UPDATE, Match, shared_runs, token_chars_batch

CONTAINED = "contained-in"  # a story (a) contained in a page that holds several stories (b)
_HUBS_PER_LOAD = 256  # pages checked per load of texts: memory stays bounded
_OVERLAP = 0.1  # two places overlap when they share more than this share of the shorter (a digest's stories: none)
_COPY_SHARE = 0.5  # a page at least this share of a digest's length that it holds is a copy of the digest


def _span(small: str, large: str, cfg: DedupConfig) -> tuple[int, int] | None:
    """Where in `large` the shared passages with `small` lie: the stretch holding the middle 90% of them."""
    blocks = shared_runs(small, large, cfg)
    if not blocks:
        return None
    starts = np.array([j for _, j, _ in blocks], dtype=np.int64)
    sizes = np.array([size for _, _, size in blocks], dtype=np.int64)
    order = np.argsort(starts)
    starts, sizes = starts[order], sizes[order]
    done = np.cumsum(sizes)
    total = int(done[-1])
    first = int(np.searchsorted(done, 0.05 * total, side="right"))
    last = int(np.searchsorted(done, 0.95 * total, side="left"))
    last = min(last, len(starts) - 1)
    return int(starts[first]), int(starts[last] + sizes[last])


def _lead_span(other: str, page: str, cfg: DedupConfig) -> tuple[int, int] | None:
    """Where in `page` the lead of `other` lies (its first words, a teaser's length at least, shared in one
    passage), or None when the page does not hold its lead."""
    blocks = shared_runs(other, page, cfg)
    if not blocks:
        return None
    i, j, size = min(blocks)
    if i > cfg.teaser_words or size < cfg.teaser_words:
        return None
    return j, j + size


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> bool:
    inter = min(x[1], y[1]) - max(x[0], y[0])
    return inter > _OVERLAP * min(x[1] - x[0], y[1] - y[0])


def _separate_places(spans: Sequence[tuple[int, int]]) -> tuple[list[int], list[bool]]:
    """Per contained text, the place of the page it sits in (texts in overlapping stretches share one),
    and whether it spans two or more places (a copy of a stretch of the page holding several stories;
    its place is -1)."""
    n = len(spans)
    multi = []
    for k, span in enumerate(spans):
        inside = [spans[m] for m in range(n) if m != k and _overlap(span, spans[m])
                  and spans[m][1] - spans[m][0] < span[1] - span[0]]
        multi.append(any(not _overlap(x, y) for i, x in enumerate(inside) for y in inside[i + 1:]))
    # places: groups of overlapping single-story spans
    label = list(range(n))

    def find(x: int) -> int:
        while label[x] != x:
            label[x] = label[label[x]]
            x = label[x]
        return x

    singles = [k for k in range(n) if not multi[k]]
    for i, k in enumerate(singles):
        for m in singles[i + 1:]:
            if _overlap(spans[k], spans[m]):
                label[find(k)] = find(m)
    return [find(k) if not multi[k] else -1 for k in range(n)], multi


def _own_place(places: Sequence[int], spans: Sequence[tuple[int, int]], length: int, matched: int) -> int | None:
    """The place that is the page's own story, if one stands out: held by more texts than any other,
    or covering more than half of the page (a page with its article and other stories beside it); else None.

    The first `matched` texts match the page; the others only have their lead in it (stories published whole
    elsewhere): however many, they count as one text of their place, as none of them is a version of the page.
    """
    count: dict[int, int] = {}
    cover: dict[int, int] = {}
    for k, (place, (start, end)) in enumerate(zip(places, spans)):
        if place >= 0:
            count[place] = count.get(place, 0) + (k < matched)
            cover[place] = max(cover.get(place, 0), end - start)
    count = {place: max(1, held) for place, held in count.items()}
    ranked = sorted(count, key=lambda p: (-count[p], p))
    if len(ranked) == 1 or count[ranked[0]] > count[ranked[1]]:
        return ranked[0]
    wide = [p for p in count if cover[p] > length / 2]
    return wide[0] if wide else None


def separate_digests(matches: list[Match], lengths: Sequence[int] | np.ndarray,
                     load_texts: Callable[[Sequence[int]], Mapping[int, str] | Any],
                     cfg: DedupConfig, partners: Mapping[int, Sequence[int]] | None = None) -> list[Match]:
    """`matches` with the excerpt matches of each digest to the stories it holds relabelled CONTAINED.

    `partners`: per page, candidates that did not match it; one whose lead (its first words) the page holds
    is a story of its own in that place (a digest holds the first paragraph of a story published whole).
    """
    partners = partners or {}
    holds: dict[int, list[int]] = {}  # larger side of an excerpt match -> those matches
    contained: set[int] = set()
    for k, m in enumerate(matches):
        if m.relation == CONTAINED:
            contained.add(k)  # a short text inside a page, not at its top (verify): reported, never clustered
        if m.relation in (CONTAINED, "excerpt"):  # both are stories the larger page holds, each in its place
            large = m.a if lengths[m.a] >= lengths[m.b] else m.b
            holds.setdefault(large, []).append(k)
    hubs = sorted(page for page, held in holds.items() if len(held) + len(partners.get(page, ())) >= 2)
    versions: dict[int, list[int]] = {}  # a page -> its near-duplicates and updates (of pages with partners)
    for m in matches:
        if m.relation in ("near-duplicate", UPDATE):
            for page, other in ((m.a, m.b), (m.b, m.a)):
                if page in partners:
                    versions.setdefault(page, []).append(other)
    digests: set[int] = set()
    for start in range(0, len(hubs), _HUBS_PER_LOAD):
        some = hubs[start:start + _HUBS_PER_LOAD]
        wanted = sorted({i for page in some for k in holds[page] for i in (matches[k].a, matches[k].b)}
                        | {i for page in some if page in partners for i in (*partners[page], *versions.get(page, ()))})
        texts = load_texts(wanted)
        if not isinstance(texts, Mapping):
            texts = texts.load()
        chars = dict(zip(wanted, token_chars_batch([texts[i] for i in wanted], cfg)))
        for page in some:
            held, spans = [], []
            for k in holds[page]:
                m = matches[k]
                span = _span(chars[m.b if m.a == page else m.a], chars[page], cfg)
                if span is not None:
                    held.append(k)
                    spans.append(span)
            leads = [span for other in partners.get(page, ()) if (span := _lead_span(chars[other], chars[page], cfg))]
            if leads:  # the page's versions (its copies elsewhere, without what it holds besides) show its own story
                spans += [span for other in versions.get(page, ()) if (span := _span(chars[other], chars[page], cfg))]
            places, multi = _separate_places(spans + leads)
            # a page whose own story stands out among the others it holds (a busy page: its article and
            # teasers of others) is left as it is: which of its matches are its story is not clear enough
            if len({p for p in places if p >= 0}) >= 2 and _own_place(places, spans + leads, len(chars[page]),
                                                                     len(spans)) is None:
                digests.add(page)
                contained.update(k for k, place in zip(held, places) if place >= 0)
    # the copies of a digest (its near-duplicates) hold the same stories: they are digests too
    for m in matches:
        if m.relation in ("exact", "near-duplicate") and (m.a in digests) != (m.b in digests):
            copy = m.b if m.a in digests else m.a
            for k in holds.get(copy, []):
                other = matches[k].a if matches[k].b == copy else matches[k].b
                if lengths[other] < _COPY_SHARE * lengths[copy]:
                    contained.add(k)
    if not contained:
        return matches
    out = []
    for k, m in enumerate(matches):
        if k in contained:
            page = m.a if lengths[m.a] >= lengths[m.b] else m.b
            story = m.b if page == m.a else m.a
            m = replace(m, a=story, b=page, relation=CONTAINED)
        out.append(m)
    return out
