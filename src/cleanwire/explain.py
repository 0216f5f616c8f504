"""Why two documents match or not: scores, thresholds and their shared passages aligned side by side."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from cleanwire import stages
from cleanwire.cluster import ClusterBuilder
from cleanwire.config import Config, DedupConfig
from cleanwire.digest import CONTAINED
from cleanwire.document import Document
from cleanwire.engines.base import Engine
from cleanwire.errors import CleanwireError
from cleanwire.fingerprint import match_key, signature, token_spans
from cleanwire.ingest import Part, UniqueIds, read_part
from cleanwire.narrative import narrative, quoted_mask
from cleanwire.pipeline import Progress, learn_template
from cleanwire.stages import InputPart, Source, StageState
from cleanwire.verify import (
    UPDATE,
    UPDATE_SHARE,
    Match,
    aligned_blocks,
    directed_relation,
    excerpt_length_limit,
    is_update,
    judge,
    verify,
)

_SHOWN_WORDS = 16  # words shown at each end of a long shared passage in the terminal view
_RENAMED = re.compile(r"#\d+$")  # the suffix that makes a repeated id unique


class UnknownId(CleanwireError):
    """A document named for explain is not in the inputs, or more than one id fits the name."""


def id_stem(doc_id: str) -> str:
    """An id without its file extension: `d0001.txt` -> `d0001`, `a/b.html` -> `a/b`."""
    head, sep, name = doc_id.rpartition("/")
    dot = name.rfind(".")
    return head + sep + (name[:dot] if dot > 0 else name)


@dataclass(frozen=True)
class _Wanted:
    """What a worker needs to pick the named documents out of its part."""

    config: Config
    keys: frozenset[str]  # the names, and the names without a "#N" suffix


def _wanted_in_part(part: InputPart, wanted: _Wanted) -> tuple[list[str], dict[int, Document]]:
    """Every id of the part (as read, in order), and the documents that may be the named ones, read, not cleaned."""
    docs = read_part(part, wanted.config.ingest) if isinstance(part, Part) else iter(part)
    ids: list[str] = []
    kept: dict[int, Document] = {}
    for doc in docs:
        if doc.id in wanted.keys or id_stem(doc.id) in wanted.keys:
            kept[len(ids)] = doc
        ids.append(doc.id)
    return ids, kept


def _resolve(name: str, found: dict[str, Document], ids: list[str]) -> Document | str:
    """The document `name` names (its id, or its id without the extension when only one fits), or why none."""
    if name in found:
        return found[name]
    fits = [doc_id for doc_id in found if id_stem(doc_id) == name]
    if len(fits) == 1:
        return found[fits[0]]
    if fits:
        return f"{name} fits {len(fits)} ids ({', '.join(sorted(fits)[:5])}): give the full id"
    # a name without an extension is compared with the ids without theirs
    plain = id_stem(name) == name
    pool = {id_stem(doc_id) if plain else doc_id: doc_id for doc_id in reversed(ids)}  # the first id wins
    close = [pool[key] for key in difflib.get_close_matches(name, list(pool), n=5)]
    if close:
        return f"not found: {name} (close ids: {', '.join(close)})"
    if not ids:
        return f"not found: {name} (the inputs hold no documents)"
    return f"not found: {name} (the inputs hold {len(ids)} ids, e.g. {', '.join(ids[:3])})"


def find_pair(source: Source, names: tuple[str, str], config: Config, engine: Engine,
              progress: Progress | None = None) -> tuple[Document, Document]:
    """The two named documents, cleaned as a dedupe run of `source` with `config` cleans them.

    Template learning reads every input (on the engine's workers, as dedupe does); then the inputs
    are read again for their ids, and only the two named documents are cleaned. Ids are made unique
    as in dedupe, and a name may leave out the id's extension when only one id fits.
    """
    template = learn_template(source, config, engine, progress)
    keys = frozenset(names) | {_RENAMED.sub("", name) for name in names}
    unique = UniqueIds()
    ids: list[str] = []
    found: dict[str, Document] = {}
    for part_ids, kept in engine.map(_wanted_in_part, source.parts(), _Wanted(config, keys)):
        for position, read_id in enumerate(part_ids):
            doc_id = unique(read_id)
            ids.append(doc_id)
            if position in kept:
                kept[position].id = doc_id
                found[doc_id] = kept[position]
        if progress is not None:
            progress("reading ids", len(part_ids))
    resolved = [_resolve(name, found, ids) for name in names]
    docs = [r for r in resolved if isinstance(r, Document)]
    if len(docs) < len(names):
        raise UnknownId("; ".join(r for r in resolved if isinstance(r, str)))
    state = StageState(config, template)
    cleaned: dict[str, Document] = {}
    for doc in docs:
        if doc.id not in cleaned:  # both names may be one document: clean it once
            cleaned[doc.id] = stages.clean_document(doc, state)
    return cleaned[docs[0].id], cleaned[docs[1].id]


def _slice(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    """The original text of tokens start..end-1, punctuation between them included."""
    if start >= end:
        return ""
    return text[spans[start][0]:spans[end - 1][1]]


def _passages(a: tuple[str, list[str], list[tuple[int, int]]], b: tuple[str, list[str], list[tuple[int, int]]],
              cfg: DedupConfig) -> list[dict[str, Any]]:
    """Rows in A's order: shared passages, and what only one side has between them."""
    (text_a, tok_a, span_a), (text_b, tok_b, span_b) = a, b
    blocks = aligned_blocks(tok_a, tok_b, cfg.min_block)
    covered_b = np.zeros(len(tok_b) + 1, dtype=bool)
    in_blocks = np.zeros(len(tok_b) + 1, dtype=bool)
    for _, j, size in blocks:
        in_blocks[j:j + size] = True
    rows: list[dict[str, Any]] = []

    def gap(a_start: int, a_end: int, b_start: int, b_end: int) -> None:
        if in_blocks[b_start:b_end].any():
            b_start = b_end = 0  # a moved passage sits in this stretch of B: shown with the leftovers
        if b_end > b_start:
            covered_b[b_start:b_end] = True
        only_a, only_b = a_end > a_start, b_end > b_start
        if only_a or only_b:
            rows.append({"kind": "differs" if only_a and only_b else ("only_a" if only_a else "only_b"),
                         "a": _slice(text_a, span_a, a_start, a_end), "a_words": [a_start, a_end],
                         "b": _slice(text_b, span_b, b_start, b_end), "b_words": [b_start, b_end]})

    a_pos = b_pos = 0
    for i, j, size in blocks:
        in_order = j >= b_pos
        gap(a_pos, i, b_pos, j) if in_order else gap(a_pos, i, 0, 0)
        covered_b[j:j + size] = True
        rows.append({"kind": "shared", "moved": not in_order,
                     "a": _slice(text_a, span_a, i, i + size), "a_words": [i, i + size],
                     "b": _slice(text_b, span_b, j, j + size), "b_words": [j, j + size]})
        a_pos = i + size
        if in_order:
            b_pos = j + size
    gap(a_pos, len(tok_a), 0, 0)
    # what B has that no row showed yet (around moved passages), in B's order
    uncovered = np.flatnonzero(~covered_b[:len(tok_b)])
    if len(uncovered):
        runs = np.split(uncovered, np.flatnonzero(np.diff(uncovered) > 1) + 1)
        for run in runs:
            gap(0, 0, int(run[0]), int(run[-1]) + 1)
    return rows


def explain_pair(text_a: str, text_b: str, cfg: DedupConfig, labels: tuple[str, str] = ("A", "B"),
                 sources: tuple[str | None, str | None] = (None, None),
                 beyond_story: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """Both scores, the relation, the thresholds and the aligned passages of two clean texts (JSON-ready).

    `beyond_story`: per text, the letters and digits the cleaner took for likely not story (Document.beyond_story).
    """
    relation, similarity, containment = verify(text_a, text_b, cfg)
    # the aligner's verdict before the narrative test: a pair it calls a duplicate that shares mostly quotations is none
    quotes_only = relation is None and judge(match_key(text_a), match_key(text_b), cfg)[0] is not None
    sig_a, sig_b = signature(text_a, cfg), signature(text_b, cfg)
    # labelled as dedupe labels the shorter listed under the longer: "extends" is that pair the other way round
    a_shorter = sig_a.length <= sig_b.length
    contained = None
    if relation is not None:
        short_len, long_len = sorted((sig_a.length, sig_b.length))
        relation = directed_relation(relation, long_len, short_len, cfg)
        if relation == "excerpt":
            contained = labels[0] if a_shorter else labels[1]
    shared_fingerprints = len(np.intersect1d(sig_a.hashes, sig_b.hashes, assume_unique=True))
    a, b = token_spans(text_a), token_spans(text_b)
    rows = _passages(a, b, cfg)
    shared = sum(r["a_words"][1] - r["a_words"][0] for r in rows if r["kind"] == "shared")
    quoted_a, quoted_b = quoted_mask(text_a), quoted_mask(text_b)
    assert quoted_a is not None and quoted_b is not None  # no token count asked for: always a mask
    evidence = narrative([(r["a_words"][0], r["b_words"][0], r["a_words"][1] - r["a_words"][0])
                          for r in rows if r["kind"] == "shared"], quoted_a, quoted_b)
    for r in rows:
        if r["kind"] == "shared":
            start, end = r["a_words"]
            r["quoted"] = round(float(quoted_a[start:end].mean()), 2) if end > start else 0.0
    short = min(sig_a.words, sig_b.words) < cfg.short_words
    shared_blocks = [(r["a_words"][0], r["b_words"][0], r["a_words"][1] - r["a_words"][0])
                     for r in rows if r["kind"] == "shared"]
    longest = max(shared_blocks, key=lambda x: (x[2], -x[0]), default=(0, 0, 0))
    update = {"passage": longest[2], "before": {"a": longest[0], "b": longest[1]},
              "after": {"a": len(a[1]) - longest[0] - longest[2], "b": len(b[1]) - longest[1] - longest[2]},
              "shape": is_update(shared_blocks, len(a[1]), len(b[1]), cfg)}
    place = None
    if relation in ("excerpt", CONTAINED):
        # where the shorter sits in the longer: a story in the middle of a page may be one of a digest's
        side = "b" if a_shorter else "a"
        at = [r[f"{side}_words"] for r in rows if r["kind"] == "shared"]
        if at:
            place = {"inner": labels[0] if a_shorter else labels[1], "outer": labels[1] if a_shorter else labels[0],
                     "start": min(x for x, _ in at), "end": max(y for _, y in at),
                     "of": len((b if a_shorter else a)[1])}
    return {
        "a": labels[0],
        "b": labels[1],
        "place": place,  # with an excerpt or contained-in: the words of the longer that hold the shorter
        "sources": {"a": sources[0], "b": sources[1]},
        "relation": relation,
        "contained": contained,  # with an excerpt: the id whose text is (mostly) inside the other's
        "duplicate": relation not in (None, CONTAINED),
        "similarity": round(similarity, 4),
        "containment": round(containment, 4),
        "words": {"a": sig_a.words, "b": sig_b.words, "shared": shared},
        # each side's share of words in the shared passages: which side holds the other, and how much more it has
        "shares": {"a": round(shared / max(1, len(a[1])), 4), "b": round(shared / max(1, len(b[1])), 4)},
        "short": short,
        "narrative": {**evidence.as_dict(), "rejected_as_quotes": quotes_only},
        # the longest shared passage, the words each side has before and after it, and whether that is the
        # shape of an update (a top of its own on each side, the body kept, text added or cut after it)
        "update": update,
        "thresholds": {
            "near_threshold": cfg.near_threshold,
            "excerpt_threshold": cfg.excerpt_threshold,
            "excerpt_length": round(excerpt_length_limit(cfg), 4),
            "short_words": cfg.short_words,
            "short_similarity": cfg.short_similarity,
            "narrative_share": cfg.narrative_share,
            "update_share": UPDATE_SHARE,
            "teaser_words": cfg.teaser_words,
            "min_block": cfg.min_block,
        },
        "candidate": {
            "shared_fingerprints": shared_fingerprints,
            "min_shared": cfg.min_shared,
            "same_text": sig_a.exact == sig_b.exact,  # exact duplicates are always candidates
            "would_be_candidate": shared_fingerprints >= cfg.min_shared or sig_a.exact == sig_b.exact,
        },
        "passages": rows,
        "canonical": _canonical_of_two(relation, labels, (sig_a.length, sig_b.length), beyond_story),
    }


def _canonical_of_two(relation: str | None, labels: tuple[str, str], lengths: tuple[int, int],
                      beyond_story: tuple[int, int] = (0, 0)) -> dict[str, str] | None:
    """Which of two duplicates `dedupe` (--keep complete) makes canonical of a story of just these two, and why."""
    if relation is None:
        return None
    if any(beyond_story) and relation != CONTAINED:
        # the clustering's own rule, on a story of these two: a copy that carries comments may lose
        builder = ClusterBuilder()
        builder.add([Match(0, 1, relation, 0.0, 0.0)])
        cluster = builder.clusters(lengths, "complete", {i: n for i, n in enumerate(beyond_story) if n})[0]
        if cluster.chosen == "story":
            return {"id": labels[cluster.canonical],
                    "because": "it holds the other's story, and is clean: the other carries reader comments or "
                               "other text the cleaner took for not story"}
    first = lengths[0] >= lengths[1]  # equal lengths: the first in input order (here: the first named)
    because = ("it holds the other, which lies inside it" if relation == "excerpt"
               else f"the longer clean body of two {'versions' if relation == UPDATE else 'near-duplicates'}"
               if lengths[0] != lengths[1]
               else "the same length: the first in input order")
    return {"id": labels[0] if first else labels[1], "because": because}


def _abbreviate(text: str, what: str, shown: int = _SHOWN_WORDS) -> str:
    """A long passage as its first and last words around a count of the words left out."""
    words = text.split()
    if len(words) <= 3 * shown:
        return text
    left_out = len(words) - 2 * shown
    return f"{' '.join(words[:shown])} … [{left_out} more {what} words] … {' '.join(words[-shown:])}"


def _verdict(result: dict[str, Any]) -> Text:
    """One line: the relation, or why there is none."""
    if result["duplicate"]:
        how = ""
        if result["contained"] is not None:
            outer = result["b"] if result["contained"] == result["a"] else result["a"]
            how = f" ({result['contained']} is mostly inside {outer})"
        if result["relation"] == UPDATE:
            how = (" (versions of one story: each has a top of its own, the body between is one shared passage "
                   f"holding at least {result['thresholds']['update_share']:.0%} of the shorter, and one goes on "
                   "after it)")
        return Text.assemble(("duplicate: ", "bold"), (result["relation"], "bold green"), how)
    if result["relation"] == CONTAINED:
        inner, outer = (result["a"], result["b"]) if result["words"]["a"] <= result["words"]["b"] else (
            result["b"], result["a"])
        return Text.assemble(("not a duplicate", "bold red"), f": {inner} is {CONTAINED} {outer} (a short text "
                             "found whole inside a longer page, not at its top: a story of a digest or live blog; "
                             "reported by dedupe --all, never clustered)")
    if result["narrative"]["rejected_as_quotes"]:
        return Text.assemble(("not a duplicate", "bold red"), ": the shared passages are mostly quotations "
                             "(the words of people both quote), too little of either article's own text is shared")
    return Text.assemble(("not a duplicate", "bold red"))


def render_explain(result: dict[str, Any]) -> RenderableType:
    """The explanation as a rich renderable: scores against thresholds, then the texts side by side."""
    th = result["thresholds"]
    scores = Table.grid(padding=(0, 2))
    scores.add_column(style="bold")
    scores.add_column()
    scores.add_column(style="dim")

    def mark(value: float, threshold: float) -> Text:
        return Text(f"{value:.3f}", style="green" if value >= threshold else "red")

    if result["short"]:
        scores.add_row("similarity", mark(result["similarity"], th["short_similarity"]),
                       f">= {th['short_similarity']} (character level: a text under {th['short_words']} words "
                       "matches only near-exact text)")
    else:
        scores.add_row("similarity", mark(result["similarity"], th["near_threshold"]),
                       f">= {th['near_threshold']} for near-duplicate")
        scores.add_row("containment", mark(result["containment"], th["excerpt_threshold"]),
                       f">= {th['excerpt_threshold']} for a duplicate by containment (share of the smaller in the "
                       f"larger): an excerpt when the smaller is at most {th['excerpt_length']:.2f} of the larger's "
                       "length, else a near-duplicate")
        upd = result["update"]
        before, after = upd["before"], upd["after"]
        scores.add_row("update", Text(f"{upd['passage']} words", style="green" if upd["shape"] else "red"),
                       f"an update when one shared passage holds >= {th['update_share']} of the shorter, each side "
                       f"has words before it, most of them its own (a new top; {result['a']}: {before['a']}, "
                       f"{result['b']}: {before['b']}) and one goes on after it ({result['a']}: {after['a']}, "
                       f"{result['b']}: {after['b']}): a passage ending both is a common tail, starting both a "
                       "common head")
        nar = result["narrative"]
        scores.add_row("narrative", mark(nar["containment"], th["narrative_share"]),
                       f">= {th['narrative_share']} of one side's words outside quotation marks shared "
                       f"({result['a']}: {nar['shared_a']}/{nar['words_a']}, {result['b']}: "
                       f"{nar['shared_b']}/{nar['words_b']}; {nar['quoted_shared']} shared words are quoted)")
    words = result["words"]
    place = result.get("place")
    if place is not None:
        where = "at its top" if place["start"] <= th["teaser_words"] else "not at its top"
        scores.add_row("place", f"{place['inner']} is words {place['start']}-{place['end']} of {place['outer']}'s "
                       f"{place['of']}", f"{where}; dedupe calls a page that holds two or more stories (other "
                       "inputs, or the leads of inputs published whole) in separate places a digest: they are "
                       "contained-in it, never its duplicates")
    scores.add_row("words", f"{result['a']}: {words['a']}   {result['b']}: {words['b']}",
                   f"shared in runs of >= {th['min_block']} words: {words['shared']}")
    shares = result["shares"]
    scores.add_row("shares", f"{result['a']}: {shares['a']:.2f}   {result['b']}: {shares['b']:.2f}",
                   "each side's share of its words in the shared passages (the rest is only in it)")
    cand = result["candidate"]
    scores.add_row("fingerprints", f"{cand['shared_fingerprints']} shared",
                   "same normalised text: always a candidate" if cand["same_text"]
                   else f"a candidate pair needs >= {cand['min_shared']}")

    sides = Table(expand=True, show_lines=True)
    sides.add_column(result["a"], ratio=1)
    sides.add_column(result["b"], ratio=1)
    styles = {"only_a": ("bold red", ""), "only_b": ("", "bold green"), "differs": ("bold red", "bold green")}
    for row in result["passages"]:
        if row["kind"] == "shared":
            note = (" (moved)" if row["moved"] else "") + (" (quoted)" if row["quoted"] >= 0.5 else "")
            sides.add_row(Text(_abbreviate(row["a"], "shared") + note, style="dim"),
                          Text(_abbreviate(row["b"], "shared") + note, style="dim"))
        else:
            style_a, style_b = styles[row["kind"]]
            sides.add_row(Text(_abbreviate(row["a"], "one-sided", 2 * _SHOWN_WORDS), style=style_a),
                          Text(_abbreviate(row["b"], "one-sided", 2 * _SHOWN_WORDS), style=style_b))
    legend = Text.assemble(("shared", "dim"), "   ", (f"only in {result['a']}", "bold red"), "   ",
                           (f"only in {result['b']}", "bold green"))
    if result["canonical"] is not None:
        scores.add_row("canonical", result["canonical"]["id"], result["canonical"]["because"])
    return Group(_verdict(result), scores, legend, sides)
