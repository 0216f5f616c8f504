"""A busy-page test set, built at benchmark time from a cleaning dev set: copies of stories placed into
real host pages that hold more other prose than story (reader comments, forum posts, teaser blocks).

Nothing of the dev set is stored in the project: the set is made in memory from the dev pages each run.
A host is a dev page whose dump holds at least as many words of prose outside its labelled article as in
it, and at least HOST_MIN_PROSE: its article lines are taken out and a copy of another page's article
(labelled truth) is put where they stood, so the copy sits among the host's own comments, posts and
teasers. The host page itself stays in the set, as a negative for every copy it carries.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

WORD = re.compile(r"\w+")
PROSE_WORDS = 8  # a line of the dump with this many words is prose
HOST_MIN_PROSE = 300  # words of prose outside its article that make a page a busy host
BASE_MIN_WORDS = 150  # an article this long, in three paragraphs or more, can be copied
COPY_TYPES = ("excerpt", "full", "edited")


@dataclass
class BusySet:
    """The documents (raw dumps) and their gold: cluster, copy type, the host whose page it wears."""

    ids: list[str]
    texts: list[str]
    gold: dict[str, dict[str, Any]]


def _norm(line: str) -> str:
    return " ".join(WORD.findall(line.lower()))


def _pages(cleaning_dir: Path) -> list[tuple[str, list[str], list[str]]]:
    """(page id, dump lines, truth lines) of every English page of a cleaning dev set, in id order."""
    with open(cleaning_dir / "pages.tsv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r.get("lang", "en") == "en"]
    out = []
    for row in sorted(rows, key=lambda r: r["id"]):
        dump, truth = cleaning_dir / "dump_lines" / f"{row['id']}.txt", cleaning_dir / "truth" / f"{row['id']}.txt"
        if dump.exists() and truth.exists():
            out.append((row["id"], dump.read_text(encoding="utf-8").splitlines(),
                        [t for t in truth.read_text(encoding="utf-8").splitlines() if t.strip()]))
    return out


def _outside_prose(dump: list[str], truth: list[str]) -> int:
    """Words of the dump's prose lines that are not lines of its article."""
    inside = {_norm(t) for t in truth}
    return sum(n for line in dump if (n := len(WORD.findall(line))) >= PROSE_WORDS and _norm(line) not in inside)


def _sharing_articles(pages: list[tuple[str, list[str], list[str]]], share: float = 0.3) -> set[str]:
    """Pages whose article shares `share` of its word 5-grams (of the smaller) with another page's article."""
    grams: dict[str, set[tuple[str, ...]]] = {}
    holders: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for page, _, truth in pages:
        words = WORD.findall(" ".join(truth).lower())
        grams[page] = {tuple(words[i:i + 5]) for i in range(len(words) - 4)}
        for gram in grams[page]:
            holders[gram].append(page)
    overlap: Counter[tuple[str, str]] = Counter()
    for pages_with in holders.values():
        if 1 < len(pages_with) <= 20:  # a phrase in more pages is boilerplate of a site, not one story
            overlap.update(combinations(sorted(pages_with), 2))
    return {page for pair, n in overlap.items() if n >= share * min(len(grams[pair[0]]), len(grams[pair[1]]))
            for page in pair}


