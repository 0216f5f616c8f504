"""The match stage: candidate pairs, verified by group of connected documents (about one alignment per
document), as sorted matches."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cleanwire.candidates import PairCodes, SharedFingerprints, TaskMap, candidate_codes
from cleanwire.cluster import component_roots
from cleanwire.config import DedupConfig
from cleanwire.digest import CONTAINED, separate_digests
from cleanwire.signatures import Signature, SignatureStore, signature_columns
from cleanwire.verify import Match, PairJudge, verify_batch


def find_matches(
    signatures: Sequence[Signature],
    load_texts: Callable[[Sequence[int]], Mapping[int, str] | Any],
    cfg: DedupConfig,
    map_batches: TaskMap | None = None,
    on_found: Callable[[list[Match]], None] | None = None,
    shared: SharedFingerprints | None = None,
    on_verified: Callable[[int, int], None] | None = None,
    known_from: int | None = None,
    keep: str = "complete",
    on_aligned: Callable[[int], None] | None = None,
) -> list[Match]:
    """Verified matches among all documents, sorted by (a, b): those the clusters under `keep` are built from.

    Candidate pairs are verified by groups of connected candidates, so a text is loaded and tokenised
    about once; a group is verified from its canonical outwards and a pair whose documents are already
    joined is not aligned, so a group of n copies costs about n alignments, not n(n-1)/2 (see
    `_GroupVerifier`); the clusters, their canonicals under `keep` and how each member joined are those
    of verifying every pair. `load_texts` gives the texts of one batch at a time, so only those are
    held (or an object whose `load()` gives them, read where the batch is verified). `map_batches(fn,
    batches, cfg)` (an engine's ordered map, e.g. over a process pool) runs the verification; by default
    it runs here. `on_found` is given the matches of each batch as soon as they are verified. With
    `shared` fingerprint files, the candidate search runs on `map_batches` too. `on_verified(done,
    total)` is told how many candidate pairs were just judged (aligned or implied), of all of them: the
    exact ones at once, then each batch. `on_aligned(n)` is told how many alignments each batch ran.
    Documents numbered `known_from` and up were matched among themselves before (an index's): their
    pairs are neither searched nor verified again.
    """
    codes = candidate_codes(signatures, cfg, map_batches, shared)
    if known_from is not None:  # a < b: both are known when a is
        codes = codes[PairCodes.firsts(codes) < np.uint64(known_from)]
    a, b = PairCodes.unpack(codes)
    words, exact, _ = signature_columns(signatures)
    same = exact[a] == exact[b]
    matches = [Match(i, j, "exact", 1.0, 1.0) for i, j in zip(a[same].tolist(), b[same].tolist())]  # no text needed
    work = _plan(a, b, same, _lengths(signatures), keep, cfg)

    def batches() -> Iterator[tuple[_Work, Mapping[int, str] | Any]]:
        for item in work:
            yield item, load_texts(item.text_docs())

    if on_found is not None:
        on_found(matches)
    if on_verified is not None:
        on_verified(len(matches), len(a))
    run = map_batches or (lambda fn, items, state: (fn(item, state) for item in items))
    for item, (found, aligned) in zip(work, run(_verify_work, batches(), cfg)):
        matches.extend(found)
        if on_found is not None:
            on_found(found)  # while the workers verify the next batches
        if on_aligned is not None:
            on_aligned(aligned)
        if on_verified is not None:  # the batches come back in order
            on_verified(len(item.pairs), len(a))
    # a page holding several stories (a digest, a live blog) is no version of any: its matches to them do not
    # cluster, so the pairs the walk took as joined through it are verified after all
    partners = _lead_partners(matches, a, b, same, words)
    matches = separate_digests(matches, words, load_texts, cfg, partners)
    more = _around_digests(matches, a, b, same, load_texts, cfg, map_batches, on_aligned)
    if more:  # they may show another digest (a copy of one, whose own matches the walk had skipped)
        matches = separate_digests(matches + more, words, load_texts, cfg, partners)
    order = np.lexsort((np.fromiter((m.b for m in matches), dtype=np.int64, count=len(matches)),
                        np.fromiter((m.a for m in matches), dtype=np.int64, count=len(matches))))
    return [matches[i] for i in order.tolist()]


_PARTNERS_PER_PAGE = 8  # unmatched candidates of a page checked for a lead it holds: bounded work per page


def _lead_partners(matches: list[Match], a: np.ndarray, b: np.ndarray, same: np.ndarray,
                   lengths: np.ndarray) -> dict[int, list[int]]:
    """Per page that holds an excerpt (the larger side of one), its candidates that matched it in no way:
    `separate_digests` looks for their leads in it (a digest holds the first paragraph of stories
    published whole elsewhere, which share too little with it to match)."""
    pages = {m.a if lengths[m.a] >= lengths[m.b] else m.b for m in matches if m.relation == "excerpt"}
    if not pages or not len(a):
        return {}
    known = {(m.a, m.b) for m in matches} | {(m.b, m.a) for m in matches}
    held = np.fromiter(pages, dtype=np.int64, count=len(pages))
    out: dict[int, list[int]] = {}
    pick = ~same & (np.isin(a, held) | np.isin(b, held))
    for i, j in zip(a[pick].tolist(), b[pick].tolist()):
        if (i, j) in known:
            continue
        for page, other in ((i, j), (j, i)):
            if page in pages and len(out.setdefault(page, [])) < _PARTNERS_PER_PAGE:
                out[page].append(other)
    return out


def _around_digests(matches: list[Match], a: np.ndarray, b: np.ndarray, same: np.ndarray,
                    load_texts: Callable[[Sequence[int]], Mapping[int, str] | Any], cfg: DedupConfig,
                    map_batches: TaskMap | None, on_aligned: Callable[[int], None] | None) -> list[Match]:
    """The matches among the other members of candidate groups that hold a digest, not verified yet.

    The group walk skips a pair whose documents are already joined; when what joined them was a digest
    (whose matches separate_digests takes back), the pair is verified here, every such pair of the group.
    """
    digests = {m.b for m in matches if m.relation == CONTAINED}
    if not digests or not len(a):
        return []
    nodes, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    roots = component_roots(ends[:len(a)], ends[len(a):], len(nodes))
    held = np.isin(nodes, np.fromiter(digests, dtype=np.int64, count=len(digests)))
    touched = np.isin(roots, np.unique(roots[held]))[ends[:len(a)]]
    known = {(m.a, m.b) for m in matches}
    pairs = [(i, j) for i, j in zip(a[touched & ~same].tolist(), b[touched & ~same].tolist())
             if i not in digests and j not in digests and (i, j) not in known]
    batches = [pairs[k:k + cfg.batch_pairs] for k in range(0, len(pairs), cfg.batch_pairs)]
    run = map_batches or (lambda fn, items, state: (fn(item, state) for item in items))
    found: list[Match] = []
    for batch, verified in zip(batches, run(verify_batch, ((p, load_texts(sorted({i for q in p for i in q})))
                                                            for p in batches), cfg)):
        found.extend(m for m in verified if m.relation != CONTAINED)
        if on_aligned is not None:
            on_aligned(len(batch))
    return found


def _lengths(signatures: Sequence[Signature]) -> np.ndarray:
    """Each document's length (what the canonical choice compares)."""
    if isinstance(signatures, SignatureStore):
        return signatures.column("length")
    return np.fromiter((s.length for s in signatures), dtype=np.int64, count=len(signatures))


@dataclass(slots=True)
class _Work:
    """One batch of verification: whole groups of connected candidates (`grouped`), or a slice of the
    pairs of a group too large for one batch, every pair of it verified."""

    pairs: list[tuple[int, int]]  # candidate pairs to judge (not exact duplicates), (a < b)
    exact: list[tuple[int, int]] = field(default_factory=list)  # (first, copy) exact duplicates inside the groups
    lengths: dict[int, int] = field(default_factory=dict)
    keep: str = "complete"
    grouped: bool = True

    def text_docs(self) -> list[int]:
        """The documents whose texts the batch needs."""
        return sorted({i for pair in self.pairs for i in pair})


def _plan(a: np.ndarray, b: np.ndarray, same: np.ndarray, lengths: np.ndarray, keep: str,
          cfg: DedupConfig) -> list[_Work]:
    """The batches: groups of connected candidates (exact pairs included), whole, in the order of their
    smallest document, up to about `batch_pairs` documents each; a group of more than twice that many
    documents is verified pair by pair in batches of `batch_pairs` pairs (as many texts at once)."""
    if not len(a):
        return []
    nodes, ends = np.unique(np.concatenate([a, b]), return_inverse=True)
    roots = component_roots(ends[:len(a)], ends[len(a):], len(nodes))
    group = roots[ends[:len(a)]]
    group_docs = np.bincount(roots, minlength=len(nodes))
    order = np.lexsort((b, a, group))
    a, b, same, group = a[order], b[order], same[order], group[order]
    cuts = np.flatnonzero(group[1:] != group[:-1]) + 1
    work: list[_Work] = []
    current = _Work([], keep=keep)
    docs = 0
    for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), len(a)]):
        ga, gb, gsame = a[lo:hi], b[lo:hi], same[lo:hi]
        pairs = list(zip(ga[~gsame].tolist(), gb[~gsame].tolist()))
        if not pairs:
            continue  # exact duplicates only: matched already
        size = int(group_docs[group[lo]])
        if size > 2 * cfg.batch_pairs:
            for start in range(0, len(pairs), cfg.batch_pairs):
                work.append(_Work(pairs[start:start + cfg.batch_pairs], grouped=False))
            continue
        current.pairs.extend(pairs)
        current.exact.extend(zip(ga[gsame].tolist(), gb[gsame].tolist()))
        members = np.unique(np.concatenate([ga, gb]))
        current.lengths.update(zip(members.tolist(), lengths[members].tolist()))
        docs += size
        if docs >= cfg.batch_pairs or len(current.pairs) >= 4 * cfg.batch_pairs:
            work.append(current)
            current, docs = _Work([], keep=keep), 0
    if current.pairs:
        work.append(current)
    return work


