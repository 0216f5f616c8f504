"""Clusters from verified matches, and the canonical document of each by a total order."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cleanwire.config import KEEP_CHOICES
from cleanwire.match import Match


@dataclass(slots=True)
class Cluster:
    """One story: its canonical document and how each other member matched into it.

    Each member's Match has `a` = the document it matched (the canonical itself when they were
    verified as a pair, else its nearest verified partner on the way to the canonical) and
    `b` = the member; members are in ordinal order.
    """

    canonical: int
    members: list[Match] = field(default_factory=list)

    @property
    def ordinals(self) -> list[int]:
        """All documents of the cluster, canonical first."""
        return [self.canonical, *(m.b for m in self.members)]


class _UnionFind:
    """Disjoint sets of ordinals (only those ever joined are stored); the root is always the smallest
    ordinal, so results are stable."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _canonical(members: list[int], contains: dict[int, int], lengths: Sequence[int], keep: str) -> int:
    """The canonical of one cluster under the keep policy; the ordinal breaks every tie."""
    if keep == "first":
        return min(members)
    if keep == "shortest":
        return min(members, key=lambda i: (lengths[i], i))
    if keep == "longest":
        return min(members, key=lambda i: (-lengths[i], i))
    # "complete": the version that contains every other member (verified as its near-duplicate,
    # or as the larger side of an excerpt match), else the longest
    everyone = len(members) - 1
    return min(members, key=lambda i: (contains.get(i, 0) < everyone, -lengths[i], i))


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
    """Clusters grown from verified matches as they come (while the rest is still being verified).

    The result does not depend on the order the matches come in: each pair is verified once, the
    union-find root is always the smallest ordinal, and the read-out sorts.
    """

    def __init__(self) -> None:
        self._sets = _UnionFind()
        self._neighbours: dict[int, dict[int, Match]] = {}

    def add(self, matches: Iterable[Match]) -> None:
        """Take in some verified matches."""
        neighbours, union = self._neighbours, self._sets.union
        for m in matches:
            if m.a == m.b:
                continue
            union(m.a, m.b)
            neighbours.setdefault(m.a, {}).setdefault(m.b, m)
            neighbours.setdefault(m.b, {}).setdefault(m.a, m)

    def clusters(self, lengths: Sequence[int], keep: str = "complete") -> list[Cluster]:
        """The clusters of two or more documents, by first ordinal, each with its canonical under `keep`."""
        if keep not in KEEP_CHOICES:
            raise ValueError(f"keep must be one of {', '.join(KEEP_CHOICES)}, not {keep!r}")
        neighbours, find = self._neighbours, self._sets.find
        groups: dict[int, list[int]] = {}
        for i in sorted(neighbours):
            groups.setdefault(find(i), []).append(i)
        clusters = []
        for root in sorted(groups):
            members = groups[root]
            contains = {i: sum(1 for other, m in neighbours[i].items()
                               if m.relation != "excerpt" or lengths[i] >= lengths[other]) for i in members}
            canonical = _canonical(members, contains, lengths, keep)
            if len(members) == 2:  # most stories have one copy: its match is the whole story
                other = members[1] if canonical == members[0] else members[0]
                m = neighbours[canonical][other]
                pair = m if (m.a, m.b) == (canonical, other) else Match(canonical, other, m.relation, m.similarity,
                                                                         m.containment)
                clusters.append(Cluster(canonical, [pair]))
            else:
                clusters.append(Cluster(canonical, _attach(canonical, neighbours)))
        return clusters


def _attach(canonical: int, neighbours: dict[int, dict[int, Match]]) -> list[Match]:
    """Each member's match with the canonical, or with its partner one step nearer (breadth first)."""
    seen = {canonical}
    queue = deque([canonical])
    attached = []
    while queue:
        node = queue.popleft()
        for other in sorted(neighbours.get(node, {})):
            if other not in seen:
                seen.add(other)
                queue.append(other)
                m = neighbours[node][other]
                attached.append(Match(node, other, m.relation, m.similarity, m.containment))
    attached.sort(key=lambda m: m.b)
    return attached
