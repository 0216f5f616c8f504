"""What a run gives back: its counters, and the dedupe result the output is written from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from cleanwire.cluster import Cluster
from cleanwire.config import DedupConfig
from cleanwire.relations import Evidence
from cleanwire.spill import Spill
from cleanwire.verify import Match


@dataclass
class Counters:
    """What a run did, for the summary on stderr and `--stats FILE`."""

    documents: int = 0
    errors: int = 0
    empty: int = 0  # documents whose clean body is empty (emitted, never matched)
    skipped: int = 0  # files inside input folders not read: not of a recognised format
    skipped_records: int = 0  # WARC records not read: responses that are not HTML or not status 200
    clusters: int = 0
    duplicates: int = 0
    relations: Counter[str] = field(default_factory=Counter)
    candidate_pairs: int = 0  # pairs of documents found similar enough to judge (exact copies included)
    alignments: int = 0  # candidate pairs aligned in verification (the others are exact or implied)
    seconds: dict[str, float] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)  # with --index/--against: what the index added (see pipeline)

    def as_dict(self) -> dict[str, Any]:
        """The counters as plain JSON-ready values."""
        out = asdict(self)
        out["relations"] = dict(sorted(self.relations.items()))
        out["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        if not self.index:
            del out["index"]
        if not self.skipped_records:  # only runs that read WARC files have the field
            del out["skipped_records"]
        return out


@dataclass
class DedupeResult:
    """The outcome of the matching stage; texts stay in the spill."""

    spill: Spill
    ids: list[str]  # unique ids, by ordinal; the spill holds the ids as read
    lengths: Sequence[int]
    clusters: list[Cluster]  # the stories of two or more documents; every other document is one alone
    canonical_of: list[int]  # ordinal -> ordinal of its cluster's canonical
    member_match: dict[int, Match]  # absorbed ordinal -> how it matched
    renamed: dict[int, str] = field(default_factory=dict)  # ordinal -> id as read (the spill holds that one)
    evidence: dict[int, Evidence] = field(default_factory=dict)  # absorbed ordinal -> against its canonical
    dedup: DedupConfig = field(default_factory=DedupConfig)  # the thresholds the run judged with
    passages: bool = False  # whether `evidence` holds the one-sided passages
    keep: str = "complete"  # the run's --keep
    extra: dict[int, dict[str, Any]] = field(default_factory=dict)  # canonical ordinal -> fields its record gains
    contained: list[Match] = field(default_factory=list)  # a = a story, b = a digest that holds it ("contained-in")

    def close(self) -> None:
        """Release the spill file."""
        self.spill.close()