def _verify_work(item: tuple[_Work, Mapping[int, str] | Any], cfg: DedupConfig) -> tuple[list[Match], int]:
    """A batch's matches and how many alignments it ran (a top-level function, for an engine's workers)."""
    work, texts = item
    if not work.grouped:
        return verify_batch((work.pairs, texts), cfg), len(work.pairs)
    if not isinstance(texts, Mapping):  # where to read them (a worker on the machine that holds them)
        texts = texts.load()
    judge = PairJudge(texts, cfg)
    return _GroupVerifier(work, judge).matches(), judge.alignments


class _GroupVerifier:
    """Verifies groups of connected candidates with about one alignment per document, to the same end
    as verifying every pair.

    The clusters are the connected components of the verified pairs, each member listed with the
    partner through which a breadth-first walk from the canonical reaches it first (`ClusterBuilder`).
    So a cluster is found by such a walk over the candidates, aligning a pair only to decide whether
    a document not yet reached joins at this step: it tries its candidates in the walk's turn order
    and stops at the first that verifies. That finds the cluster and its tree; a pair between two
    documents already placed is never aligned. The walk starts from the document that would be
    canonical by length (or by order); under keep "complete" the canonical is the longest member that
    verifies as containing every other member, which only a member that is a candidate of all others
    can be: those are checked (each stops at its first failure), and when one other than the start
    wins, the walk is redone from it (its pairs mostly verified already). Every alignment is
    cached, so the cost never exceeds verifying every pair.
    """

    def __init__(self, work: _Work, judge: Callable[[int, int], Match | None]) -> None:
        self._judge = judge
        self._lengths = work.lengths
        self._keep = work.keep
        self._verdicts: dict[tuple[int, int], Match | None] = {}
        self._adjacent: dict[int, set[int]] = {}
        for x, y in work.pairs:
            self._adjacent.setdefault(x, set()).add(y)
            self._adjacent.setdefault(y, set()).add(x)
        for x, y in work.exact:
            self._adjacent.setdefault(x, set()).add(y)
            self._adjacent.setdefault(y, set()).add(x)
            self._verdicts[x, y] = Match(x, y, "exact", 1.0, 1.0)

    def _rank(self, doc: int) -> tuple[int, ...]:
        """The order in which documents are preferred as canonical without the containment test."""
        if self._keep == "first":
            return (doc,)
        if self._keep == "shortest":
            return (self._lengths[doc], doc)
        return (-self._lengths[doc], doc)

    def _verdict(self, x: int, y: int) -> Match | None:
        pair = (x, y) if x < y else (y, x)
        if pair not in self._verdicts:
            self._verdicts[pair] = self._judge(*pair)
        return self._verdicts[pair]

    def matches(self) -> list[Match]:
        """The verified matches (exact ones excluded: the caller has them)."""
        placed: set[int] = set()
        for start in sorted(self._adjacent, key=self._rank):
            if start in placed:
                continue
            cluster = self._walk(start)
            placed.update(cluster)
            if self._keep == "complete" and len(cluster) > 2:
                canonical = self._containing_all(cluster)
                if canonical is not None and canonical != start:
                    self._walk(canonical, cluster)
        return [m for m in self._verdicts.values() if m is not None and m.relation != "exact"]

    def _walk(self, start: int, within: set[int] | None = None) -> set[int]:
        """The documents joined to `start` by verified pairs, reached breadth first (turn order as
        `ClusterBuilder` walks), each aligned with its candidates in turn order until one verifies."""
        turn = {start: 0}
        frontier = [start]
        while frontier:
            tries: dict[int, list[tuple[int, int]]] = {}
            for near in frontier:
                for far in self._adjacent[near]:
                    if far not in turn and (within is None or far in within):
                        tries.setdefault(far, []).append((turn[near], near))
            reached = []
            for far, partners in tries.items():
                for near_turn, near in sorted(partners):
                    if self._verdict(near, far) is not None:
                        reached.append((near_turn, far))
                        break
            reached.sort()
            for far_turn, (_, far) in enumerate(reached, start=len(turn)):
                turn[far] = far_turn
            frontier = [far for _, far in reached]
        return set(turn)

    def _containing_all(self, cluster: set[int]) -> int | None:
        """The longest member (first by order on a tie) that verifies as containing every other, or None."""
        need = len(cluster) - 1
        for doc in sorted((d for d in cluster if len(self._adjacent[d] & cluster) == need), key=self._rank):
            # cached verdicts first: a failure among them costs no alignment
            others = sorted(self._adjacent[doc] & cluster, key=lambda o: ((doc, o) if doc < o else (o, doc)) not in
                            self._verdicts)
            if all(self._contains(doc, other) for other in others):
                return doc
        return None

    def _contains(self, doc: int, other: int) -> bool:
        found = self._verdict(doc, other)
        return found is not None and (found.relation != "excerpt" or self._lengths[doc] >= self._lengths[other])