def _excerpt(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The first paragraphs, 15-55 % of the article's words (at least one paragraph)."""
    total = sum(len(WORD.findall(p)) for p in paragraphs)
    target = total * rng.uniform(0.15, 0.55)
    out: list[str] = []
    for p in paragraphs[:-1]:
        out.append(p)
        if sum(len(WORD.findall(x)) for x in out) >= target:
            break
    return out


def _edited(paragraphs: list[str], rng: random.Random) -> list[str]:
    """A light edit: one paragraph dropped (not the first), a few words changed or dropped elsewhere."""
    out = list(paragraphs)
    if len(out) > 3:
        del out[rng.randrange(1, len(out))]
    edited = []
    for p in out:
        words = p.split(" ")
        for _ in range(max(1, len(words) // 40)):
            k = rng.randrange(len(words))
            words[k] = rng.choice(["", "the", "reportedly", words[k].upper()])
        edited.append(" ".join(w for w in words if w))
    return edited


def _place(host_dump: list[str], host_truth: list[str], copy: list[str]) -> list[str]:
    """The host's dump with its article lines taken out and the copy put where the first of them stood."""
    inside = {_norm(t) for t in host_truth}
    out: list[str] = []
    placed = False
    for line in host_dump:
        if _norm(line) in inside and len(WORD.findall(line)) >= 1:
            if not placed:
                out.extend(copy)
                placed = True
            continue
        out.append(line)
    if not placed:
        out[len(out) // 3:len(out) // 3] = copy
    return out


def build_busy_set(cleaning_dir: Path, seed: int = 14, bases: int = 150) -> BusySet:
    """Copies (excerpt, full, edited) of `bases` articles, one or two each, placed in busy host pages."""
    rng = random.Random(seed)
    pages = _pages(cleaning_dir)
    shared = _sharing_articles(pages)
    pages = [p for p in pages if p[0] not in shared]  # two pages of one story would be an unlabelled pair
    busy = [p for p in pages if _outside_prose(p[1], p[2]) >= max(HOST_MIN_PROSE, sum(len(WORD.findall(t))
                                                                                       for t in p[2]))]
    host_ids = {p[0] for p in busy}
    candidates = [p for p in pages if p[0] not in host_ids and len(p[2]) >= 3
                  and sum(len(WORD.findall(t)) for t in p[2]) >= BASE_MIN_WORDS]
    chosen = rng.sample(candidates, min(bases, len(candidates)))
    ids: list[str] = []
    texts: list[str] = []
    gold: dict[str, dict[str, Any]] = {}

    def add(text: str, cluster: str, kind: str, host: str | None, page: str) -> None:
        doc_id = f"b{len(ids) + 1:04d}"
        ids.append(doc_id)
        texts.append(text)
        gold[doc_id] = {"id": doc_id, "cluster": cluster, "type": kind, "host": host, "page": page}

    used_hosts: set[str] = set()
    for number, (page, dump, truth) in enumerate(chosen):
        cluster = f"s{number:04d}"
        add("\n".join(dump), cluster, "original", None, page)
        for _ in range(rng.choice((1, 1, 2))):
            kind = rng.choice(COPY_TYPES)
            host_page, host_dump, host_truth = rng.choice(busy)
            body = _excerpt(truth, rng) if kind == "excerpt" else _edited(truth, rng) if kind == "edited" else truth
            add("\n".join(_place(host_dump, host_truth, body)), cluster, kind, host_page, page)
            used_hosts.add(host_page)
    for host_page, host_dump, _ in busy:
        if host_page in used_hosts:  # the host page as it is: a negative for every copy that wears it
            add("\n".join(host_dump), f"h-{host_page}", "host", None, host_page)
    order = rng.sample(range(len(ids)), len(ids))  # shuffled, renamed in the new order
    new_ids = [f"b{i + 1:04d}" for i in range(len(ids))]
    renamed = {ids[k]: new_ids[pos] for pos, k in enumerate(order)}
    return BusySet(new_ids, [texts[k] for k in order],
                   {renamed[ids[k]]: gold[ids[k]] | {"id": renamed[ids[k]]} for k in order})


def score_busy(busy: BusySet, labels: Sequence[int]) -> dict[str, Any]:
    """Pairwise precision, recall and F1 (clusters as given), recall per copy type, and the false pairs:
    copies joined with the host page they wear (`host`), or with other stories (`other`)."""
    gold = busy.gold
    by_label: dict[int, list[str]] = defaultdict(list)
    for doc_id, label in zip(busy.ids, labels):
        by_label[label].append(doc_id)
    predicted = {tuple(sorted(p)) for members in by_label.values() for p in combinations(members, 2)}
    by_cluster: dict[str, list[str]] = defaultdict(list)
    for doc_id in busy.ids:
        by_cluster[gold[doc_id]["cluster"]].append(doc_id)
    true = {tuple(sorted(p)) for members in by_cluster.values() for p in combinations(members, 2)}
    tp = len(true & predicted)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def kind(pair: tuple[str, ...]) -> str:
        types = sorted(gold[i]["type"] for i in pair)
        return "copy-copy" if "original" not in types else next(t for t in types if t != "original")

    per: dict[str, dict[str, float]] = {}
    for name in (*COPY_TYPES, "copy-copy"):
        pairs = [p for p in true if kind(p) == name]
        if pairs:
            found = sum(p in predicted for p in pairs)
            per[name] = {"pairs": len(pairs), "found": found, "recall": found / len(pairs)}
    causes: Counter[str] = Counter()
    for a, b in predicted - true:
        hosts = {gold[a].get("host"), gold[b].get("host")}
        pages = {gold[a]["page"], gold[b]["page"]}
        causes["host" if hosts & pages or (len(hosts - {None}) == 1 and None not in hosts) else "other"] += 1
    return {"docs": len(busy.ids), "gold_pairs": len(true), "precision": precision, "recall": recall, "f1": f1,
            "recall_by_type": per, "fp_by_cause": dict(causes),
            "missed": sorted(true - predicted), "false": sorted(predicted - true)}


def run_busy(cleaning_dir: Path, methods: dict[str, Callable[[Sequence[str]], list[int]]],
             clean: Callable[[Sequence[str]], list[str]]) -> tuple[BusySet, dict[str, Any]]:
    """The busy set built from `cleaning_dir`, cleaned once, scored for each method."""
    busy = build_busy_set(cleaning_dir)
    cleaned = clean(busy.texts)
    return busy, {name: score_busy(busy, method(cleaned)) for name, method in methods.items()}
