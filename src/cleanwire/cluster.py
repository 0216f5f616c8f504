"""Clusters from verified matches, and the canonical document of each by a total order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from cleanwire.candidates import PairCodes
from cleanwire.config import KEEP_CHOICES
from cleanwire.digest import CONTAINED
from cleanwire.verify import Match

# the smaller side of an excerpt match holds the larger when it is at least this share of the larger's story
# (its length without the text the cleaner took for comments): that text is what makes the larger longer
_STORY_SHARE = 0.9
_CARRIES = 10  # a copy carries comments when they are over a tenth of its length


def _firsts(root: np.ndarray, keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """Per component, its first node in the order of `keys` (the last key first, as np.lexsort)."""
    order = np.lexsort((*keys, root))
    return order[np.concatenate(([True], root[order][1:] != root[order][:-1]))]

@dataclass(slots=True)
class Cluster:
    """One story: its canonical document and how each other member matched into it.

    Each member's Match has `a` = the document it matched (the canonical itself when they were
    verified as a pair, else its nearest verified partner on the way to the canonical) and
    `b` = the member; members are in ordinal order.
    """

    canonical: int
    members: list[Match] = field(default_factory=list)
    # why the canonical: "complete" (it holds every other member), "longest", or --keep's rule (derived, not compared)
    chosen: str = field(default="alone", compare=False)

    @property
    def ordinals(self) -> list[int]:
        """All documents of the cluster, canonical first."""
        return [self.canonical, *(m.b for m in self.members)]


def build_clusters(n: int, matches: Sequence[Match], lengths: Sequence[int], keep: str = "complete") -> list[Cluster]:
    """Every document in exactly one cluster (singletons have no members), ordered by first ordinal."""
    linked = {min(c.ordinals): c for c in linked_clusters(matches, lengths, keep)}
    inside = {i for c in linked.values() for i in c.ordinals}
    return [linked[i] if i in linked else Cluster(i) for i in range(n) if i in linked or i not in inside]


def linked_clusters(matches: Iterable[Match], lengths: Sequence[int], keep: str = "complete") -> list[Cluster]:
    """The clusters of two or more documents (every other document is a story alone), by first ordinal.

    Only the documents that matched are visited, so the work follows the matches, not the corpus.
    """
    builder = ClusterBuilder()
    builder.add(matches)
    return builder.clusters(lengths, keep)


class ClusterBuilder:
    """Clusters from verified matches as they come (while the rest is still being verified).

    `add` only keeps the matches; `clusters` does the work at the end, with array operations, so
    the main process stays free while the workers verify. The result does not depend on the order
    the matches come in (but for a pair matched twice, where the first match counts): the root
    of a cluster is its smallest ordinal, and every choice has a total order.
    """

    def __init__(self, ordinals: Sequence[int] | None = None) -> None:
        self._matches: list[Match] = []
        self._ordinals = ordinals  # the matches number documents by their position in this

    def add(self, matches: Iterable[Match]) -> None:
        """Take in some verified matches."""
        self._matches.extend(matches)

    def contained(self) -> list[Match]:
        """The "contained-in" matches (a story, the digest that holds it), by ordinal: reported, never clustered."""
        found = [m for m in self._matches if m.relation == CONTAINED]
        if self._ordinals is not None:
            index = self._ordinals
            found = [replace(m, a=int(index[m.a]), b=int(index[m.b])) for m in found]
        return sorted(found, key=lambda m: (m.a, m.b))

    def clusters(self, lengths: Sequence[int], keep: str = "complete",
                 beyond_story: Mapping[int, int] | None = None) -> list[Cluster]:
        """The clusters of two or more documents, by first ordinal, each with its canonical under `keep`.

        `beyond_story`: ordinal -> how much of its length the cleaner took for likely not story (comments
        it kept after the story); the "complete" rule weighs the story without it.
        """
        if keep not in KEEP_CHOICES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_CHOICES)}, not {keep!r}")
        graph = _Graph.of(self._matches, self._ordinals)
        if graph is None:
            return []
        root = graph.components()
        node_lengths = np.asarray(lengths, dtype=np.int64)[graph.nodes]
        beyond = np.zeros(len(graph.nodes), dtype=np.int64)
        if beyond_story:
            ordinals = np.fromiter(beyond_story, dtype=np.int64, count=len(beyond_story))
            at = np.minimum(np.searchsorted(graph.nodes, ordinals), len(graph.nodes) - 1)
            found = graph.nodes[at] == ordinals
            beyond[at[found]] = np.fromiter(beyond_story.values(), dtype=np.int64, count=len(beyond_story))[found]
        canonical, chosen = graph.canonicals(root, node_lengths, keep, np.minimum(beyond, node_lengths))
        parent, via = graph.tree(canonical)
        clusters = graph.read_out(root, canonical, parent, via)
        for cluster in clusters:
            cluster.chosen = keep if keep != "complete" else chosen[cluster.canonical]
        return clusters


@dataclass
class _Graph:
    """The match graph: nodes (ordinals, sorted) and edges by node index, one per pair of documents."""

    nodes: np.ndarray
    a: np.ndarray
    b: np.ndarray
    excerpt: np.ndarray  # per edge: is it an excerpt match
    matches: list[Match]  # per edge

    @classmethod
    def of(cls, matches: Sequence[Match], ordinals: Sequence[int] | None) -> _Graph | None:
        matches = [m for m in matches if m.relation != CONTAINED]  # reported, but a digest joins no stories
        count = len(matches)
        a = np.fromiter((m.a for m in matches), dtype=np.int64, count=count)
        b = np.fromiter((m.b for m in matches), dtype=np.int64, count=count)
        if ordinals is not None and count:
            index = np.asarray(ordinals, dtype=np.int64)
            a, b = index[a], index[b]
        # one edge per pair of documents, the first match given for it; none from a document to itself
        low, high = np.minimum(a, b), np.maximum(a, b)
        _, first = np.unique(PairCodes.pack(low, high), return_index=True)
        first = first[low[first] != high[first]]
        if not len(first):
            return None
        first.sort()
        nodes, ends = np.unique(np.concatenate([a[first], b[first]]), return_inverse=True)
        kept = [matches[i] for i in first.tolist()]
        excerpt = np.fromiter((m.relation == "excerpt" for m in kept), dtype=bool, count=len(kept))
        return cls(nodes, ends[:len(first)], ends[len(first):], excerpt, kept)

    def components(self) -> np.ndarray:
        """Per node, the smallest node of its component."""
        return component_roots(self.a, self.b, len(self.nodes))

    def canonicals(self, root: np.ndarray, lengths: np.ndarray, keep: str,
                   beyond: np.ndarray | None = None) -> tuple[np.ndarray, dict[int, str]]:
        """Per component root, its canonical node under `keep` (the ordinal breaks every tie); and per
        canonical's ordinal, why: `keep`'s rule, or with "complete", "complete" (it holds every other member),
        "story" (it holds every other member's story; the longer ones carry comments) or "longest"."""
        n = len(self.nodes)
        index = np.arange(n)
        holds_all = np.zeros(n, dtype=bool)
        if keep == "first":
            keys: tuple[np.ndarray, ...] = (index,)
        elif keep == "shortest":
            keys = (index, lengths)
        elif keep == "longest":
            keys = (index, -lengths)
        else:
            # "complete": the version that contains every other member (verified as its near-duplicate,
            # or as the larger side of an excerpt match), else the longest
            holds_all = self._holds_all(root, lengths, lengths)
            keys = (index, -lengths, ~holds_all)
            if beyond is not None:
                # a copy that carries comments (text the cleaner took for not story, a fair share of its body)
                # loses to a clean one that holds every other member's story: the smaller side of an excerpt
                # match holds the larger's story when it is about as long as the larger without its comments
                carries = beyond * _CARRIES > lengths
                if carries.any():
                    clean = ~carries & self._holds_all(root, lengths, lengths - beyond)
                    keys = (*keys, ~clean)
        firsts = _firsts(root, keys)
        canonical = np.full(n, -1)
        canonical[root[firsts]] = firsts
        nodes = self.nodes.tolist()
        before = set(_firsts(root, keys[:3]).tolist()) if len(keys) > 3 else set(firsts.tolist())
        chosen = {nodes[i]: "story" if i not in before else "complete" if holds_all[i] else "longest"
                  for i in firsts.tolist()}
        return canonical, chosen

    def _holds_all(self, root: np.ndarray, lengths: np.ndarray, story: np.ndarray) -> np.ndarray:
        """Per node, whether it holds every other member of its component: it is matched with each as its
        near-duplicate, or as the larger side of an excerpt match, or (`story` shorter than `lengths`) as the
        smaller side whose length is at least _STORY_SHARE of the larger's story."""
        n = len(self.nodes)
        la, lb = lengths[self.a], lengths[self.b]
        sa, sb = story[self.a], story[self.b]
        a_holds = ~self.excerpt | (la >= lb) | ((sb < lb) & (la >= _STORY_SHARE * sb))
        b_holds = ~self.excerpt | (lb >= la) | ((sa < la) & (lb >= _STORY_SHARE * sa))
        contains = np.bincount(self.a, weights=a_holds, minlength=n) + np.bincount(self.b, weights=b_holds, minlength=n)
        everyone = np.bincount(root, minlength=n)[root] - 1
        return np.asarray(contains >= everyone)

    def tree(self, canonical: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per node, its parent and the edge to it in a breadth-first walk from its canonical.

        Level by level, all components at once: a node joins through the partner the walk reached
        first, and the nodes of a level are reached in the order (their partner's turn, ordinal),
        so the tree is the one a queue visiting neighbours in ordinal order gives.
        """
        n = len(self.nodes)
        parent, via = np.full(n, -1), np.full(n, -1)
        turn = np.full(n, -1)  # the order in which the walk reaches each node, across levels
        starts = canonical[canonical >= 0]
        turn[starts] = np.arange(len(starts))
        reached = len(starts)
        ends = np.concatenate([self.a, self.b])
        others = np.concatenate([self.b, self.a])
        edges = np.concatenate([np.arange(len(self.a))] * 2)
        frontier = np.zeros(n, dtype=bool)
        frontier[starts] = True
        while True:
            step = frontier[ends] & (turn[others] < 0)
            if not step.any():
                return parent, via
            near, far, edge = ends[step], others[step], edges[step]
            order = np.lexsort((turn[near], far))  # per node reached: its partner with the first turn
            far, near, edge = far[order], near[order], edge[order]
            first = np.concatenate(([True], far[1:] != far[:-1]))
            far, near, edge = far[first], near[first], edge[first]
            parent[far], via[far] = near, edge
            order = np.lexsort((far, turn[near]))
            turn[far[order]] = reached + np.arange(len(far))
            reached += len(far)
            frontier[:] = False
            frontier[far] = True

    def read_out(self, root: np.ndarray, canonical: np.ndarray, parent: np.ndarray,
                 via: np.ndarray) -> list[Cluster]:
        """The clusters as objects, by their first ordinal; members by ordinal."""
        nodes = self.nodes.tolist()
        # every node but the canonicals, grouped by component (in root order, as the nodes are sorted)
        members = np.flatnonzero(parent >= 0)
        members = members[np.argsort(root[members], kind="stable")]
        member_root = root[members].tolist()
        clusters: dict[int, Cluster] = {}
        for node, up, edge, r in zip(members.tolist(), parent[members].tolist(), via[members].tolist(), member_root):
            cluster = clusters.get(r)
            if cluster is None:
                cluster = clusters[r] = Cluster(nodes[int(canonical[r])])
            m = self.matches[edge]
            a, b = nodes[up], nodes[node]
            cluster.members.append(m if (m.a, m.b) == (a, b) else Match(a, b, m.relation, m.similarity, m.containment))
        return list(clusters.values())


def component_roots(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Per node 0..n-1, the smallest node joined to it by the edges a[i]-b[i] (hooking and pointer
    jumping, all nodes at once)."""
    label = np.arange(n)
    while True:
        la, lb = label[a], label[b]
        if np.array_equal(la, lb):
            return label
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)
        np.minimum.at(label, lb, low)
        while not np.array_equal(jumped := label[label], label):
            label = jumped
