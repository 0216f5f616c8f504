"""A dev-side test set shaped like a scrape of one news event, built at benchmark time from dev pages.

Nothing of it is stored: it is made, with a fixed seed, from the labelled article bodies of the
cleaning set a dedup dev set was built from (`../cleaning/truth/` for `dedup/`, `../cleaning2/`
for `dedup2/`), and only from pages the dedup set lists with no natural or ambiguous partner.
Every page is used in one construction only, so no two constructions share text by accident:

- quote pairs: two different articles made to share one to three paragraphs of a third, quoted
  and attributed; in half the pairs one article is a short reaction piece, its lead and the quotation
  (different stories);
- quoting copies: an article that quotes people, and a copy of it updated (a line on top, its last
  paragraph cut) (one story);
- digests: 5 to 15 short stories (each the first one or two paragraphs of an article) on one page,
  with some of those stories on pages of their own, as the same brief or whole (different
  stories), and for some digests a
  second copy missing one story (one story: the same digest);
- update chains: three or four versions of an article, each with a new top and paragraphs added
  at the end, sharing at least half of its sentences with the version before (one story);
- teasers: the first two sentences of an article, beside the article (one story).

The texts are clean bodies (the set tests matching, not cleaning).
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

WORDS = re.compile(r"\w+")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019]?\s+(?=[\"'\u201c\u2018A-Z0-9])")
QUOTE_CHARS = re.compile("[\"\u201c\u201d\u201e\u00ab\u00bb]")
MARKS = [("\u201c", "\u201d"), ('"', '"'), ("\u00ab", "\u00bb"), ("\u201e", "\u201c")]
SPEAKERS = ["a spokesman said", "the minister told reporters", "she said in a statement", "he wrote on Twitter",
            "the company said", "officials said"]


@dataclass
class EventSet:
    """The documents, the story of each, and what each was made as."""

    texts: list[str] = field(default_factory=list)
    story: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)

    def add(self, text: str, story: str, kind: str) -> None:
        self.texts.append(text)
        self.story.append(story)
        self.kind.append(kind)


EVENT_KINDS = ("quoting-copy", "digest", "update", "teaser")  # the kinds of document that have true pairs


def has_event_pages(dev_dir: Path) -> bool:
    """Whether the labelled bodies the set is built from are there."""
    return (_cleaning_dir(dev_dir) / "truth").is_dir() and (dev_dir / "clusters.jsonl").is_file()


def _cleaning_dir(dev_dir: Path) -> Path:
    """The cleaning set a dedup set was made from: dedup -> cleaning, dedup2 -> cleaning2."""
    return dev_dir.parent / dev_dir.name.replace("dedup", "cleaning")


def _usable_pages(dev_dir: Path) -> list[str]:
    """Pages of the dedup set that are one story alone among the real pages (no natural or ambiguous partner)."""
    rows = [json.loads(line) for line in (dev_dir / "clusters.jsonl").read_text(encoding="utf-8").splitlines() if line]
    originals = Counter(r["cluster"] for r in rows if r["type"] == "original")
    return sorted(r["page"] for r in rows if r["type"] == "original" and r["page"]
                  and originals[r["cluster"]] == 1 and not r.get("ambiguous_with"))


def _paragraphs(text: str) -> list[str]:
    """The non-empty lines of a truth, each once."""
    seen: set[str] = set()
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and line not in seen:
            seen.add(line)
            out.append(line)
    return out


def _words(text: str) -> int:
    return len(WORDS.findall(text))


def _quote(paragraph: str, marks: tuple[str, str], speaker: str) -> str:
    """A paragraph as an attributed quotation (its own quotation marks taken out)."""
    body = QUOTE_CHARS.sub("", paragraph).rstrip(" .")
    return f"{marks[0]}{body},{marks[1]} {speaker}."


def build_event_set(dev_dir: Path, seed: int = 19) -> EventSet:
    """The test set made from the dev pages behind `dev_dir` (a dedup dev set)."""
    truth = _cleaning_dir(dev_dir) / "truth"
    articles: list[list[str]] = []
    for page in _usable_pages(dev_dir):
        path = truth / f"{page}.txt"
        if path.exists():
            paras = _paragraphs(path.read_text(encoding="utf-8"))
            if len(paras) >= 3 and _words(" ".join(paras)) >= 120 and all(_words(p) >= 4 for p in paras[:2]):
                articles.append(paras)
    rng = random.Random(seed)
    rng.shuffle(articles)
    pool = iter(articles)
    out = EventSet()
    n = len(articles)
    # shares of the pool per construction, so a smaller dev set gives a smaller test set
    _quote_pairs(out, pool, rng, n // 12)
    _quoting_copies(out, [a for a in (next(pool) for _ in range(n // 5)) if QUOTE_CHARS.search(" ".join(a))][:n // 12])
    _digests(out, pool, rng, max(3, n // 40))
    _chains(out, pool, rng, n // 20)
    _teasers(out, pool, n // 12)
    return out


def _quote_pairs(out: EventSet, pool: Any, rng: random.Random, count: int) -> None:
    for k in range(count):
        first, second, source = next(pool), next(pool), next(pool)
        start = rng.randrange(len(source))
        taken = source[start:start + rng.randint(1, 3)]
        quoted = [_quote(p, MARKS[k % len(MARKS)], rng.choice(SPEAKERS)) for p in taken]
        if k % 2:  # a short reaction piece, mostly the statement
            out.add("\n".join([first[0], *quoted]), f"q{k}a", "quote-pair")
        else:
            out.add("\n".join([first[0], *quoted, *first[1:]]), f"q{k}a", "quote-pair")
        out.add("\n".join([*second[:2], *quoted, *second[2:]]), f"q{k}b", "quote-pair")


def _quoting_copies(out: EventSet, articles: Sequence[list[str]]) -> None:
    for k, paras in enumerate(articles):
        out.add("\n".join(paras), f"c{k}", "quoting-copy")
        kept = paras[:-1] if len(paras) >= 4 else paras
        out.add("\n".join(["This story has been updated.", *kept]), f"c{k}", "quoting-copy")


def _digests(out: EventSet, pool: Any, rng: random.Random, count: int) -> None:
    for k in range(count):
        stories = [next(pool) for _ in range(rng.randint(5, 15))]
        shorts = [" ".join(s[:2]) if _words(s[0]) < 40 else s[0] for s in stories]
        digest = "\n".join(shorts)
        out.add(digest, f"d{k}", "digest")
        if k % 3 == 0:  # the same digest on another site, one story left out
            out.add("\n".join(shorts[:-1]), f"d{k}", "digest-copy")
        for j in range(rng.randint(2, 4)):  # some stories on pages of their own: as the brief, or whole
            out.add(shorts[j] if j else "\n".join(stories[j]), f"d{k}s{j}", "digest-story")


def _chains(out: EventSet, pool: Any, rng: random.Random, count: int) -> None:
    for k in range(count):
        base = next(pool)
        while len(base) < 6:
            base = next(pool)
        tops = [p for p in next(pool) if _words(p) >= 8][:3]
        used = max(3, len(base) // 2)
        version = base[:used]
        out.add("\n".join(version), f"u{k}", "update")
        for top in tops:
            # a new top paragraph, the rest kept, one or two paragraphs added at the end
            more = min(len(base), used + rng.randint(1, 2))
            version = [top, *version[1:], *base[used:more]]
            used = more
            out.add("\n".join(version), f"u{k}", "update")


def _teasers(out: EventSet, pool: Any, count: int) -> None:
    for k in range(count):
        paras = next(pool)
        sentences = SENTENCE_END.split(" ".join(paras))
        out.add("\n".join(paras), f"t{k}", "teaser")
        out.add(" ".join(sentences[:2]), f"t{k}", "teaser")


def _pairs(labels: Sequence[Any]) -> set[tuple[int, int]]:
    groups: dict[Any, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    return {pair for members in groups.values() for pair in combinations(members, 2)}


def score_event_set(data: EventSet, labels: Sequence[Any]) -> dict[str, Any]:
    """Pairwise precision and recall of predicted cluster labels, recall per kind, wrong pairs per kind."""
    gold, found = _pairs(data.story), _pairs(labels)
    hits = gold & found
    recall_by_kind: dict[str, list[int]] = {}
    for a, b in gold:
        entry = recall_by_kind.setdefault(data.kind[a], [0, 0])
        entry[0] += (a, b) in hits
        entry[1] += 1
    wrong = Counter("+".join(sorted({data.kind[a], data.kind[b]})) for a, b in found - gold)
    return {"precision": len(hits) / len(found) if found else 1.0, "recall": len(hits) / len(gold) if gold else 1.0,
            "pairs": len(gold), "found": len(found),
            "recall_by_kind": {k: round(v[0] / v[1], 3) for k, v in sorted(recall_by_kind.items())},
            "false_pairs": dict(sorted(wrong.items()))}


def run_event_set(dev_dir: Path, methods: dict[str, Callable[[Sequence[str]], list[int]]]) -> dict[str, Any]:
    """Each method's scores on the event set built from `dev_dir`'s pages, and the set's size."""
    data = build_event_set(dev_dir)
    out: dict[str, Any] = {"documents": len(data.texts), "kinds": dict(Counter(data.kind))}
    for name, method in methods.items():
        out[name] = score_event_set(data, method(data.texts))
    return out
